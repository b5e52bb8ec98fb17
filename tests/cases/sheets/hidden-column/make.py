"""A hidden column (D, "Kecamatan"), which would be read unseen."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import same, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", same, hidden_columns=["D"])
