"""A sheet named after no table."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import same, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", same, extra={"Rekap": [["Jumlah"], [15]]})
