"""A date cell where no date belongs: the spreadsheet took "1-3" for a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.workbooks import cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: cell(rows, 2, "village_name", dt.date(2021, 3, 1)))
