"""Two rows' village names merged into one cell (B3:B4): said once, at its first cell."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: rows, merged=["B3:B4"])
