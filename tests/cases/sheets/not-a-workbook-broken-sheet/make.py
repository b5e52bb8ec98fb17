"""A workbook whose sheet's XML is cut short (a copy interrupted): a problem, not a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.workbooks import same, table_in_workbook


def make(folder: Path) -> None:
    whole = table_in_workbook(folder, "kkb", same)
    cut = whole.with_suffix(".tmp")
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(cut, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            target.writestr(
                member, data[: len(data) // 2] if member.filename.endswith("sheet1.xml") else data
            )
    cut.replace(whole)
