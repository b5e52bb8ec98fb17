"""A date column holding a number: a date serial (44377 = 2021-06-30) is ambiguous."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: cell(rows, 2, "designation_date", 44377))
