"""Test-only writers of .xlsx (openpyxl) and .ods (by hand: a zip of mimetype, content.xml and
META-INF/manifest.xml, which is all an ODS needs) workbooks, and the bundled registry converted to
them. Nothing here is committed as a binary: every workbook is written at test time.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import openpyxl

from kkb_lod.headers import HEADERS, SHEETS

Cell = Any  # str, int, float, bool, datetime.date, or Formula
Rows = Sequence[Sequence[Cell]]


class Formula(str):
    """A cell holding a formula (text without the leading ``=``)."""


class Error(str):
    """An error cell (``#N/A``), what a formula gone wrong leaves."""


def write_xlsx(
    path: Path,
    sheets: dict[str, Rows],
    hidden_rows: Sequence[int] = (),
    merged: Sequence[str] = (),
    hidden_sheets: Sequence[str] = (),
    hidden_columns: Sequence[str] = (),
) -> Path:
    """A workbook of ``sheets`` (name → rows from row 1); ``hidden_rows``, ``hidden_columns``
    (letters) and ``merged`` ranges apply to the first sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, (name, rows) in enumerate(sheets.items()):
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                cell = sheet.cell(r, c, f"={value}" if isinstance(value, Formula) else value)
                if isinstance(value, Error):
                    cell.data_type = "e"
                elif isinstance(value, str) and not isinstance(value, Formula):
                    cell.data_type = "s"  # text as typed, even "=x" (a formula-like text)
        if i == 0:
            for r in hidden_rows:
                sheet.row_dimensions[r].hidden = True
            for cells in merged:
                sheet.merge_cells(cells)
            for letter in hidden_columns:
                sheet.column_dimensions[letter].hidden = True
        if name in hidden_sheets:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)


def _ods_cell(value: Cell) -> str:
    if value == "" or value is None:
        return "<table:table-cell/>"
    if isinstance(value, Formula):
        return f"<table:table-cell table:formula={quoteattr('of:=' + value)}/>"
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value='
            f'"{str(value).lower()}"><text:p>{str(value).upper()}</text:p></table:table-cell>'
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value='
            f'"{value.isoformat()}"><text:p>{value.isoformat()}</text:p></table:table-cell>'
        )
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def write_ods(
    path: Path,
    sheets: dict[str, Rows],
    hidden_rows: Sequence[int] = (),
    hidden_sheets: Sequence[str] = (),
    spanned: dict[tuple[int, int], tuple[int, int]] | None = None,
    hidden_columns: Sequence[int] = (),
) -> Path:
    """An OpenDocument spreadsheet of ``sheets``; ``hidden_rows`` and ``hidden_columns`` (from 1)
    of the first sheet are collapsed, ``spanned`` maps a first sheet's cell (row, column from 1)
    to (rows, columns) merged."""
    tables = []
    covered = {
        (r + dr, c + dc)
        for (r, c), (rows, cols) in (spanned or {}).items()
        for dr in range(rows)
        for dc in range(cols)
        if dr or dc
    }
    for i, (name, rows) in enumerate(sheets.items()):
        style = ' table:style-name="hidden"' if name in hidden_sheets else ""
        width = max((len(row) for row in rows), default=0)
        collapsed = ' table:visibility="collapse"'
        body = [
            f"<table:table-column{collapsed if i == 0 and c in hidden_columns else ''}/>"
            for c in range(1, width + 1)
        ]
        for r, row in enumerate(rows, start=1):
            visibility = ' table:visibility="collapse"' if i == 0 and r in hidden_rows else ""
            cells = []
            for c, value in enumerate(row, start=1):
                cell = "<table:covered-table-cell/>" if i == 0 and (r, c) in covered else _ods_cell(value)
                if i == 0 and spanned and (r, c) in spanned:
                    rows_, cols = spanned[r, c]
                    cell = cell.replace(
                        "<table:table-cell",
                        f"<table:table-cell table:number-rows-"
                        f'spanned="{rows_}" table:number-columns-spanned="{cols}"',
                        1,
                    )
                cells.append(cell)
            body.append(f"<table:table-row{visibility}>{''.join(cells)}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}{style}>{''.join(body)}</table:table>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} '
        f'office:version="1.2"><office:automatic-styles><style:style style:name="hidden" '
        f'style:family="table"><style:table-properties table:display="false"/></style:style>'
        f"</office:automatic-styles><office:body><office:spreadsheet>{''.join(tables)}"
        f"</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def as_kept(rows: list[list[str]]) -> list[list[Cell]]:
    """CSV rows as a person keeps them in a spreadsheet: full dates as date cells, years and
    counts as number cells, everything else text."""
    header, kept = rows[0], [rows[0]]
    for row in rows[1:]:
        cells: list[Cell] = []
        for column, value in zip(header, row, strict=True):
            if column.endswith("_date") and len(value) == 10:
                cells.append(dt.date.fromisoformat(value))
            elif column in ("year", "stated_kkb_count", "stated_district_count") and value:
                cells.append(int(value))
            else:
                cells.append(value)
        kept.append(cells)
    return kept


def registry_to_workbooks(folder: Path, kind: str) -> None:
    """Replace the CSV tables of ``folder/registry`` by one workbook ``registry.xlsx`` whose
    sheets and headers have their Indonesian names (``kind="xlsx"``), or by one ``<stem>.ods``
    per table with the canonical headers."""
    registry = folder / "registry"
    tables = {path.stem: as_kept(csv_rows(path)) for path in sorted(registry.glob("*.csv"))}
    for path in registry.glob("*.csv"):
        path.unlink()
    if kind == "xlsx":  # with the Indonesian headers, as the template has them
        write_xlsx(
            registry / "registry.xlsx",
            {
                SHEETS[stem][0]: [[HEADERS.get(c, (c,))[0] for c in rows[0]], *rows[1:]]
                for stem, rows in tables.items()
            },
        )
    else:
        for stem, rows in tables.items():
            write_ods(registry / f"{stem}.ods", {stem: rows})


def table_in_workbook(
    folder: Path, stem: str, edit: Callable[[list[list[Cell]]], Rows], kind: str = "xlsx", **options: Any
) -> Path:
    """Move table ``stem`` of the registry ``folder`` from its CSV file to a sheet of
    ``registry/registry.<kind>`` (its Indonesian sheet and column names), its rows (canonical
    header first, cells as :func:`as_kept` makes them) changed by ``edit`` first."""
    return tables_in_workbook(folder, {stem: edit}, kind, **options)


def tables_in_workbook(
    folder: Path,
    edits: dict[str, Callable[[list[list[Cell]]], Rows]],
    kind: str = "xlsx",
    extra: dict[str, Rows] | None = None,
    **options: Any,
) -> Path:
    """:func:`table_in_workbook` for several tables (in the order given), plus ``extra`` sheets."""
    sheets: dict[str, Rows] = {}
    for stem, edit in edits.items():
        path = folder / "registry" / f"{stem}.csv"
        rows = [list(row) for row in edit(as_kept(csv_rows(path)))]
        rows[0] = [HEADERS.get(c, (c,))[0] if isinstance(c, str) else c for c in rows[0]]
        sheets[SHEETS[stem][0]] = rows
        path.unlink()
    sheets.update(extra or {})
    write = write_xlsx if kind == "xlsx" else write_ods
    return write(folder / "registry" / f"registry.{kind}", sheets, **options)


def cell(rows: list[list[Cell]], row: int, column: str, value: Cell) -> list[list[Cell]]:
    """``rows`` with the cell of spreadsheet row ``row`` (header = 1) in ``column`` set."""
    rows[row - 1][rows[0].index(column)] = value
    return rows


def same(rows: list[list[Cell]]) -> Rows:
    """No change (an ``edit`` for :func:`table_in_workbook`)."""
    return rows
