"""A formula where a name belongs: python-calamine gives its value (here none, never
computed); found in the sheet's XML."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import Formula, cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(
        folder, "kkb", lambda rows: cell(rows, 2, "village_name", Formula('"Rantau "&"Kujang"'))
    )
