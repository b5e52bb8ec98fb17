"""A collapsed column of an .ods (the second, "Desa/Kelurahan")."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import same, table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", same, "ods", hidden_columns=[2])
