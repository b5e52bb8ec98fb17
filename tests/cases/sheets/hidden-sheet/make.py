"""A table on a hidden sheet whose name does not start with _."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import same, tables_in_workbook


def make(folder: Path) -> None:
    tables_in_workbook(folder, {"kkb": same, "sources": same}, hidden_sheets=["Sumber"])
