"""Registry tables kept in spreadsheets (.xlsx, .ods), read as kept, through python-calamine.

A table is a file of its own (``registry/kkb.csv``, ``registry/kkb.xlsx``, ``registry/kkb.ods``)
or a sheet of any other workbook in ``registry/``, named after its table (:data:`SHEETS
<kkb_lod.headers.SHEETS>`). Its rows then go through exactly the rules a CSV file's do
(:mod:`kkb_lod.tables`), after the spreadsheet's own traps are refused, each with what happened
and what to do: a code typed as a number (Excel drops the zero of ``62.10``), a date as a serial
number or as ``17/03/2021``, merged cells, formulas, error cells, hidden rows and sheets, a title
row above the header or a second header row, a blank row between rows of data.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

import python_calamine as calamine

from kkb_lod.headers import SHEETS, fold, lookup
from kkb_lod.ingest import CONTROL_RE, LIMITS, Limits, Parser, Problem
from kkb_lod.rows import Record
from kkb_lod.sheetcells import Flag, cell_text, dated, header_text, is_date
from kkb_lod.sheetscan import Marks, column_letters, scan
from kkb_lod.tables import Header, Row, match_header, parse_rows

WORKBOOKS = (".xlsx", ".ods")
#: Every spreadsheet trap refused, each with a message of its own (documented in data/README.md;
#: tests/cases/sheets/ holds a case of each, in a folder named after it).
TRAPS: dict[str, str] = {
    "code-as-number": "a code typed as a number: the spreadsheet drops its final zero (62.10 is kept "
    "as 62.1); format the column as Text",
    "date-serial": "a number in a date column (a date serial such as 44377, or a count): ambiguous; "
    "the message gives the date the serial stands for, to type as YYYY-MM-DD",
    "date-text": "date text not written YYYY-MM-DD (17/03/2021, 03/04/2021, 17 Maret 2021): the "
    "message gives the ISO form, or both readings when day and month could be swapped",
    "date-and-time": "a date cell with a time of day",
    "date-in-other-column": "a date cell in a column that holds no date (the spreadsheet took what "
    "was typed for a date)",
    "long-number": "a number of more than 15 digits, which a spreadsheet rounds",
    "merged-cells": "merged cells: their value is in the first cell only",
    "formula": "a formula: the cell holds what it computed, not data as typed",
    "error-cell": "an error cell (#N/A, #REF!…), which python-calamine would read as empty",
    "hidden-row": "a hidden row, which would be read unseen",
    "hidden-column": "a hidden column, which would be read unseen",
    "hidden-sheet": "a hidden sheet not named _…",
    "blank-row": "a blank row with rows of data under it (trailing blank rows are ignored)",
    "title-row": "a title (or any row) above the header: the message names the header's row",
    "second-header-row": "a second row of column names under the header",
    "value-without-header": "a value in a column without a header",
    "unknown-sheet": "a sheet named after no table (not starting with _)",
    "table-twice": "a table found in two places (two files, two sheets)",
    "one-table-workbook": "a workbook named after a table with more than one sheet",
    "not-a-workbook": "a file named .xlsx/.ods that is no workbook",
}
#: How many rows under the first one are searched for the header, when the first is not it.
HEADER_SEARCH = 10
#: A workbook unpacks to at most this many times a registry file's size (a zip bomb is refused).
UNPACKED = 16


@dataclass(frozen=True)
class Place:
    """Where a table is: its file, how messages name it, and its sheet (None: a CSV file)."""

    path: Path
    shown: str
    sheet: str | None

    def __str__(self) -> str:
        return self.shown + (f' (sheet "{self.sheet}")' if self.sheet is not None else "")


def find_tables(
    folder: Path, stems: Iterable[str], limits: Limits = LIMITS, limits_of: dict[str, Limits] | None = None
) -> tuple[dict[str, Place], list[Problem]]:
    """Where each of the tables ``stems`` is in ``folder/registry``, and what is wrong with the
    workbooks there: a table in two places, a sheet named after no table, a hidden sheet. A sheet
    whose name starts with ``_`` is never read; nor are files starting with ``.`` or ``~$`` (the
    lock file Excel keeps beside an open workbook). A workbook is bounded by ``limits``, or, when
    named after a table, by that table's own (``limits_of``: the observations may be larger)."""
    stems = list(stems)
    registry = folder / "registry"
    if not registry.is_dir():
        return {}, []
    by_sheet = lookup(stems, SHEETS)
    places: dict[str, Place] = {}
    problems: list[Problem] = []

    def add(stem: str, place: Place) -> None:
        if stem in places:
            problems.append(
                Problem(
                    place.shown,
                    None,
                    None,
                    None,
                    f"holds the table {stem}, which {places[stem]} holds too; keep it in one place",
                    place.sheet,
                )
            )
        else:
            places[stem] = place

    for path in sorted(registry.iterdir()):
        suffix, shown = path.suffix.lower(), f"registry/{path.name}"
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        if suffix == ".csv":
            if path.stem in stems:
                add(path.stem, Place(path, shown, None))
            continue  # another CSV file is no table (it may be a source's document)
        if suffix not in WORKBOOKS:
            continue
        names, trouble = sheet_names(path, shown, (limits_of or {}).get(path.stem, limits))
        problems += trouble
        if path.stem in stems:  # a workbook of one table
            if len(names) == 1:
                add(path.stem, Place(path, shown, names[0]))
            elif not trouble:
                problems.append(
                    Problem(
                        shown,
                        None,
                        None,
                        None,
                        f"holds {len(names)} sheets "
                        f"({', '.join(names) or 'none'}); a workbook named after a "
                        f"table holds that table alone, in one sheet (a sheet "
                        f"whose name starts with _ aside)",
                    )
                )
            continue
        for name in names:
            if (stem := by_sheet.get(fold(name))) is not None:
                add(stem, Place(path, shown, name))
            else:
                known = ", ".join(f'"{n}"' for s in stems for n in SHEETS.get(s, (s,)))
                problems.append(
                    Problem(
                        shown,
                        None,
                        None,
                        None,
                        f"is named after no table; name it "
                        f"after one ({known}), or start its name with _ to have it "
                        f"ignored",
                        name,
                    )
                )
    return places, problems


def open_workbook(path: Path) -> calamine.CalamineWorkbook:
    return calamine.CalamineWorkbook.from_path(str(path))


def sheet_names(path: Path, shown: str, limits: Limits = LIMITS) -> tuple[list[str], list[Problem]]:
    """The sheets of the workbook that are read (not starting with ``_``); a hidden one among
    them, or a workbook that cannot be read, is a problem."""
    problem = unreadable(path, shown, limits)
    if problem is not None:
        return [], [problem]
    try:
        with open_workbook(path) as book:
            sheets = book.sheets_metadata
    except (calamine.CalamineError, OSError, ValueError) as err:
        return [], [_cannot_read(shown, err)]
    names, problems = [], []
    for sheet in sheets:
        if sheet.name.startswith("_"):
            continue
        names.append(sheet.name)
        if sheet.visible != calamine.SheetVisibleEnum.Visible:
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    None,
                    "is a hidden sheet; a hidden sheet "
                    "would be read unseen: unhide it, or start its name with _ to "
                    "have it ignored",
                    sheet.name,
                )
            )
    return names, problems


def unreadable(path: Path, shown: str, limits: Limits = LIMITS) -> Problem | None:
    """Why the workbook at ``path`` is not read at all (too big, packed or unpacked; no zip), or
    None. Only the zip's directory is read here: python-calamine opens the workbook once, later."""
    if (size := path.stat().st_size) > limits.file_bytes:
        return Problem(
            shown,
            None,
            None,
            None,
            f"is {size:,} bytes, more than a registry file may "
            f"have ({limits.file_bytes:,}); is it the right file? Nothing was read",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        return _cannot_read(shown, err)
    if unpacked > UNPACKED * limits.file_bytes:
        return Problem(
            shown,
            None,
            None,
            None,
            f"unpacks to {unpacked:,} bytes, more than a "
            f"registry file may ({UNPACKED * limits.file_bytes:,}); nothing was read",
        )
    return None


def read_sheet(
    path: Path,
    shown: str,
    sheet: str | None,
    record_type: Callable[..., Any],
    parsers: dict[str, Parser],
    limits: Limits = LIMITS,
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> tuple[list[Record], list[Problem]]:
    """Parse the table in ``sheet`` of the workbook at ``path`` (its one sheet read, if None): the
    first row that is not blank is the header, the rows under it data, numbered as the
    spreadsheet shows them."""
    if (problem := unreadable(path, shown, limits)) is not None:
        return [], [problem]
    if sheet is None:
        names, problems = sheet_names(path, shown, limits)
        if problems or len(names) != 1:
            return [], problems or [
                Problem(
                    shown,
                    None,
                    None,
                    None,
                    f"holds {len(names)} sheets; a workbook of one table holds it in one sheet",
                )
            ]
        sheet = names[0]
    try:
        return _read_sheet(path, shown, sheet, record_type, parsers, limits, aliases)
    except (
        calamine.CalamineError,
        zipfile.BadZipFile,
        ET.ParseError,
        KeyError,
        OSError,
        ValueError,
    ) as err:  # a workbook broken inside: its sheet, or the XML scanned
        return [], [
            Problem(
                shown,
                None,
                None,
                None,
                f"cannot be read ({type(err).__name__}: {err}); open it and save it again as .xlsx or .ods",
                sheet,
            )
        ]


def _read_sheet(
    path: Path,
    shown: str,
    sheet: str,
    record_type: Callable[..., Any],
    parsers: dict[str, Parser],
    limits: Limits,
    aliases: dict[str, tuple[str, ...]] | None,
) -> tuple[list[Record], list[Problem]]:
    with open_workbook(path) as book:
        try:
            data = book.get_sheet_by_name(sheet)
        except calamine.WorksheetNotFound:
            return [], [Problem(shown, None, None, None, "has no such sheet", sheet)]
        if data.start is None:
            return [], [Problem(shown, None, None, None, "is empty; expected a header row", sheet)]
        left = data.start[1]
        # iter_rows gives every row from the first (A1's), cut to the used columns
        rows: Iterator[tuple[int, list[Any]]] = enumerate(data.iter_rows(), start=1)
        marks = scan(str(path), sheet)
        merged = data.merged_cell_ranges or marks.merged
        end = data.end[0] + 1 if data.end else 0
        return _read_rows(shown, sheet, rows, left, end, marks, merged, record_type, parsers, limits, aliases)


def _read_rows(
    shown: str,
    sheet: str,
    rows: Iterator[tuple[int, list[Any]]],
    left: int,
    end: int,
    marks: Marks,
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    record_type: Callable[..., Any],
    parsers: dict[str, Parser],
    limits: Limits,
    aliases: dict[str, tuple[str, ...]] | None,
) -> tuple[list[Record], list[Problem]]:
    known = lookup(parsers, aliases) if aliases is not None else {name: name for name in parsers}
    first = next(((n, cells) for n, cells in rows if not blank(cells)), None)
    if first is None:
        return [], [Problem(shown, None, None, None, "is empty; expected a header row", sheet)]
    ahead = list(islice(rows, HEADER_SEARCH))
    number, cells = first
    texts = [header_text(cell) for cell in cells]
    problems: list[Problem] = []
    score = _score(texts, known)
    best = max(
        ((n, _score([header_text(c) for c in row], known)) for n, row in ahead),
        key=lambda found: found[1],
        default=(0, 0),
    )
    if best[1] > score and best[1] >= min(2, len(parsers)):
        rows_above = f"row {number}" if best[0] - 1 == number else f"rows {number}–{best[0] - 1}"
        return [], [
            Problem(
                shown,
                number,
                None,
                None,
                f"is above the header (row {best[0]}, the "
                f"first with the column names); delete {rows_above} "
                f"(a title, or a second row of names): the column names must be the "
                f"first row of the sheet",
                sheet,
            )
        ]
    header, problems = match_header(shown, sheet, number, texts, parsers, aliases)
    for (top, col), (bottom, last) in merged:
        if top + 1 <= number <= bottom + 1:
            problems.append(
                Problem(
                    shown,
                    number,
                    None,
                    None,
                    f"has merged cells "
                    f"({_range(top, col, bottom, last)}); unmerge them: every "
                    f"column has its own header",
                    sheet,
                )
            )
    for hidden in marks.hidden_columns:  # one with a header (a value under none is refused)
        for i in range(max(hidden.start - left, 0), min(hidden.stop - left, len(texts))):
            if texts[i].strip():
                problems.append(
                    Problem(
                        shown,
                        number,
                        texts[i],
                        None,
                        f"is a hidden column "
                        f"({column_letters(left + i)}); a hidden column would be "
                        f"read unseen: unhide it, and delete it if it is no data",
                        sheet,
                    )
                )
    following = next(((n, row) for n, row in ahead if not blank(row)), None)
    if following is not None and score >= 2:
        again = _score([header_text(c) for c in following[1]], known)
        if again * 2 >= score:
            problems.append(
                Problem(
                    shown,
                    following[0],
                    None,
                    None,
                    "is a second row of column names; delete it: a table has one header row",
                    sheet,
                )
            )
    if marks.unplaced:  # a file that numbers no cell: the mark is found, its place is not
        found = ", ".join(dict.fromkeys(marks.unplaced))
        problems.append(
            Problem(
                shown,
                None,
                None,
                None,
                f"holds {found} in cells or rows the file "
                f"gives no position; a registry sheet holds visible data as typed: "
                f"open it, unhide every row, copy the sheet and paste it back as "
                f"values only",
                sheet,
            )
        )
    if problems:
        return [], problems
    flags = _flags(marks, merged, left, number, end)
    spreadsheet_parsers = {c: (dated(p) if is_date(c) else p) for c, p in parsers.items()}
    return parse_rows(
        shown,
        sheet,
        header,
        _data_rows(shown, sheet, header, chain(ahead, rows), left, flags, _hidden(marks, number, end)),
        record_type,
        spreadsheet_parsers,
        limits,
        cell_text,
    )


def _score(texts: Sequence[str], known: dict[str, str]) -> int:
    """How many of ``texts`` name a column of the table."""
    return sum(1 for text in texts if fold(text) in known)


def _range(top: int, col: int, bottom: int, last: int) -> str:
    return f"{column_letters(col)}{top + 1}:{column_letters(last)}{bottom + 1}"


def _hidden(marks: Marks, header: int, end: int) -> dict[int, range]:
    """Hidden rows under the header, up to the last row with data → the run of hidden rows each
    is in (said once)."""
    rows = sorted(
        {row for run in marks.hidden for row in range(max(run.start, header + 1), min(run.stop, end + 1))}
    )
    hidden: dict[int, range] = {}
    start = 0
    for i, row in enumerate(rows):
        if i + 1 == len(rows) or rows[i + 1] != row + 1:
            run = range(rows[start], row + 1)
            hidden.update(dict.fromkeys(run, run))
            start = i + 1
    return hidden


def _flags(
    marks: Marks, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]], left: int, header: int, end: int
) -> dict[tuple[int, int], Flag]:
    """(row, position in the row) → why the cell is refused."""
    flags: dict[tuple[int, int], Flag] = {}
    for (top, col), (bottom, last) in merged:
        said = Flag(
            f"is merged with the cells up to {column_letters(last)}{bottom + 1} "
            f"({_range(top, col, bottom, last)}); unmerge them and give every row its own "
            f"value: a merged cell holds its value in its first cell only",
            "",
        )
        for row in range(max(top + 1, header + 1), min(bottom + 1, end) + 1):
            for column in range(col, last + 1):
                flags[row, column - left] = said
                said = Flag("", "")  # the other cells of the range: refused, said once
    for (row, column), formula in marks.formulas.items():
        flags[row, column - left] = Flag(
            f"is a formula{f' ({formula})' if formula else ''}; a registry cell holds data as "
            f"typed: copy the column and paste it back as values only",
            formula,
        )
    for (row, column), error in marks.errors.items():
        flags[row, column - left] = Flag(
            f"is {f'the error {error}' if error else 'an error cell'}, the result of a formula gone "
            f"wrong; type the value itself",
            error,
        )
    return flags


def blank(cells: Sequence[Any]) -> bool:
    """Whether no cell of a row holds anything (spaces are nothing)."""
    for cell in cells:  # a loop: most rows end at their first cell
        if type(cell) is not str or cell.strip():
            return False
    return True


def _data_rows(
    shown: str,
    sheet: str,
    header: Header,
    rows: Iterable[tuple[int, list[Any]]],
    left: int,
    flags: dict[tuple[int, int], Flag],
    hidden: dict[int, range],
) -> Iterator[Row]:
    """The rows under the header, as :func:`kkb_lod.tables.parse_rows` reads them: a blank row is
    refused where rows of data follow it (trailing blank rows carry nothing and are ignored);
    a hidden row is refused; a value under no header is refused."""
    unread = [i for i, column in enumerate(header.columns) if column is None]
    blank_from: int | None = None
    seen_hidden: set[range] = set()
    for number, cells in rows:
        if flags:
            cells = [flags.get((number, i), cell) for i, cell in enumerate(cells)]
        if blank(cells):
            blank_from = blank_from or number
            continue
        if blank_from is not None:
            yield Problem(
                shown,
                blank_from,
                None,
                None,
                "is blank, between rows of data; delete "
                "it (rows under a blank row are often totals or notes, which are no "
                "data: delete those too)",
                sheet,
            )
            blank_from = None
        if number in hidden:
            if (run := hidden[number]) not in seen_hidden:
                seen_hidden.add(run)
                rows_said = f" (rows {run.start}–{run.stop - 1} are)" if len(run) > 1 else ""
                yield Problem(
                    shown,
                    number,
                    None,
                    None,
                    f"is hidden{rows_said}; a hidden row would "
                    f"be read unseen: unhide the rows, and delete those that are no "
                    f"data",
                    sheet,
                )
            continue
        for i in unread:
            if not blank(cells[i : i + 1]):
                yield Problem(
                    shown,
                    number,
                    None,
                    str(cells[i]),
                    f"has a value in column "
                    f"{column_letters(left + i)}, which has no header; name the column "
                    f"or delete the value",
                    sheet,
                )
        # control characters are searched for cell by cell only in a row that holds one
        yield number, cells, CONTROL_RE.search("".join(c for c in cells if type(c) is str)) is not None


def _cannot_read(shown: str, err: Exception) -> Problem:
    return Problem(
        shown,
        None,
        None,
        None,
        f"cannot be read as a workbook ({err}); save it again as .xlsx (Excel) or .ods (LibreOffice)",
    )
