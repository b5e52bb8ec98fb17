"""A second row of column names (the canonical ones) under the Indonesian header."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: [rows[0], list(rows[0]), *rows[1:]])
