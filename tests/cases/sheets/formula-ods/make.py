"""A formula in an .ods (table:formula)."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import Formula, cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: cell(rows, 5, "district_code", Formula("A1")), "ods")
