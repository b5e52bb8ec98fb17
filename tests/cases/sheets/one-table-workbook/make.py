"""A workbook named after a table (kkb.xlsx) with two sheets."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import as_kept, csv_rows, write_xlsx


def make(folder: Path) -> None:
    rows = as_kept(csv_rows(folder / "registry" / "kkb.csv"))
    (folder / "registry" / "kkb.csv").unlink()
    write_xlsx(folder / "registry" / "kkb.xlsx", {"Kampung KB": rows, "Lama": rows})
