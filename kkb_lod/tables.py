"""A table's header and rows → records, the same for a CSV file and a spreadsheet's sheet; and
the tables of a registry folder, wherever each is kept.

The readers (:func:`kkb_lod.ingest.read_table` for CSV, :mod:`kkb_lod.sheets` for .xlsx/.ods)
give the header as written and the rows with their numbers as a spreadsheet shows them; here the
header is matched to the table's columns (:mod:`kkb_lod.headers`) and every cell is checked and
parsed by its column's parser, so that both kinds of file obey exactly the same rules and every
problem names the file, the sheet, the row and the column header as written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkb_lod import ingest
from kkb_lod.headers import HEADERS, fold, lookup
from kkb_lod.ingest import LIMITS, CellError, Limits, Parser, Problem, unsafe_character
from kkb_lod.rows import Record

#: A row as a reader gives it: its number, its cells (text, or a spreadsheet's typed values) and
#: whether its cells must be searched for control characters; or a problem found while reading.
Row = tuple[int, Sequence[Any], bool] | Problem
#: Text of a typed spreadsheet cell for a column (:func:`kkb_lod.sheets.cell_text`).
Convert = Callable[[Any, str], str]


@dataclass(frozen=True)
class Header:
    """Which column each position holds (None: not read), and each column's header as written."""

    columns: tuple[str | None, ...]
    written: dict[str, str]


def empty_value(parser: Parser) -> tuple[bool, Any]:
    """(True, what an empty cell means) if ``parser`` accepts an empty cell, else (False, None).
    A column whose empty cell is accepted (``optional(...)``, or a parser with a default) may be
    left out of a file: every row then has it empty."""
    try:
        return True, parser("")
    except CellError:
        return False, None


def match_header(
    shown: str,
    sheet: str | None,
    row: int,
    cells: Sequence[str],
    parsers: dict[str, Parser],
    aliases: dict[str, tuple[str, ...]] | None,
) -> tuple[Header, list[Problem]]:
    """The columns ``cells`` name: canonical names or, given ``aliases``, any of their names
    (:mod:`kkb_lod.headers`). Unknown, doubled and missing required columns are problems. A
    sheet's empty header cell is no problem by itself: its column is not read (a value under it
    is, :func:`parse_rows`)."""
    known = lookup(parsers, aliases) if aliases is not None else {name: name for name in parsers}
    problems: list[Problem] = []
    columns: list[str | None] = []
    written: dict[str, str] = {}
    for cell in cells:
        name = known.get(fold(cell) if aliases is not None else cell)
        if name is None:
            columns.append(None)
            if sheet is None or cell.strip():
                problems.append(
                    Problem(
                        shown,
                        row,
                        cell,
                        None,
                        f"is not a known column (expected: {', '.join(parsers)})",
                        sheet,
                    )
                )
        elif name in written:
            columns.append(None)
            problems.append(
                Problem(
                    shown,
                    row,
                    None,
                    None,
                    f"has a column name twice ({written[name]!r} and {cell!r} both name the column {name})",
                    sheet,
                )
            )
        else:
            columns.append(name)
            written[name] = cell
    for column, parser in parsers.items():
        if column not in written and not empty_value(parser)[0]:
            problems.append(Problem(shown, row, column, None, "column is missing", sheet))
    return Header(tuple(columns), written), problems


def parse_rows(
    shown: str,
    sheet: str | None,
    header: Header,
    rows: Iterable[Row],
    record_type: Callable[..., Any],
    parsers: dict[str, Parser],
    limits: Limits = LIMITS,
    convert: Convert | None = None,
) -> tuple[list[Record], list[Problem]]:
    """Parse every row under ``header``: each cell within ``limits``, free of control characters
    where the reader says there may be one, and accepted by its column's parser; columns the file
    leaves out get their empty value. A typed cell is made text by ``convert`` first."""
    defaults = {
        column: empty_value(parser)[1] for column, parser in parsers.items() if column not in header.written
    }
    read = [
        (i, column, parsers[column], header.written[column])
        for i, column in enumerate(header.columns)
        if column is not None
    ]
    where: dict[str, Any] = {}
    if sheet is not None or any(column != name for column, name in header.written.items()):
        where = {"sheet": sheet, "written": header.written}  # a Record's; others keep theirs plain
    records: list[Record] = []
    problems: list[Problem] = []
    data_rows = 0
    for item in rows:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        row, cells, scan = item
        data_rows += 1
        if data_rows > limits.rows:
            problems.append(
                Problem(
                    shown,
                    row,
                    None,
                    None,
                    f"is past the most data rows a registry file may have "
                    f"({limits.rows:,}); nothing after it was read",
                    sheet,
                )
            )
            break
        values = dict(defaults)
        good = True
        for i, column, parse, name in read:
            cell = cells[i]
            try:
                if convert is not None and type(cell) is not str:
                    cell = convert(cell, column)
                if len(cell) > limits.cell_chars:
                    problems.append(
                        Problem(
                            shown,
                            row,
                            name,
                            cell[:40] + "…",
                            f"has {len(cell):,} characters; a cell may have at most {limits.cell_chars:,}",
                            sheet,
                        )
                    )
                    good = False
                    continue
                if scan and (why := unsafe_character(cell, column)):
                    raise CellError(why)
                values[column] = parse(cell.strip())
            except CellError as err:  # one without a message: already said (a merged cell's)
                if str(err):
                    problems.append(Problem(shown, row, name, shown_value(cell), str(err), sheet))
                good = False
        if good:
            records.append(record_type(file=shown, row=row, **where, **values))
    return records, problems


def shown_value(cell: Any) -> str:
    """A cell as a message quotes it: a number as a spreadsheet shows it (44377, not 44377.0)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and not isinstance(cell, bool):
        return f"{cell:.15g}"
    return str(cell)


def read_tables(folder: Path, limits: Limits = LIMITS) -> tuple[dict[str, tuple[Record, ...]], list[Problem]]:
    """Every table of the registry ``folder`` (:data:`~kkb_lod.ingest.TABLES` and
    :data:`~kkb_lod.ingest.OPTIONAL_TABLES`), wherever it is kept (:func:`kkb_lod.sheets.find_tables`),
    and every problem of reading them. A reference table the folder leaves out is left out here
    (the bundled reference stands in); ``kkb`` missing is a problem; any other table left out has
    no rows, as has one with a header only."""
    from kkb_lod.sheets import find_tables  # it builds on this module

    every = {**ingest.TABLES, **ingest.OPTIONAL_TABLES}
    places, problems = find_tables(
        folder,
        [name for name, (path, *_) in every.items() if path.startswith("registry/")],
        limits,
        {"observations": ingest.OBSERVATION_LIMITS},
    )
    tables: dict[str, tuple[Record, ...]] = {}
    for name, (path, record_type, parsers) in every.items():
        if name in ingest.REFERENCE_TABLES:
            if not os.path.lexists(folder / path):
                continue
            rows, found = ingest.read_table(
                folder / path, path, record_type, parsers, limits, empty_ok=True, aliases=HEADERS
            )
        elif name in places:
            rows, found = ingest.read_table(
                places[name].path,
                places[name].shown,
                record_type,
                parsers,
                ingest.OBSERVATION_LIMITS if name == "observations" else limits,
                empty_ok=True,
                sheet=places[name].sheet,
                aliases=HEADERS,
            )
        elif name == "kkb":
            rows, found = (
                (),
                [
                    Problem(
                        path,
                        None,
                        None,
                        None,
                        "file is missing: the registry's KKB "
                        "table is registry/kkb.csv (or .xlsx, .ods), or a sheet "
                        '"Kampung KB" of a workbook in registry/',
                    )
                ],
            )
        else:
            rows, found = (), []
        tables[name] = rows
        problems += found
    return tables, problems
