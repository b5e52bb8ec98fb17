"""A blank row between rows of data (the trailing blank rows are ignored)."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: [*rows[:3], [], *rows[3:], [], [" "], []])
