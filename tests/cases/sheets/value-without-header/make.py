"""A note typed beside the table, in a column without a header."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(
        folder, "kkb", lambda rows: [[*row, "cek lagi" if i == 4 else ""] for i, row in enumerate(rows)]
    )
