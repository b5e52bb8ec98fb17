"""A collapsed row of an .ods (table:visibility="collapse")."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: rows, "ods", hidden_rows=[7])
