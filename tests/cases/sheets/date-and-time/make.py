"""A date cell with a time of day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.workbooks import cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(
        folder, "kkb", lambda rows: cell(rows, 2, "designation_date", dt.datetime(2021, 3, 17, 10, 30))
    )
