"""One workbook with the KKB table twice: sheet "kkb" and sheet "Kampung KB"."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import as_kept, csv_rows, same, table_in_workbook


def make(folder: Path) -> None:
    rows = as_kept(csv_rows(folder / "registry" / "kkb.csv"))
    table_in_workbook(folder, "kkb", same, extra={"kkb": rows})
