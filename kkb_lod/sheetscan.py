"""What a workbook's values do not show: formulas, error cells, hidden rows (and an ODS's merged
cells), read from the file's XML.

python-calamine gives a sheet's values only: a formula's last result (or nothing, if it was never
computed), an error cell (``#N/A``) as an empty cell, a hidden row like any other. A registry cell
must be data a person typed and can see, so these are found here, with their cells, by a streaming
scan of the zip member: the sheet's XML is decompressed in chunks and searched with byte patterns
(C speed); only an .ods in which a pattern occurs at all is parsed element by element, because its
rows and cells are counted with repeat attributes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import PurePosixPath

CHUNK = 1 << 20
#: Bytes kept from the previous chunk to find the cell a formula belongs to (its ``<c …>`` tag).
CONTEXT = 4096


@dataclass
class Marks:
    """Cells and rows of one sheet that its values hide. Rows are numbered as a spreadsheet shows
    them (from 1), columns from 0 (A = 0), as python-calamine counts them."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # cell → formula text or ""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cell → the error shown
    hidden: list[range] = field(default_factory=list)  # rows, as ranges (ODS repeats rows)
    hidden_columns: list[range] = field(default_factory=list)  # columns from 0 (A = 0)
    #: merged ranges, ((first row, first column), (last row, last column)) from 0 (ODS only:
    #: python-calamine gives an .xlsx's)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    #: what was found in a cell or row the file gives no reference (``r``): "the formula =1+1"
    unplaced: list[str] = field(default_factory=list)


def column_index(letters: str) -> int:
    """``"B"`` → 1, ``"AA"`` → 26."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def column_letters(index: int) -> str:
    """1 → ``"B"``, 26 → ``"AA"``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- xlsx ----------------------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TEXT = re.compile(rb"[^>]*?(?:/>|>([^<]*))")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>][^>]*")  # a cell's start tag (its reference is optional)
_ERROR = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="e"[^>]*>')
_VALUE = re.compile(rb"(?:<(?:\w+:)?v>([^<]*))?")
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_HIDDEN_COLUMN = re.compile(rb'<(?:\w+:)?col\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_SPAN = re.compile(rb'\bmin="([0-9]+)"[^>]*?\bmax="([0-9]+)"|\bmax="([0-9]+)"[^>]*?\bmin="([0-9]+)"')
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``'s cells (``xl/worksheets/sheet1.xml``)."""
    names = {
        s.get("name"): s.get(f"{_REL}id")
        for s in ET.fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")
    }
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == names.get(sheet):
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
    return None


def scan_xlsx(archive: zipfile.ZipFile, sheet: str) -> Marks:
    marks = Marks()
    part = sheet_part(archive, sheet)
    if part is None or part not in archive.namelist():
        return marks
    with archive.open(part) as stream:
        context, left = b"", b""
        while True:
            chunk = stream.read(CHUNK)
            buf = left + chunk
            cut = buf.rfind(b"<") if chunk else len(buf)
            if cut <= 0 and chunk:
                left = buf
                continue
            text, left = buf[:cut], buf[cut:]
            _scan_xlsx_text(context, text, marks)
            context = (context + text)[-CONTEXT:]
            if not chunk:
                return marks


def _scan_xlsx_text(context: bytes, text: bytes, marks: Marks) -> None:
    if b"<" not in text:
        return
    # each pattern is looked for only where a plain substring search (much faster) finds a sign
    for found in _HIDDEN_ROW.finditer(text) if b'hidden="' in text else ():
        if number := _ROW_NUMBER.search(found[0]):
            marks.hidden.append(range(int(number[1]), int(number[1]) + 1))
        else:
            marks.unplaced.append("a hidden row")
    for found in _HIDDEN_COLUMN.finditer(text) if b'hidden="' in text else ():
        if span := _SPAN.search(found[0]):
            first, last = (span[1], span[2]) if span[1] else (span[4], span[3])
            marks.hidden_columns.append(range(int(first) - 1, int(last)))
    for found in _ERROR.finditer(text) if b't="e"' in text else ():
        if ref := _REF.search(found[0]):
            value = _VALUE.match(text, found.end())
            shown = unescape(value[1].decode("utf-8", "replace")) if value and value[1] else ""
            marks.errors[int(ref[2]), column_index(ref[1].decode())] = shown
        else:
            marks.unplaced.append("an error cell")
    for found in _FORMULA.finditer(text) if b"<f" in text or b":f" in text else ():
        formula = _FORMULA_TEXT.match(text, found.end() - 1)
        shown = (
            "=" + unescape(formula[1].decode("utf-8", "replace")) if formula and formula[1] else ""
        )  # a shared formula's other cells do not repeat its text
        before = context + text[: found.start()]
        cells = list(_CELL.finditer(before, max(0, len(before) - CONTEXT)))
        if cells and (ref := _REF.search(cells[-1][0])):
            marks.formulas[int(ref[2]), column_index(ref[1].decode())] = shown
        else:
            marks.unplaced.append(f"the formula {shown}" if shown else "a formula")


# --- ods -----------------------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_SIGNS = (b"table:formula", b"table:visibility", b"-spanned", b'value-type="error"')


def scan_ods(archive: zipfile.ZipFile, sheet: str) -> Marks:
    marks = Marks()
    if not _ods_has_signs(archive):
        return marks
    with archive.open("content.xml") as stream:
        inside, row, column = False, 0, 0
        for event, element in ET.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if tag == f"{_TABLE}table":
                if event == "start":
                    inside, row, column = element.get(f"{_TABLE}name") == sheet, 0, 0
                elif inside:
                    return marks
                continue
            if inside and event == "end" and tag == f"{_TABLE}table-column":
                repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                if element.get(f"{_TABLE}visibility", "visible") != "visible":
                    marks.hidden_columns.append(range(column, column + repeat))
                column += repeat
            if event != "end" or tag != f"{_TABLE}table-row":
                continue
            if inside:
                repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                if element.get(f"{_TABLE}visibility", "visible") != "visible":
                    marks.hidden.append(range(row + 1, row + 1 + repeat))
                _ods_cells(element, row, marks)
                row += repeat
            element.clear()  # a row at a time: memory stays bounded
    return marks


def _ods_has_signs(archive: zipfile.ZipFile) -> bool:
    with archive.open("content.xml") as stream:
        tail = b""
        while chunk := stream.read(CHUNK):
            window = tail + chunk  # a sign cut by a chunk's end is whole in the next window
            if any(sign in window for sign in _ODS_SIGNS):
                return True
            tail = window[-32:]
    return False


def _ods_cells(row_element: ET.Element, row: int, marks: Marks) -> None:
    column = 0
    for cell in row_element:
        repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
        if formula := cell.get(f"{_TABLE}formula"):
            marks.formulas[row + 1, column] = formula.removeprefix("of:")
        if cell.get(f"{_OFFICE}value-type") == "error":
            marks.errors[row + 1, column] = ""  # its text is the formula's result, not marked
        rows = int(cell.get(f"{_TABLE}number-rows-spanned", "1"))
        columns = int(cell.get(f"{_TABLE}number-columns-spanned", "1"))
        if rows > 1 or columns > 1:
            marks.merged.append(((row, column), (row + rows - 1, column + columns - 1)))
        column += repeat


def scan(path: str, sheet: str) -> Marks:
    """The marks of ``sheet`` of the workbook at ``path`` (.xlsx or .ods)."""
    with zipfile.ZipFile(path) as archive:
        if "content.xml" in archive.namelist():
            return scan_ods(archive, sheet)
        return scan_xlsx(archive, sheet)
