"""Two hidden rows (3 and 4), said once."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: rows, hidden_rows=[3, 4])
