"""A title and a blank row above the header."""

from __future__ import annotations

from pathlib import Path

from tests.workbooks import table_in_workbook


def make(folder: Path) -> None:
    table_in_workbook(folder, "kkb", lambda rows: [["Daftar Kampung KB Kabupaten Barito Selatan"], [], *rows])
