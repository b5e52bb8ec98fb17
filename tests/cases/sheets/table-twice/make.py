"""The KKB table both in registry/kkb.csv and in a workbook's sheet."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import same, table_in_workbook


def make(folder: Path) -> None:
    kept = (folder / "registry" / "kkb.csv").read_bytes()
    table_in_workbook(folder, "kkb", same)
    (folder / "registry" / "kkb.csv").write_bytes(kept)
