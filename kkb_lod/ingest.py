"""Registry folder → typed, checked records. No RDF here.

Each CSV file has a declared set of columns and a parser per column; every cell is parsed and every
record keeps its file and row number, so a problem is reported as *file, row, column, value* — all
problems of a folder at once, because a person fixing a spreadsheet wants the whole list. The
record types are in :mod:`kkb_lod.rows`; the cross-table checks against the official region list
live in :mod:`kkb_lod.checks`.

Sizes are bounded (:class:`Limits`) before anything is parsed, so a huge or runaway file (an
export gone wrong, a wrong file dropped in the folder) is refused with its row instead of being
read into memory and built.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from kkb_lod import reference
from kkb_lod.cells import (
    CellError,
    ascii_digits,
    classification,
    full_date,
    poktan,
    registry_id,
    yes_no,
)
from kkb_lod.iris import CODE_RE, SLUG_RE
from kkb_lod.rows import (
    ActivityRow,
    CrosswalkRow,
    IndicatorRow,
    KkbRow,
    KkbYearRow,
    ObjectiveRow,
    ObservationRow,
    OrganisationRow,
    PostRow,
    ProgrammeRow,
    Record,
    SourceRow,
    StatementRow,
    UnitRow,
)

if TYPE_CHECKING:
    from kkb_lod.resolve import Resolution

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Limits:
    """The most a registry file may hold. Why these numbers: a regency's registry has tens of
    rows and the whole country's official region list well under 100,000 units (a few MB), so
    the limits leave ample room for real data while keeping a build's memory bounded (each row
    becomes tens of triples, held in memory by the mapping and SHACL stages)."""

    file_bytes: int = 32 * 2**20  # per file, CSV tables and source texts alike
    rows: int = 200_000  # data rows per table
    cell_chars: int = 5_000  # per cell; the longest bundled cell (a verbatim quotation) is ~300


LIMITS = Limits()
#: The indicator observations are the one table that grows with area × indicator × year: a
#: national registry has one row per village (83,762), indicator and year, i.e. millions of rows
#: (the 1e7-triple synthetic registry: 1.1 million rows, 76 MB). Still bounded, so a runaway
#: export is refused with its row instead of filling the memory.
OBSERVATION_LIMITS = Limits(file_bytes=2 * 2**30, rows=20_000_000)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    sheet: str | None = None  # the sheet of a workbook (.xlsx, .ods); None for a CSV file

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f'sheet "{self.sheet}"' if self.sheet.isprintable() else f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:  # a header cell may be anything: never print raw control characters
            where.append(f"column {self.column if self.column.isprintable() else repr(self.column)}")
        shown = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{', '.join(where)}: {self.message}{shown}"


class InputError(Exception):
    """The registry folder cannot be built; ``problems`` says everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- cell parsers ------------------------------------------------------------------------------

#: What a spreadsheet takes for the start of a formula (OWASP, "CSV injection"). Free text (names,
#: labels, notes, paths, each quotation) may not begin with one; numbers, codes, ids and dates have
#: parsers of their own (a negative number is data, not a formula).
FORMULA_STARTS = "=+-@\t\r"
#: Columns whose text may run over several lines (a note, a quotation); everywhere else a line break
#: is refused like every other control character.
MULTILINE_COLUMNS = frozenset({"note", "source_excerpt"})
#: Control characters (C0, DEL, C1) but tab, and the two non-characters XML 1.0 forbids: none of
#: them is text, and one published would make RDF/XML, SPARQL XML results and pages ill-formed.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
CONTROL_RE = re.compile(f"[{_CONTROL}\n\r]")
MULTILINE_CONTROL_RE = re.compile(f"[{_CONTROL}]")


def unsafe_character(cell: str, column: str) -> str | None:
    """Why ``cell`` may not be in ``column`` (a control character), or None."""
    found = (MULTILINE_CONTROL_RE if column in MULTILINE_COLUMNS else CONTROL_RE).search(cell)
    if found is None:
        return None
    where = (
        ""
        if column in MULTILINE_COLUMNS or found[0] not in "\n\r"
        else ("; only the columns " + ", ".join(sorted(MULTILINE_COLUMNS)) + " may hold line breaks")
    )
    return (
        f"holds the control character U+{ord(found[0]):04X} at character {found.start() + 1}"
        f"{where}; control characters are not text"
    )


def text(value: str) -> str:
    if not value:
        raise CellError("is required")
    return free_text(value)


def free_text(value: str) -> str:
    """``value`` unless it starts like a spreadsheet formula."""
    if value[:1] and value[0] in FORMULA_STARTS:
        raise CellError("starts with a formula character (=, +, -, @); spreadsheet formulas are not data")
    return value


def optional(parser: Parser) -> Parser:
    def parse(value: str) -> Any:
        return parser(value) if value else None

    return parse


def code(value: str) -> str:
    if not CODE_RE.match(ascii_digits(value)):
        raise CellError("is not a Kemendagri code like 62.04.06.2020")
    return value


def code_or_empty(value: str) -> str:
    """A code, or "" where a row names its place but leaves the code to be resolved from the name
    (:mod:`kkb_lod.resolve`)."""
    return code(value) if value else ""


def slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise CellError("is not an identifier of lower-case letters, digits and '-'")
    return value


def slugs(value: str) -> tuple[str, ...]:
    return tuple(slug(v.strip()) for v in value.split(";")) if value else ()


def excerpts(value: str) -> tuple[str, ...]:
    """Quotations separated by `` | ``; each is free text (checked against its source later)."""
    return tuple(free_text(v.strip()) for v in value.split(" | ") if v.strip())


def year(value: str) -> int:
    if not re.fullmatch(r"(19|20)[0-9][0-9]", ascii_digits(value)):
        raise CellError("is not a year like 2021")
    return int(value)


def date(value: str) -> dt.date | int:
    """A full ISO date (2021-03-17) or, where a source gives only the year, a year (2021)."""
    if re.fullmatch(r"[0-9]{4}", ascii_digits(value)):
        return year(value)
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else _bad()
    except ValueError:
        raise CellError("is not a date as YYYY-MM-DD (or a year as YYYY)") from None


def _bad() -> dt.date:
    raise ValueError


def count(value: str) -> int:
    """A whole number of at most nine digits (a count of villages or kecamatan)."""
    if not re.fullmatch(r"[0-9]{1,9}", ascii_digits(value)):
        raise CellError("is not a whole number (at most nine digits 0-9)")
    return int(value)


def decimal(value: str) -> str:
    if not re.fullmatch(r"-?[0-9]{1,3}\.[0-9]+", ascii_digits(value)):
        raise CellError("is not a decimal number like -1.598742")
    return value


#: Kinds of source document whose text can be searched for the quotations citing it (UTF-8 text).
DOCUMENT_KINDS = (".txt", ".csv")


def document(value: str) -> str:
    """A source's file: relative to the registry folder, inside it, of a kind we can check.

    Only the path is checked here; :func:`read_registry` also follows symbolic links before it
    reads anything."""
    path = PurePosixPath(free_text(value))
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise CellError("must name a file inside the registry folder, relative to it (not absolute, no '..')")
    if path.suffix not in DOCUMENT_KINDS:
        raise CellError(
            f"is a kind of document whose quotations cannot be checked; give the "
            f"source's text as {' or '.join(DOCUMENT_KINDS)} (UTF-8)"
        )
    return value


def or_default(parser: Parser, default: Any) -> Parser:
    """``parser``, with ``default`` for an empty cell (a column that may be left empty or out)."""

    def parse(value: str) -> Any:
        return parser(value) if value else default

    return parse


def one_of(*allowed: str) -> Parser:
    def parse(value: str) -> str:
        if value not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


def number(value: str) -> str:
    if not re.fullmatch(r"-?[0-9]{1,15}(\.[0-9]{1,15})?", ascii_digits(value)):
        raise CellError("is not a number like 12 or 41.75")
    return value


VILLAGE_KINDS = ("desa", "kelurahan", "desa_adat")
#: The programme of a KKB row that names none (``programme`` empty or left out).
DEFAULT_PROGRAMME = "kampung-keluarga-berkualitas"

#: Every table of the registry folder: path, record type and a parser per column, in file order.
TABLES: dict[str, tuple[str, type[Record], dict[str, Parser]]] = {
    "units": (
        "regions/units.csv",
        UnitRow,
        {
            "code": code,
            "name": text,
            "level": one_of("province", "regency", "district", "village"),
            "parent_code": optional(code),
            "kind": optional(one_of("kabupaten", "kota", *VILLAGE_KINDS)),
            "latitude": optional(decimal),
            "longitude": optional(decimal),
            "postal_code": optional(lambda v: v if re.fullmatch(r"[0-9]{5}", v) else _fail("5 digits")),
        },
    ),
    "crosswalk": (
        "regions/bps_crosswalk.csv",
        CrosswalkRow,
        {
            "bps_code": lambda v: (
                v
                if re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{7}|[0-9]{10}", v)
                else _fail("a BPS code of 2, 4, 7 or 10 digits")
            ),
            "bps_name": text,
            "kemendagri_code": optional(code),
            "kemendagri_name_2025": optional(text),
        },
    ),
    "kkb": (
        "registry/kkb.csv",
        KkbRow,
        {
            "village_code": code_or_empty,
            "village_name": text,
            "district_code": code_or_empty,
            "district_name": text,
            "programme": or_default(slug, DEFAULT_PROGRAMME),
            "status": or_default(one_of("designated"), "designated"),
            "designation_date": optional(date),
            "designated_by": optional(slug),
            "source": optional(slug),
            "source_village_name": optional(text),
            "source_village_kind": optional(one_of(*VILLAGE_KINDS)),
            "source_district_name": optional(text),
            "source_excerpt": excerpts,
            "registry_id": optional(registry_id),
            "kampung_name": optional(text),
            "sub_village": optional(text),
            "inauguration_date": optional(full_date),
            "inaugurated_by": optional(text),
            "pokja_decree_number": optional(text),
            "pokja_decree_date": optional(full_date),
        },
    ),
    "activities": (
        "registry/activities.csv",
        ActivityRow,
        {
            "activity_id": slug,
            "scope_code": code,
            "year": year,
            "status": one_of("completed", "planned"),
            "organiser": slug,
            "partners": slugs,
            "partner_description": optional(text),
            "functions": slugs,
            "source": slug,
            "source_excerpt": excerpts,
        },
    ),
    "organisations": (
        "registry/organisations.csv",
        OrganisationRow,
        {
            "org_id": slug,
            "name": text,
            "name_en": optional(text),
            "acronym": optional(text),
            "kind": one_of("government", "agency", "unit", "publisher"),
            "parent_org": optional(slug),
            "jurisdiction_code": optional(code),
            "source": optional(slug),
            "source_excerpt": excerpts,
        },
    ),
    "posts": (
        "registry/posts.csv",
        PostRow,
        {
            "post_id": slug,
            "org_id": slug,
            "title": text,
            "title_en": optional(text),
            "holder_id": optional(slug),
            "holder_name": optional(text),
            "source": slug,
            "source_excerpt": excerpts,
        },
    ),
    "programmes": (
        "registry/programmes.csv",
        ProgrammeRow,
        {
            "programme_id": slug,
            "name": text,
            "name_en": optional(text),
            "supports": optional(slug),
            "source": slug,
            "source_excerpt": excerpts,
        },
    ),
    "objectives": (
        "registry/objectives.csv",
        ObjectiveRow,
        {
            "objective_id": slug,
            "programme_id": slug,
            "text": text,
            "text_en": optional(text),
            "source": slug,
            "source_excerpt": excerpts,
        },
    ),
    "sources": (
        "registry/sources.csv",
        SourceRow,
        {
            "source_id": slug,
            "kind": one_of("news-article", "reference", "registry"),
            "label": text,
            "label_en": optional(text),
            "publisher": optional(slug),
            "place": optional(text),
            "place_code": optional(code),
            "language": lambda v: v if re.fullmatch(r"[a-z]{2,3}", v) else _fail("a language code"),
            "document": optional(document),
            "stated_kkb_count": optional(count),
            "stated_district_count": optional(count),
            "stated_village_kind": optional(one_of(*VILLAGE_KINDS)),
            "note": optional(text),
        },
    ),
}


#: Columns of a table that a file may leave out (its cells are then read as empty, so each
#: column's parser gives its default). The other columns must be in the header. Only the kkb and
#: kkb_years tables have such columns (issue #16: old kkb.csv files keep working unchanged).
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "kkb": frozenset(
        {
            "programme",
            "status",
            "designation_date",
            "designated_by",
            "source",
            "source_village_name",
            "source_village_kind",
            "source_district_name",
            "source_excerpt",
            "registry_id",
            "kampung_name",
            "sub_village",
            "inauguration_date",
            "inaugurated_by",
            "pokja_decree_number",
            "pokja_decree_date",
        }
    ),
    "kkb_years": frozenset(
        {"registry_id", "village_code", "classification", "poktan", "rumah_dataku", "source", "note"}
    ),
}

#: Tables a registry folder may leave out (the yearly indicators, as an RDF Data Cube; the yearly
#: records of each KKB; who stated which passage of a source).
OPTIONAL_TABLES: dict[str, tuple[str, type[Record], dict[str, Parser]]] = {
    "kkb_years": (
        "registry/kkb_years.csv",
        KkbYearRow,
        {
            "registry_id": optional(registry_id),
            "village_code": optional(code),
            "year": year,
            "classification": optional(classification),
            "poktan": poktan,
            "rumah_dataku": yes_no,
            "source": optional(slug),
            "note": optional(text),
        },
    ),
    "indicators": (
        "registry/indicators.csv",
        IndicatorRow,
        {
            "indicator_id": slug,
            "label": text,
            "label_en": optional(text),
            "source": slug,
        },
    ),
    "observations": (
        "registry/observations.csv",
        ObservationRow,
        {
            "indicator": slug,
            "area_code": code,
            "year": year,
            "value": number,
            "source": slug,
        },
    ),
    "statements": (
        "registry/statements.csv",
        StatementRow,
        {
            "statement_id": slug,
            "source": slug,
            "source_excerpt": excerpts,
            "stated_by": slug,
            "on_behalf_of": optional(slug),
            "note": optional(text),
        },
    ),
}


def _fail(expected: str) -> Any:
    raise CellError(f"is not {expected}")


@dataclass(frozen=True)
class Registry:
    """Everything read from one registry folder, plus the text of its source documents."""

    units: tuple[UnitRow, ...]
    crosswalk: tuple[CrosswalkRow, ...]
    kkb: tuple[KkbRow, ...]
    activities: tuple[ActivityRow, ...]
    organisations: tuple[OrganisationRow, ...]
    posts: tuple[PostRow, ...]
    programmes: tuple[ProgrammeRow, ...]
    objectives: tuple[ObjectiveRow, ...]
    sources: tuple[SourceRow, ...]
    texts: dict[str, str]
    indicators: tuple[IndicatorRow, ...] = ()
    observations: tuple[ObservationRow, ...] = ()
    kkb_years: tuple[KkbYearRow, ...] = ()
    #: Passages of the sources attributed to who stated them (:mod:`kkb_lod.attribution`).
    statements: tuple[StatementRow, ...] = ()
    #: Rows of kkb.csv whose codes were resolved from their names (:mod:`kkb_lod.resolve`).
    resolutions: tuple[Resolution, ...] = ()


def read_registry(folder: Path, limits: Limits = LIMITS, area: tuple[str, ...] = ()) -> Registry:
    """Read and parse every table of ``folder``; raise InputError listing all problems. ``area``
    (the setting's codes) adds its units to the bundled reference (:func:`bundled_reference`).

    A registry table is ``registry/<stem>.csv``, ``.xlsx`` or ``.ods``, or a sheet named after it
    in another workbook there; only ``kkb`` is required (:func:`kkb_lod.tables.read_tables`)."""
    from kkb_lod.tables import read_tables

    tables, problems = read_tables(folder, limits)
    # codes from names first: the bundled reference covers the codes the rows end up with
    resolutions: tuple[Resolution, ...] = ()
    if not problems:
        from kkb_lod.resolve import resolve_rows  # the matcher is loaded only when a row needs it

        tables["kkb"], resolutions = resolve_rows(tables["kkb"])  # type: ignore[arg-type]
    bundled = bundled_reference(tables, area)
    tables.update(bundled)
    texts: dict[str, str] = {}
    for src in tables["sources"]:
        assert isinstance(src, SourceRow)
        if src.document in bundled_documents(bundled):
            texts[src.source_id] = bundled_documents(bundled)[src.document]
        elif src.document:
            found_text = read_document(folder, src, limits)
            if isinstance(found_text, Problem):
                problems.append(found_text)
            else:
                texts[src.source_id] = found_text
    if problems:
        raise InputError(problems)
    return Registry(texts=texts, resolutions=resolutions, **tables)  # type: ignore[arg-type]


#: The tables of the official reference. A registry folder without them gets the package's own
#: (:mod:`kkb_lod.reference`, the whole country), restricted to the units the registry covers.
REFERENCE_TABLES = ("units", "crosswalk")


def named_codes(tables: dict[str, tuple[Record, ...]]) -> set[str]:
    """Every region code the registry's tables name: KKB villages and kecamatan, activity scopes,
    observation areas, source places and organisations' areas."""
    columns = {
        "kkb": ("village_code", "district_code"),
        "activities": ("scope_code",),
        "observations": ("area_code",),
        "sources": ("place_code",),
        "organisations": ("jurisdiction_code",),
    }
    return {
        code
        for table, names in columns.items()
        for record in tables.get(table, ())
        for column in names
        if (code := getattr(record, column))
    }


def bundled_reference(
    tables: dict[str, tuple[Record, ...]], area: tuple[str, ...] = ()
) -> dict[str, tuple[Record, ...]]:
    """The reference tables the folder leaves out, from the package: the official units covering
    what the registry names (:func:`kkb_lod.reference.covers`: each regency whole, with its
    province) and its ``area`` (:func:`kkb_lod.reference.area_covers`: also each province whole,
    or the country), and the crosswalk rows onto them. A folder with its own
    ``regions/units.csv`` publishes that list: ``area`` does not widen it."""
    found: dict[str, tuple[Record, ...]] = {}
    if "units" not in tables:
        found["units"] = reference.covered_units(named_codes(tables), area)
    if "crosswalk" not in tables:
        units = found.get("units", tables.get("units", ()))
        found["crosswalk"] = reference.crosswalk_for({u.code for u in units})  # type: ignore[attr-defined]
    return found


def bundled_documents(bundled: dict[str, tuple[Record, ...]]) -> dict[str, str]:
    """The text of each bundled table, under the path of the file it stands in for: a source whose
    ``document`` names ``regions/units.csv`` describes the official list wherever it comes from."""
    if not bundled:
        return {}
    from kkb_lod import reference

    files = {"units": reference.UNITS_FILE, "crosswalk": reference.CROSSWALK_FILE}
    return {TABLES[name][0]: reference.text(files[name]) for name in bundled}


def read_document(folder: Path, source: SourceRow, limits: Limits = LIMITS) -> str | Problem:
    """The text of ``source``'s document, or the problem that keeps it from being read.

    Its path was checked by :func:`document`; here symbolic links are followed first, and a
    document that leads outside ``folder`` is refused without being opened."""
    assert source.document

    def problem(message: str) -> Problem:
        return Problem(source.file, source.row, "document", source.document, message)

    try:
        path = (folder / source.document).resolve()
        inside = path.is_relative_to(folder.resolve())
    except (OSError, RuntimeError) as err:  # RuntimeError: a loop of symbolic links
        return problem(f"cannot be followed ({err})")
    if not inside:
        return problem(
            "leads outside the registry folder (through a symbolic link); only files inside it are read"
        )
    if not path.is_file():
        return problem("no such file")
    if (size := path.stat().st_size) > limits.file_bytes:
        return problem(
            f"is {size:,} bytes, more than a source document may have "
            f"({limits.file_bytes:,}); is it the right file? Nothing was read"
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return problem(
            f"{_not_utf8(raw, err)} on line {line}; save the document as UTF-8 so its "
            "quotations can be checked"
        )


def _not_utf8(raw: bytes, err: UnicodeDecodeError) -> str:
    """What a file that does not decode as UTF-8 is, as far as its first bytes tell."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8"
    return f"is not UTF-8 (byte 0x{raw[err.start]:02x})"


def read_table(
    path: Path,
    shown: str,
    record_type: Callable[..., Any],
    parsers: dict[str, Parser],
    limits: Limits = LIMITS,
    empty_ok: bool = False,
    sheet: str | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> tuple[tuple[Record, ...], list[Problem]]:
    """Parse one table: a CSV file, or the sheet ``sheet`` of an .xlsx/.ods workbook
    (:mod:`kkb_lod.sheets`). The header names ``parsers``' columns, by their canonical names or,
    given ``aliases``, by any of theirs (:mod:`kkb_lod.headers`); a column whose empty cell is
    accepted may be left out. A CSV file is UTF-8 without BOM, with no blank rows; no cell holds
    control characters; sizes are within ``limits``; at least one row unless ``empty_ok``. Rows
    are numbered as a spreadsheet shows them (header = row 1), whatever line breaks cells hold."""
    if path.suffix.lower() in (".xlsx", ".ods"):
        from kkb_lod.sheets import read_sheet

        records, problems = read_sheet(path, shown, sheet, record_type, parsers, limits, aliases)
    else:
        records, problems = _read_csv(path, shown, record_type, parsers, limits, aliases)
    if not records and not problems and not empty_ok:
        problems.append(Problem(shown, None, None, None, "has a header but no rows", sheet))
    return tuple(records), problems


def _read_csv(
    path: Path,
    shown: str,
    record_type: Callable[..., Any],
    parsers: dict[str, Parser],
    limits: Limits,
    aliases: dict[str, tuple[str, ...]] | None,
) -> tuple[list[Record], list[Problem]]:
    from kkb_lod.tables import match_header, parse_rows

    if not path.is_file():
        return [], [Problem(shown, None, None, None, "file is missing")]
    big = too_big(path, shown, limits)
    if big is not None:
        return [], [big]
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return [], [
            Problem(shown, 1, None, None, "starts with a byte-order mark (BOM); save as UTF-8 without BOM")
        ]
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return [], [
            Problem(
                shown,
                spreadsheet_row(raw[: err.start].decode("utf-8")),
                None,
                None,
                f"{_not_utf8(raw, err)}; save as UTF-8",
            )
        ]
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        cells = next(reader)
    except StopIteration:
        return [], [Problem(shown, None, None, None, "is empty; expected a header row")]
    except csv.Error as err:
        return [], [Problem(shown, 1, None, None, f"is not valid CSV: {err}")]
    header, problems = match_header(shown, None, 1, cells, parsers, aliases)
    if problems:
        return [], problems
    # Cells are searched for control characters only where there can be one: anywhere when the
    # file holds one (a line break aside), else in the rows that span lines (a quoted line break).
    scan_every_row = MULTILINE_CONTROL_RE.search(content) is not None
    return parse_rows(
        shown,
        None,
        header,
        _csv_rows(reader, len(cells), shown, scan_every_row),
        record_type,
        parsers,
        limits,
    )


def _csv_rows(
    reader: Any, width: int, shown: str, scan_every_row: bool
) -> Iterator[tuple[int, list[str], bool] | Problem]:
    """The data rows of a CSV file, numbered as a spreadsheet shows them (the header is row 1)."""
    row, last_line = 1, reader.line_num
    try:
        for cells in reader:
            row += 1
            scan, last_line = scan_every_row or reader.line_num - last_line > 1, reader.line_num
            if len(cells) != width:
                yield Problem(shown, row, None, None, f"has {len(cells)} fields, the header has {width}")
            else:
                yield row, cells, scan
    except csv.Error as err:  # in the record after the last one read
        yield Problem(shown, row + 1, None, None, f"is not valid CSV: {err}")


def spreadsheet_row(text: str) -> int:
    """The row, as a spreadsheet counts them (the header is row 1, a quoted line break does not
    start a row), in which CSV ``text`` ends."""
    return sum(1 for _ in csv.reader(io.StringIO(text + "x", newline="")))


def too_big(path: Path, shown: str, limits: Limits = LIMITS) -> Problem | None:
    """A problem if ``path`` is larger than ``limits.file_bytes``, located at the row where the
    limit is passed (only that much of the file is read)."""
    size = path.stat().st_size
    if size <= limits.file_bytes:
        return None
    with path.open("rb") as file:
        row = spreadsheet_row(file.read(limits.file_bytes).decode("utf-8", errors="ignore"))
    return Problem(
        shown,
        row,
        None,
        None,
        f"is {size:,} bytes, more than a registry file may have ({limits.file_bytes:,}; "
        f"passed at this row); is it the right file? Nothing was read",
    )
