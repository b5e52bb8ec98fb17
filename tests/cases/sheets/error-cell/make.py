"""An error cell (#N/A), which python-calamine reads as an empty cell."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import Error, cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: cell(rows, 2, "village_name", Error("#N/A")))
