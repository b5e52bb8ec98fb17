"""A number of 16 digits, which a spreadsheet keeps to 15 significant digits."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "sources", lambda rows: cell(rows, 2, "stated_kkb_count", 1234567890123456))
