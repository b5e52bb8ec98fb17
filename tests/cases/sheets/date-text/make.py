"""Date text not written YYYY-MM-DD: day/month (unambiguous), swappable, and in words."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import cell, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(
        folder,
        "kkb",
        lambda rows: cell(
            cell(cell(rows, 2, "designation_date", "17/03/2021"), 3, "designation_date", "03/04/2021"),
            4,
            "designation_date",
            "17 Maret 2021",
        ),
    )
