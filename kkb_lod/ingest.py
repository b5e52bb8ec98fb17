"""Registry folder → typed, checked records. No RDF here.

Each CSV file has a declared set of columns and a parser per column; every cell is parsed and every
record keeps its file and row number, so a problem is reported as *file, row, column, value* — all
problems of a folder at once, because a person fixing a spreadsheet wants the whole list. The
cross-table checks against the official region list live in :mod:`kkb_lod.checks`.

Sizes are bounded (:class:`Limits`) before anything is parsed, so a huge or runaway file (an
export gone wrong, a wrong file dropped in the folder) is refused with its row instead of being
read into memory and built.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkb_lod.iris import CODE_RE, SLUG_RE

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

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        shown = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{', '.join(where)}: {self.message}{shown}"


class InputError(Exception):
    """The registry folder cannot be built; ``problems`` says everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CellError(ValueError):
    """A cell that its column's parser refuses."""


# --- cell parsers ------------------------------------------------------------------------------


def text(value: str) -> str:
    if not value:
        raise CellError("is required")
    if value[0] in "=+-@\t\r":
        raise CellError("starts with a formula character (=, +, -, @); spreadsheet formulas are "
                        "not data")
    return value


def optional(parser: Parser) -> Parser:
    def parse(value: str) -> Any:
        return parser(value) if value else None

    return parse


def code(value: str) -> str:
    if not CODE_RE.match(value):
        raise CellError("is not a Kemendagri code like 62.04.06.2020")
    return value


def slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise CellError("is not an identifier of lower-case letters, digits and '-'")
    return value


def slugs(value: str) -> tuple[str, ...]:
    return tuple(slug(v.strip()) for v in value.split(";")) if value else ()


def excerpts(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(" | ") if v.strip())


def year(value: str) -> int:
    if not re.fullmatch(r"(19|20)\d\d", value):
        raise CellError("is not a year like 2021")
    return int(value)


def date(value: str) -> dt.date | int:
    """A full ISO date (2021-03-17) or, where a source gives only the year, a year (2021)."""
    if re.fullmatch(r"\d{4}", value):
        return year(value)
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d\d-\d\d", value) else _bad()
    except ValueError:
        raise CellError("is not a date as YYYY-MM-DD (or a year as YYYY)") from None


def _bad() -> dt.date:
    raise ValueError


def count(value: str) -> int:
    if not value.isdigit():
        raise CellError("is not a whole number")
    return int(value)


def decimal(value: str) -> str:
    if not re.fullmatch(r"-?\d{1,3}\.\d+", value):
        raise CellError("is not a decimal number like -1.598742")
    return value


def one_of(*allowed: str) -> Parser:
    def parse(value: str) -> str:
        if value not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """Where a record came from."""

    file: str
    row: int


@dataclass(frozen=True)
class UnitRow(Record):
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str | None
    latitude: str | None
    longitude: str | None
    postal_code: str | None


@dataclass(frozen=True)
class CrosswalkRow(Record):
    bps_code: str
    bps_name: str
    kemendagri_code: str | None
    kemendagri_name_2025: str | None


@dataclass(frozen=True)
class KkbRow(Record):
    village_code: str
    village_name: str
    district_code: str
    district_name: str
    programme: str
    status: str
    designation_date: dt.date | int | None
    designated_by: str | None
    source: str
    source_village_name: str | None
    source_village_kind: str | None
    source_district_name: str | None
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class ActivityRow(Record):
    activity_id: str
    scope_code: str
    year: int
    status: str
    organiser: str
    partners: tuple[str, ...]
    partner_description: str | None
    functions: tuple[str, ...]
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationRow(Record):
    org_id: str
    name: str
    name_en: str | None
    acronym: str | None
    kind: str
    parent_org: str | None
    jurisdiction_code: str | None
    source: str | None
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class PostRow(Record):
    post_id: str
    org_id: str
    title: str
    title_en: str | None
    holder_id: str | None
    holder_name: str | None
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammeRow(Record):
    programme_id: str
    name: str
    name_en: str | None
    supports: str | None
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class ObjectiveRow(Record):
    objective_id: str
    programme_id: str
    text: str
    text_en: str | None
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class SourceRow(Record):
    source_id: str
    kind: str
    label: str
    label_en: str | None
    publisher: str | None
    place: str | None
    place_code: str | None
    language: str
    document: str | None  # the source's own text or file, relative to the registry folder
    stated_kkb_count: int | None
    stated_district_count: int | None
    stated_village_kind: str | None
    note: str | None


@dataclass(frozen=True)
class IndicatorRow(Record):
    indicator_id: str
    label: str
    label_en: str | None
    source: str


@dataclass(frozen=True)
class ObservationRow(Record):
    indicator: str
    area_code: str
    year: int
    value: str
    source: str


def number(value: str) -> str:
    if not re.fullmatch(r"-?\d{1,15}(\.\d{1,15})?", value):
        raise CellError("is not a number like 12 or 41.75")
    return value


VILLAGE_KINDS = ("desa", "kelurahan", "desa_adat")

#: Every table of the registry folder: path, record type and a parser per column, in file order.
TABLES: dict[str, tuple[str, type[Record], dict[str, Parser]]] = {
    "units": ("regions/units.csv", UnitRow, {
        "code": code, "name": text,
        "level": one_of("province", "regency", "district", "village"),
        "parent_code": optional(code),
        "kind": optional(one_of("kabupaten", "kota", *VILLAGE_KINDS)),
        "latitude": optional(decimal), "longitude": optional(decimal),
        "postal_code": optional(lambda v: v if re.fullmatch(r"\d{5}", v) else _fail("5 digits")),
    }),
    "crosswalk": ("regions/bps_crosswalk.csv", CrosswalkRow, {
        "bps_code": lambda v: v if re.fullmatch(r"\d{2}|\d{4}|\d{7}|\d{10}", v)
        else _fail("a BPS code of 2, 4, 7 or 10 digits"),
        "bps_name": text, "kemendagri_code": optional(code), "kemendagri_name_2025": optional(text),
    }),
    "kkb": ("registry/kkb.csv", KkbRow, {
        "village_code": code, "village_name": text, "district_code": code, "district_name": text,
        "programme": slug, "status": one_of("designated"),
        "designation_date": optional(date), "designated_by": optional(slug), "source": slug,
        "source_village_name": optional(text),
        "source_village_kind": optional(one_of(*VILLAGE_KINDS)),
        "source_district_name": optional(text), "source_excerpt": excerpts,
    }),
    "activities": ("registry/activities.csv", ActivityRow, {
        "activity_id": slug, "scope_code": code, "year": year,
        "status": one_of("completed", "planned"), "organiser": slug, "partners": slugs,
        "partner_description": optional(text), "functions": slugs, "source": slug,
        "source_excerpt": excerpts,
    }),
    "organisations": ("registry/organisations.csv", OrganisationRow, {
        "org_id": slug, "name": text, "name_en": optional(text), "acronym": optional(text),
        "kind": one_of("government", "agency", "unit", "publisher"),
        "parent_org": optional(slug), "jurisdiction_code": optional(code),
        "source": optional(slug), "source_excerpt": excerpts,
    }),
    "posts": ("registry/posts.csv", PostRow, {
        "post_id": slug, "org_id": slug, "title": text, "title_en": optional(text),
        "holder_id": optional(slug), "holder_name": optional(text), "source": slug,
        "source_excerpt": excerpts,
    }),
    "programmes": ("registry/programmes.csv", ProgrammeRow, {
        "programme_id": slug, "name": text, "name_en": optional(text),
        "supports": optional(slug), "source": slug, "source_excerpt": excerpts,
    }),
    "objectives": ("registry/objectives.csv", ObjectiveRow, {
        "objective_id": slug, "programme_id": slug, "text": text, "text_en": optional(text),
        "source": slug, "source_excerpt": excerpts,
    }),
    "sources": ("registry/sources.csv", SourceRow, {
        "source_id": slug, "kind": one_of("news-article", "reference", "registry"),
        "label": text, "label_en": optional(text), "publisher": optional(slug),
        "place": optional(text), "place_code": optional(code),
        "language": lambda v: v if re.fullmatch(r"[a-z]{2,3}", v) else _fail("a language code"),
        "document": optional(text), "stated_kkb_count": optional(count),
        "stated_district_count": optional(count),
        "stated_village_kind": optional(one_of(*VILLAGE_KINDS)), "note": optional(text),
    }),
}


#: Tables a registry folder may leave out (the yearly indicators, as an RDF Data Cube).
OPTIONAL_TABLES: dict[str, tuple[str, type[Record], dict[str, Parser]]] = {
    "indicators": ("registry/indicators.csv", IndicatorRow, {
        "indicator_id": slug, "label": text, "label_en": optional(text), "source": slug,
    }),
    "observations": ("registry/observations.csv", ObservationRow, {
        "indicator": slug, "area_code": code, "year": year, "value": number, "source": slug,
    }),
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


def read_registry(folder: Path, limits: Limits = LIMITS) -> Registry:
    """Read and parse every table of ``folder``; raise InputError listing all problems."""
    problems: list[Problem] = []
    tables: dict[str, tuple[Record, ...]] = {}
    for name, (path, record_type, parsers) in TABLES.items():
        rows, found = read_table(folder / path, path, record_type, parsers, limits)
        tables[name] = rows
        problems += found
    for name, (path, record_type, parsers) in OPTIONAL_TABLES.items():
        if (folder / path).is_file():
            rows, found = read_table(folder / path, path, record_type, parsers,
                                     OBSERVATION_LIMITS if name == "observations" else limits)
            tables[name] = rows
            problems += found
    texts: dict[str, str] = {}
    for src in tables["sources"]:
        assert isinstance(src, SourceRow)
        if src.document:
            text_path = folder / src.document
            if not text_path.is_file():
                problems.append(Problem(src.file, src.row, "document", src.document, "no such file"))
            elif (too_big := _too_big(text_path, src.document, limits)) is not None:
                problems.append(too_big)
            elif text_path.suffix == ".txt":
                texts[src.source_id] = text_path.read_text(encoding="utf-8")
    if problems:
        raise InputError(problems)
    return Registry(texts=texts, **tables)  # type: ignore[arg-type]


def read_table(
    path: Path, shown: str, record_type: type[Record], parsers: dict[str, Parser],
    limits: Limits = LIMITS,
) -> tuple[tuple[Record, ...], list[Problem]]:
    """Parse one CSV file: header exactly ``parsers``' columns, UTF-8 without BOM, no blank rows,
    within ``limits``."""
    if not path.is_file():
        return (), [Problem(shown, None, None, None, "file is missing")]
    too_big = _too_big(path, shown, limits)
    if too_big is not None:
        return (), [too_big]
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return (), [Problem(shown, 1, None, None,
                            "starts with a byte-order mark (BOM); save as UTF-8 without BOM")]
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return (), [Problem(shown, line, None, None,
                            f"is not UTF-8 (byte 0x{raw[err.start]:02x}); save as UTF-8")]
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return (), [Problem(shown, None, None, None, "is empty; expected a header row")]
    except csv.Error as err:
        return (), [Problem(shown, 1, None, None, f"is not valid CSV: {err}")]
    problems = _check_header(shown, header, list(parsers))
    if problems:
        return (), problems
    records: list[Record] = []
    try:
        for seen, cells in enumerate(reader, start=1):
            row = reader.line_num
            if seen > limits.rows:
                problems.append(Problem(shown, row, None, None,
                                        f"is past the most data rows a registry file may have "
                                        f"({limits.rows:,}); nothing after it was read"))
                break
            if len(cells) != len(header):
                problems.append(Problem(shown, row, None, None,
                                        f"has {len(cells)} fields, the header has {len(header)}"))
                continue
            values: dict[str, Any] = {}
            for column, cell in zip(header, cells, strict=True):
                if len(cell) > limits.cell_chars:
                    problems.append(Problem(shown, row, column, cell[:40] + "…",
                                            f"has {len(cell):,} characters; a cell may have at "
                                            f"most {limits.cell_chars:,}"))
                    continue
                try:
                    values[column] = parsers[column](cell.strip())
                except CellError as err:
                    problems.append(Problem(shown, row, column, cell, str(err)))
            if len(values) == len(header):
                records.append(record_type(file=shown, row=row, **values))
    except csv.Error as err:
        problems.append(Problem(shown, reader.line_num, None, None, f"is not valid CSV: {err}"))
    if not records and not problems:
        problems.append(Problem(shown, None, None, None, "has a header but no rows"))
    return tuple(records), problems


def _too_big(path: Path, shown: str, limits: Limits) -> Problem | None:
    """A problem if ``path`` is larger than ``limits.file_bytes``, located at the row where the
    limit is passed (only that much of the file is read)."""
    size = path.stat().st_size
    if size <= limits.file_bytes:
        return None
    with path.open("rb") as file:
        row = file.read(limits.file_bytes).count(b"\n") + 1
    return Problem(shown, row, None, None,
                   f"is {size:,} bytes, more than a registry file may have ({limits.file_bytes:,}; "
                   f"passed at this row); is it the right file? Nothing was read")


def _check_header(shown: str, header: list[str], expected: list[str]) -> list[Problem]:
    problems = []
    for column in expected:
        if column not in header:
            problems.append(Problem(shown, 1, column, None, "column is missing"))
    for column in header:
        if column not in expected:
            problems.append(Problem(shown, 1, column, None,
                                    f"is not a known column (expected: {', '.join(expected)})"))
    if len(set(header)) != len(header):
        problems.append(Problem(shown, 1, None, None, "has a column name twice"))
    return problems
