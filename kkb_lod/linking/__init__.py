"""Links from our administrative units to Wikidata entities — precision first.

Pure matching over a *snapshot* of Wikidata (``data/links/wikidata-snapshot.csv``) and checked-in
*overrides*; no network here (``refresh.py`` rebuilds the snapshot). A unit is linked when:

1. **code**: exactly one entity of the same level carries the unit's Kemendagri code (Wikidata
   P2588, or a pairing recorded in the snapshot with its source); never a BPS code (P1588), which
   is another numbering; or
2. **label**: no entity carries the code, and exactly one entity of the same level has the same
   normalised name *and* lies in the Wikidata entity linked to the unit's parent. Names are
   compared by the project's one matcher (:mod:`kkb_lod.matching`), over an index of the
   snapshot's labels.

Anything else — two candidates, a candidate of another level, a name match whose parent cannot be
checked — is not linked; it goes to the review report. An override (``accept``/``set`` a Q-id,
``reject`` one) always wins. The same snapshot and overrides always give the same links.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kkb_lod.ingest import (
    CellError,
    InputError,
    Problem,
    code,
    one_of,
    optional,
    read_table,
    text,
    too_big,
    unsafe_character,
)
from kkb_lod.matching import Entry, Matcher
from kkb_lod.reference import WIKIDATA_META, wikidata_rows
from kkb_lod.rows import Record, UnitRow

QID_RE = re.compile(r"^Q[1-9][0-9]{0,11}\Z")
SNAPSHOT, SNAPSHOT_META, OVERRIDES = (
    "links/wikidata-snapshot.csv",
    "links/wikidata-snapshot.json",
    "links/overrides.csv",
)
SCORES = {"code": 1.0, "paired-code": 0.95, "label": 0.9, "override": 1.0}
THRESHOLD = 0.9  # below this a candidate is never linked, only reviewed
LEVELS = ("country", "province", "regency", "district", "village")


def qid(value: str) -> str:
    if not QID_RE.match(value):
        raise CellError("is not a Wikidata item id like Q14391")
    return value


@dataclass(frozen=True)
class Entity:
    """One Wikidata item of the snapshot."""

    qid: str
    label_id: str
    label_en: str
    level: str  # country, province, regency, district, village (from its class or code)
    code: str  # Kemendagri code paired with it, if any
    code_source: str
    bps_code: str
    parent_qid: str
    latitude: str
    longitude: str


@dataclass(frozen=True)
class Decision:
    """What became of one unit: linked (with method and score), ambiguous, or unmatched."""

    unit: UnitRow
    status: str  # linked, ambiguous, unmatched, rejected
    qid: str = ""
    method: str = ""
    score: float = 0.0
    candidates: tuple[tuple[str, str, float], ...] = ()  # (qid, why, score)
    note: str = ""


@dataclass(frozen=True)
class Snapshot:
    entities: tuple[Entity, ...]
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OverrideRow(Record):
    unit_code: str
    qid: str
    decision: str
    reviewer_note: str | None


def _bps_code(value: str) -> str:
    if not re.fullmatch(r"[0-9]{2,10}", value):
        raise CellError("is not a BPS code of 2 to 10 digits")
    return value


def _coordinate(value: str) -> str:
    """A latitude or longitude as Wikidata's WKT gives it (any number of decimals)."""
    if not re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]+)?", value):
        raise CellError("is not a coordinate like -1.8 or 114.9")
    return value


#: The columns of the two CSV files and their parsers (the registry's own: one reading, one set of
#: checks, one way of naming file, row and column).
SNAPSHOT_COLUMNS = {
    "qid": qid,
    "label_id": optional(text),
    "label_en": optional(text),
    "level": optional(one_of(*LEVELS)),
    "code": optional(code),
    "code_source": optional(text),
    "bps_code": optional(_bps_code),
    "parent_qid": optional(qid),
    "latitude": optional(_coordinate),
    "longitude": optional(_coordinate),
}
OVERRIDE_COLUMNS = {
    "unit_code": code,
    "qid": qid,
    "decision": one_of("accept", "reject", "set"),
    "reviewer_note": optional(text),
}


def _entity(file: str, row: int, **values: str | None) -> Entity:
    return Entity(**{k: v or "" for k, v in values.items()})


def read_snapshot(folder: Path) -> Snapshot:
    """The Wikidata snapshot of a registry folder (empty when it has none); InputError naming
    file, row and column when it cannot be used."""
    entities: tuple[Any, ...] = ()
    problems: list[Problem] = []
    if (folder / SNAPSHOT).is_file():
        entities, problems = read_table(folder / SNAPSHOT, SNAPSHOT, _entity, SNAPSHOT_COLUMNS, empty_ok=True)
    meta: dict = {}
    if (folder / SNAPSHOT_META).is_file():
        meta, found = _read_meta(folder / SNAPSHOT_META)
        problems += found
    if problems:
        raise InputError(problems)
    return Snapshot(entities, meta)


def _read_meta(path: Path) -> tuple[dict, list[Problem]]:
    """The snapshot's description: a JSON object whose ``retrieved`` (a date) and ``source`` (a
    text) are published with the links."""
    if (big := too_big(path, SNAPSHOT_META)) is not None:
        return {}, [big]
    try:
        meta = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        return {}, [
            Problem(SNAPSHOT_META, None, None, None, f"is not UTF-8 (at byte {err.start}); save as UTF-8")
        ]
    except json.JSONDecodeError as err:
        return {}, [
            Problem(
                SNAPSHOT_META,
                None,
                None,
                None,
                f"is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
            )
        ]
    if not isinstance(meta, dict):
        return {}, [Problem(SNAPSHOT_META, None, None, None, "is not a JSON object")]
    problems = []
    for key, parse in (("retrieved", _iso_date), ("source", text)):
        value = meta.get(key)
        if value is None:
            continue
        try:
            if not isinstance(value, str):
                raise CellError("is not a JSON string")
            if why := unsafe_character(value, key):
                raise CellError(why)
            parse(value)
        except CellError as err:
            problems.append(Problem(SNAPSHOT_META, None, key, str(value), str(err)))
    return meta, problems


def _iso_date(value: str) -> str:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise CellError("is not a date as YYYY-MM-DD")


def read_overrides(folder: Path) -> dict[str, list[tuple[str, str, str]]]:
    """unit code → [(qid, decision, note)] from the reviewed overrides file; InputError naming
    file, row and column when it cannot be used."""
    return _by_unit(_override_rows(folder))


def _by_unit(rows: tuple[OverrideRow, ...]) -> dict[str, list[tuple[str, str, str]]]:
    overrides: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        overrides.setdefault(row.unit_code, []).append((row.qid, row.decision, row.reviewer_note or ""))
    return overrides


def _override_rows(folder: Path) -> tuple[OverrideRow, ...]:
    path = folder / OVERRIDES
    if not path.is_file():
        return ()
    rows, problems = read_table(path, OVERRIDES, OverrideRow, OVERRIDE_COLUMNS, empty_ok=True)
    if problems:
        raise InputError(problems)
    return rows  # type: ignore[return-value]


def match_units(
    units: tuple[UnitRow, ...], snapshot: Snapshot, overrides: dict[str, list[tuple[str, str, str]]]
) -> list[Decision]:
    """A decision for every unit, parents before children (a label match needs the parent's link)."""
    by_code: dict[str, list[Entity]] = {}
    for e in snapshot.entities:
        if e.code:
            by_code.setdefault(e.code, []).append(e)
    by_name = label_matcher(snapshot)
    codes: dict[str, set[str]] = {}
    for e in snapshot.entities:
        if e.code:
            codes.setdefault(e.qid, set()).add(e.code)
    linked: dict[str, str] = {}
    decisions = []
    for unit in sorted(units, key=lambda u: (u.code.count("."), u.code)):
        decision = _decide(unit, by_code, by_name, codes, linked, overrides.get(unit.code, []))
        if decision.status == "linked":
            linked[unit.code] = decision.qid
        decisions.append(decision)
    return decisions


def label_matcher(snapshot: Snapshot) -> Matcher:
    """The snapshot's items indexed by their labels (Indonesian first, English as another name),
    level and parent item, for the matcher."""
    entries = []
    for e in snapshot.entities:
        labels = [label for label in dict.fromkeys((e.label_id, e.label_en)) if label]
        if labels:
            entries.append(
                Entry(
                    e.qid,
                    labels[0],
                    e.level,
                    None,
                    e.parent_qid or None,
                    tuple((label, "label") for label in labels[1:]),
                )
            )
    return Matcher.of(entries)


def _decide(
    unit: UnitRow,
    by_code: dict[str, list[Entity]],
    by_name: Matcher,
    codes: dict[str, set[str]],
    linked: dict[str, str],
    overrides: list[tuple[str, str, str]],
) -> Decision:
    for qid, decision, note in overrides:
        if decision in ("accept", "set"):
            return Decision(unit, "linked", qid, "override", SCORES["override"], note=note)
    rejected = {qid for qid, decision, _ in overrides if decision == "reject"}
    candidates: list[tuple[str, str, float]] = []
    for e in by_code.get(unit.code, []):
        if e.level != unit.level:
            candidates.append((e.qid, f"code {unit.code} but a {e.level or 'unknown level'}", 0.0))
        elif e.qid not in rejected:
            on_wikidata = e.code_source in ("", "P2588")
            candidates.append(
                (
                    e.qid,
                    f"code {unit.code} ({e.code_source or 'P2588'})",
                    SCORES["code" if on_wikidata else "paired-code"],
                )
            )
    if not any(score for _, _, score in candidates):
        parent_qid = linked.get(unit.parent_code or "", "")
        found = by_name.match(
            unit.name, level=unit.level, parents=[parent_qid] if parent_qid else [], suggest=False, limit=None
        )
        for c in found.candidates:
            if c.id in rejected or codes.get(c.id, {unit.code}) != {unit.code}:
                continue  # an entity with another unit's code is that other unit
            if parent_qid and c.entry.parent == parent_qid:  # its P131 is the parent's item
                candidates.append((c.id, f"name and parent {parent_qid}", SCORES["label"]))
            else:
                candidates.append((c.id, "name only; parent unchecked or different", 0.5))
    strong = sorted({c for c in candidates if c[2] >= THRESHOLD})
    if len(strong) == 1:
        qid, why, score = strong[0]
        method = next(m for m, s in SCORES.items() if s == score and m != "override")
        return Decision(unit, "linked", qid, method, score, tuple(sorted(set(candidates))), why)
    if strong or candidates:
        return Decision(unit, "ambiguous", candidates=tuple(sorted(set(candidates))))
    return Decision(unit, "rejected" if rejected else "unmatched")


def wikidata_snapshot() -> Snapshot:
    """The Q-ids bundled with the package (:func:`kkb_lod.reference.wikidata_rows`) as a snapshot:
    each item paired with a 2025 code (the 26 regencies whose source code no longer exists are left
    out, never guessed), and the country. The pairing is the source's, not Wikidata's P2588: links
    made from it are ``paired-code`` links naming their source."""
    entities = tuple(
        Entity(
            qid=r["wikidata_qid"],
            label_id=r["source_name"] if "soluvas" in r["source"] else "",
            label_en=r["source_name"] if "soluvas" not in r["source"] else "",
            level=r["level"],
            code=r["code"],
            code_source=f"{r['note']}; source: {r['source']}",
            bps_code="",
            parent_qid="",
            latitude="",
            longitude="",
        )
        for r in wikidata_rows()
        if r["code"] or r["level"] == "country"
    )
    return Snapshot(entities, dict(WIKIDATA_META))


def link_units(folder: Path, units: tuple[UnitRow, ...]) -> tuple[list[Decision], Snapshot]:
    """Decisions for ``units`` from the snapshot and overrides of the registry ``folder``.

    A folder without a snapshot is matched against the Q-ids bundled with the package (provinces
    and regencies, :func:`wikidata_snapshot`). An override of a unit that is not
    in the region list is refused, not silently ignored."""
    if (folder / SNAPSHOT).is_file() or (folder / SNAPSHOT_META).is_file():
        snapshot = read_snapshot(folder)
    else:
        snapshot = wikidata_snapshot()
    rows, known = _override_rows(folder), {u.code for u in units}
    unknown = [
        Problem(row.file, row.row, "unit_code", row.unit_code, "is not a code in the official region list")
        for row in rows
        if row.unit_code not in known
    ]
    if unknown:
        raise InputError(unknown)
    return match_units(units, snapshot, _by_unit(rows)), snapshot
