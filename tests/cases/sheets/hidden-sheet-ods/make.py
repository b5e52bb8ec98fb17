"""A table on a hidden sheet of an .ods (a table style with table:display="false")."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import same, tables_in_workbook


def make(folder: Path) -> None:
    tables_in_workbook(folder, {"kkb": same, "sources": same}, "ods", hidden_sheets=["Sumber"])
