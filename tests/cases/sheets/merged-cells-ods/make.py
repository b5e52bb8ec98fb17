"""Merged cells in an .ods (table:number-rows-spanned), which python-calamine does not
report: found in content.xml."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: rows, "ods", spanned={(3, 2): (2, 1)})
