"""Cross-table checks of a registry against the official region list and against itself.

Pure: takes a :class:`~kkb_lod.ingest.Registry`, returns the problems found (empty when the folder
is consistent). Each problem names file, row and column. Differences of *spelling* between a source
and the official list are not problems: they are published as data by the mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from kkb_lod.attribution import check_statements
from kkb_lod.history import earlier_edition, load_history
from kkb_lod.ingest import DEFAULT_PROGRAMME, InputError, Problem, Registry
from kkb_lod.iris import level_of, parent_code
from kkb_lod.names import same_name
from kkb_lod.reference import units_by_code
from kkb_lod.resolve import national_matcher, village_query
from kkb_lod.rows import (
    ActivityRow,
    KkbRow,
    KkbYearRow,
    ObjectiveRow,
    OrganisationRow,
    PostRow,
    ProgrammeRow,
    Record,
    SourceRow,
    UnitRow,
)
from kkb_lod.vocab import FAMILY_FUNCTIONS


def check_registry(registry: Registry, today: dt.date | None = None) -> None:
    """Raise InputError with every inconsistency of ``registry``; return None when it is sound.
    ``today`` (default: the system's date) bounds the dates a row may give."""
    problems = list(find_problems(registry, today))
    if problems:
        raise InputError(problems)


def find_problems(r: Registry, today: dt.date | None = None) -> Iterator[Problem]:
    """Every inconsistency of the registry, in file order."""
    today = today or dt.date.today()
    units = {u.code: u for u in r.units}
    yield from _duplicates(r.units, "code")
    yield from check_units(r.units, units)
    for x in r.crosswalk:
        if x.kemendagri_code and x.kemendagri_code not in units:
            yield _p(x, "kemendagri_code", x.kemendagri_code, "is not a code in the official region list")

    ids = {
        "organisations": {o.org_id for o in r.organisations},
        "programmes": {p.programme_id for p in r.programmes},
        "sources": {s.source_id for s in r.sources},
    }
    for table, column in (
        ("organisations", "org_id"),
        ("programmes", "programme_id"),
        ("sources", "source_id"),
        ("posts", "post_id"),
        ("objectives", "objective_id"),
        ("activities", "activity_id"),
    ):
        yield from _duplicates(getattr(r, table), column)
    yield from _duplicates(
        r.kkb, "village_code", "a village has one KKB designation; this village is already on row {first}"
    )
    yield from _duplicates(r.kkb, "registry_id", "a registry id names one KKB; row {first} already has it")

    def ref(record: Record, column: str, table: str) -> Iterator[Problem]:
        value = getattr(record, column)
        if value and value not in ids[table]:
            yield _p(record, column, value, f"is not an id in {table}.csv")

    def place(record: Record, column: str) -> Iterator[Problem]:
        value = getattr(record, column)
        if value and value not in units:
            yield _p(record, column, value, not_a_code(value, "is not a code in the official region list"))

    def quoted(
        record: KkbRow | ActivityRow | OrganisationRow | PostRow | ProgrammeRow | ObjectiveRow,
    ) -> Iterator[Problem]:
        """Every quotation is found in its source's text; one that cannot be looked up (no
        source, or a source without a document) is refused rather than published unchecked."""
        text = r.texts.get(record.source) if record.source else None
        for excerpt in record.source_excerpt:
            if text is not None:
                if excerpt not in text:
                    yield _p(
                        record, "source_excerpt", excerpt, "does not occur verbatim in the source document"
                    )
            elif not record.source:
                yield _p(record, "source_excerpt", excerpt, "quotes no source (source is empty)")
            elif record.source in ids["sources"]:  # else its source column is the problem
                yield _p(
                    record,
                    "source_excerpt",
                    excerpt,
                    f"cannot be checked: source {record.source} has no document",
                )

    sources = {s.source_id: s for s in r.sources}
    for k in r.kkb:
        yield from _check_kkb_place(k, units)
        if k.programme != DEFAULT_PROGRAMME:  # the default stands without a programmes row
            yield from ref(k, "programme", "programmes")
        yield from check_kkb_entry(k, sources, today)
        yield from ref(k, "designated_by", "organisations")
        yield from ref(k, "source", "sources")
        yield from quoted(k)
    # Every region code above a KKB village (a set: a national registry has thousands of
    # activities and tens of thousands of KKB, too many to compare pairwise).
    with_kkb = {
        k.village_code.rsplit(".", n)[0] for k in r.kkb for n in range(1, k.village_code.count(".") + 1)
    }
    for a in r.activities:
        yield from place(a, "scope_code")
        yield from ref(a, "organiser", "organisations")
        for partner in a.partners:
            if partner not in ids["organisations"]:
                yield _p(a, "partners", partner, "is not an id in organisations.csv")
        for fn in a.functions:
            if fn not in FAMILY_FUNCTIONS:
                yield _p(a, "functions", fn, f"is not a family function ({', '.join(FAMILY_FUNCTIONS)})")
        if not a.functions:
            yield _p(a, "functions", "", "is required")
        if a.scope_code not in with_kkb:
            yield _p(a, "scope_code", a.scope_code, "has no KKB in the registry")
        yield from ref(a, "source", "sources")
        yield from quoted(a)
    for o in r.organisations:
        yield from ref(o, "parent_org", "organisations")
        yield from place(o, "jurisdiction_code")
        yield from ref(o, "source", "sources")
        yield from quoted(o)
    for p in r.posts:
        yield from ref(p, "org_id", "organisations")
        yield from ref(p, "source", "sources")
        yield from quoted(p)
    for g in r.programmes:
        yield from ref(g, "supports", "programmes")
        yield from ref(g, "source", "sources")
        yield from quoted(g)
    for b in r.objectives:
        yield from ref(b, "programme_id", "programmes")
        yield from ref(b, "source", "sources")
        yield from quoted(b)
    for s in r.sources:
        yield from ref(s, "publisher", "organisations")
        yield from place(s, "place_code")
        cited = [k for k in r.kkb if k.source == s.source_id]
        if s.stated_kkb_count is not None and s.stated_kkb_count != len(cited):
            yield _p(
                s,
                "stated_kkb_count",
                str(s.stated_kkb_count),
                f"the source states this many KKB but kkb.csv has {len(cited)} rows citing it",
            )
        districts = {k.district_code for k in cited if k.district_code}
        if s.stated_district_count is not None and s.stated_district_count != len(districts):
            yield _p(
                s,
                "stated_district_count",
                str(s.stated_district_count),
                f"the source states this many kecamatan but its KKB lie in {len(districts)}",
            )
    yield from _check_observations(r, units, ids)
    yield from check_kkb_years(r, ids["sources"], today)
    yield from check_statements(r)


def _check_observations(
    r: Registry, units: dict[str, UnitRow], ids: dict[str, set[str]]
) -> Iterator[Problem]:
    """Indicators and observations (optional tables): known references, one value per cell."""
    yield from _duplicates(r.indicators, "indicator_id")
    indicators = {i.indicator_id for i in r.indicators}
    for i in r.indicators:
        if i.source not in ids["sources"]:
            yield _p(i, "source", i.source, "is not an id in sources.csv")
    seen: dict[tuple[str, str, int], int] = {}
    for o in r.observations:
        if o.indicator not in indicators:
            yield _p(o, "indicator", o.indicator, "is not an id in indicators.csv")
        if o.area_code not in units:
            yield _p(
                o,
                "area_code",
                o.area_code,
                not_a_code(o.area_code, "is not a code in the official region list"),
            )
        if o.source not in ids["sources"]:
            yield _p(o, "source", o.source, "is not an id in sources.csv")
        key = (o.indicator, o.area_code, o.year)
        if key in seen:
            yield _p(
                o,
                "year",
                str(o.year),
                f"this indicator, area and year already have a value on row {seen[key]}",
            )
        else:
            seen[key] = o.row


def check_kkb_entry(k: KkbRow, sources: dict[str, SourceRow], today: dt.date) -> Iterator[Problem]:
    """A KKB row's source columns agree with its source, and its dates are not in the future.

    A row citing no source is the registry's own statement (published with its file and row), so
    it has nothing to quote and no source to disagree with; a row citing a source that has a
    document (or a news article) quotes it, so the quotation can be checked."""
    if not k.source:
        for column in ("source_village_name", "source_village_kind", "source_district_name"):
            if getattr(k, column):
                yield _p(
                    k,
                    column,
                    getattr(k, column),
                    "says what a source calls the place, but the row names no source (source is empty)",
                )
    elif k.source in sources and not k.source_excerpt:
        src = sources[k.source]
        if src.document or src.kind == "news-article":
            why = "has a document" if src.document else "is a news article"
            yield _p(
                k,
                "source_excerpt",
                "",
                f"is required: source {k.source} {why}; quote the sentence that names this KKB, verbatim",
            )
    for column in ("designation_date", "inauguration_date", "pokja_decree_date"):
        value = getattr(k, column)
        if isinstance(value, int) and value > today.year or isinstance(value, dt.date) and value > today:
            yield _p(k, column, str(value), f"is in the future (today is {today.isoformat()})")


def check_kkb_years(r: Registry, source_ids: set[str], today: dt.date) -> Iterator[Problem]:
    """Each yearly row names exactly one KKB row (by registry id or village), once per year, for a
    year neither in the future nor before the KKB's inauguration or designation.

    No earliest year of the programme is enforced: no source of the registry states when Kampung
    KB began, so the year is bounded only by the year parser (1900-2099), today and the KKB's own
    dates."""
    by_id = {k.registry_id: k for k in r.kkb if k.registry_id}
    by_village = {k.village_code: k for k in r.kkb if k.village_code}
    seen: dict[tuple[str, int, int], int] = {}
    for y in r.kkb_years:
        kkb = _kkb_of(y, by_id, by_village)
        if isinstance(kkb, Problem):
            yield kkb
        elif (kkb.file, kkb.row, y.year) in seen:
            yield _p(
                y,
                "year",
                str(y.year),
                f"this KKB already has a row for {y.year} (row "
                f"{seen[kkb.file, kkb.row, y.year]}); one row per KKB and year",
            )
        else:
            seen[kkb.file, kkb.row, y.year] = y.row
            yield from _year_after(y, kkb)
        if y.year > today.year:
            yield _p(y, "year", str(y.year), f"is in the future (today is {today.isoformat()})")
        if y.source and y.source not in source_ids:
            yield _p(y, "source", y.source, "is not an id in sources.csv")


def _kkb_of(y: KkbYearRow, by_id: dict[str, KkbRow], by_village: dict[str, KkbRow]) -> KkbRow | Problem:
    """The one KKB row ``y`` names, or the problem with how it names it."""
    if not y.registry_id and not y.village_code:
        return _p(y, "registry_id", "", "is required, or village_code: name the KKB this row is about")
    if y.registry_id and y.registry_id not in by_id:
        return _p(y, "registry_id", y.registry_id, "is the registry_id of no KKB row")
    if y.village_code and y.village_code not in by_village:
        return _p(y, "village_code", y.village_code, "is the village_code of no KKB row")
    if y.registry_id and y.village_code and by_id[y.registry_id] is not by_village[y.village_code]:
        return _p(
            y,
            "village_code",
            y.village_code,
            f"names another KKB (row {by_village[y.village_code].row}) than registry_id "
            f"{y.registry_id} (row {by_id[y.registry_id].row})",
        )
    return by_id[y.registry_id] if y.registry_id else by_village[y.village_code or ""]


def _year_after(y: KkbYearRow, k: KkbRow) -> Iterator[Problem]:
    """A yearly row is not about a year before its KKB was inaugurated or designated."""
    for column in ("inauguration_date", "designation_date"):
        value = getattr(k, column)
        began = value if isinstance(value, int) else value.year if value else None
        if began is not None and y.year < began:
            yield _p(
                y,
                "year",
                str(y.year),
                f"is before the KKB's {column.replace('_', ' ')} ({value}, {k.file} row {k.row})",
            )


def check_units(rows: Iterable[UnitRow], units: dict[str, UnitRow]) -> Iterator[Problem]:
    """Each unit's level, parent and kind agree with its code, and its parent is among ``units``."""
    for u in rows:
        level = level_of(u.code)
        if u.level != level:
            yield _p(u, "level", u.level, f"code {u.code} is a {level} code")
        if u.parent_code != parent_code(u.code):
            yield _p(
                u, "parent_code", u.parent_code or "", f"the parent of {u.code} is {parent_code(u.code)}"
            )
        elif u.parent_code and u.parent_code not in units:
            yield _p(u, "parent_code", u.parent_code, "is not a code in this file")
        expected = _kind(u.code)
        if u.kind != expected:
            yield _p(u, "kind", u.kind or "", f"code {u.code} is of kind {expected or '(none)'}")


def _kind(code: str) -> str | None:
    """The kind a code implies: the regency segment (01-69 kabupaten, 71-99 kota) or village digit."""
    parts = code.split(".")
    if len(parts) == 2:
        return "kabupaten" if int(parts[1]) < 70 else "kota"
    if len(parts) == 4:
        return {"1": "kelurahan", "2": "desa", "3": "desa_adat"}[parts[3][0]]
    return None


def _check_kkb_place(k: KkbRow, units: dict[str, UnitRow]) -> Iterator[Problem]:
    if not k.village_code:
        yield _p(k, "village_name", k.village_name, unresolved(k))
        return
    village = units.get(k.village_code)
    if village is None:
        yield _p(
            k,
            "village_code",
            k.village_code,
            not_a_code(k.village_code, "is not a village code in the official list"),
        )
        return
    if village.level != "village":
        yield _p(k, "village_code", k.village_code, f"is a {village.level}, not a village")
        return
    if not known_name(k.village_name, village):
        yield _p(
            k,
            "village_name",
            k.village_name,
            f"does not match the official name of {k.village_code}, {village.name!r}",
        )
    if k.district_code != village.parent_code:
        yield _p(
            k,
            "district_code",
            k.district_code,
            f"village {k.village_code} ({village.name}) lies in kecamatan "
            f"{village.parent_code}, not {k.district_code}",
        )
        return
    district = units[k.district_code]
    if not known_name(k.district_name, district):
        yield _p(
            k,
            "district_name",
            k.district_name,
            f"does not match the official name of {k.district_code}, {district.name!r}",
        )
    for column, unit in (("source_village_name", village), ("source_district_name", district)):
        said = getattr(k, column)
        if said and not known_name(said, unit):
            yield _p(k, column, said, f"names another place than the official {unit.name!r}")


def known_name(said: str, unit: UnitRow) -> bool:
    """``said`` is the unit's official name or one of its earlier editions' names (an earlier name
    is accepted and published as a note by the mapping)."""
    return same_name(said, unit.name, unit.level) or earlier_edition(said, unit.code, unit.level) is not None


def not_a_code(code: str, message: str) -> str:
    """``message``, and for a code that earlier editions had, what became of it: the successor(s)
    they record, else the current units of its last name (candidates, not successors)."""
    history = load_history()
    if not history.is_removed(code):
        return message
    names = history.earlier_names(code)
    last = names[-1].name
    said = (
        f"{message}: it was {last!r} until the Kemendagri {history.last_edition(code)} edition "
        f"and is no longer in the 2025 list"
    )
    successors = history.successors(code)
    current = units_by_code()
    if successors:
        return (
            said
            + "; replaced by "
            + "; ".join(f"{c} {current[c].name}" if c in current else c for c in successors)
        )
    # Look first where the unit was: under its nearest ancestor that is still (or again) a unit.
    hint = next(([c] for a in _ancestors(code) for c in (a, *history.successors(a)) if c in current), [])
    found = national_matcher().match(last, level=level_of(code), parents=hint, limit=3).candidates
    same = [c.describe() for c in found if c.exact]
    if same:
        return said + "; the editions record no successor; current units of that name: " + "; ".join(same)
    if found:
        return (
            said
            + "; the editions record no successor and no current unit has its name; similar: "
            + "; ".join(c.describe() for c in found)
        )
    return said + "; the editions record no successor and no current unit has its name"


def unresolved(k: KkbRow) -> str:
    """Why a row without a village code did not get one from its names, and the best candidates."""
    result = village_query(national_matcher(), k)
    where = f"in kecamatan {k.district_code or k.district_name!r}"
    exact = [c for c in result.candidates if c.exact and c.parent_agreement == 1.0]
    if len(exact) > 1:
        why = f"{len(exact)} official villages of this name lie {where}"
    elif result.homonyms:
        why = f"no official village of this name lies {where} ({result.homonyms} elsewhere)"
    else:
        why = f"no official village has this name {where}"
    shown = "; ".join(c.describe() for c in result.candidates) or "none"
    return (
        f"gives no village_code and its name does not resolve to one official village: {why}; "
        f"give the code, or the name and kecamatan as in the official list. Did you mean: {shown}"
    )


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]


def _duplicates(
    rows: Iterable[Record], column: str, message: str = "is a duplicate of row {first}"
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for row in rows:
        value = getattr(row, column)
        if not value:  # an empty cell names nothing (a code still to be resolved from a name)
            continue
        if value in first:
            yield _p(row, column, value, message.format(first=first[value]))
        else:
            first[value] = row.row


def _p(record: Record, column: str, value: str, message: str) -> Problem:
    written = record.written.get(column, column) if record.written else column
    return Problem(record.file, record.row, written, value, message, record.sheet)


__all__ = ["check_registry", "check_units", "find_problems"]
