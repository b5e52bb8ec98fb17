"""A code typed as a number: the cell keeps 62.04 as a number, and 62.10 would be 62.1."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "activities", lambda rows: cell(rows, 2, "scope_code", 62.04))
