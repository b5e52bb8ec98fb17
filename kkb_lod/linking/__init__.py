"""Links from our administrative units to Wikidata entities — precision first.

Pure matching over a *snapshot* of Wikidata (``data/links/wikidata-snapshot.csv``) and checked-in
*overrides*; no network here (``refresh.py`` rebuilds the snapshot). A unit is linked when:

1. **code**: exactly one entity of the same level carries the unit's Kemendagri code (Wikidata
   P2588, or a pairing recorded in the snapshot with its source); never a BPS code (P1588), which
   is another numbering; or
2. **label**: no entity carries the code, and exactly one entity of the same level has the same
   normalised name *and* lies in the Wikidata entity linked to the unit's parent.

Anything else — two candidates, a candidate of another level, a name match whose parent cannot be
checked — is not linked; it goes to the review report. An override (``accept``/``set`` a Q-id,
``reject`` one) always wins. The same snapshot and overrides always give the same links.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kkb_lod.ingest import UnitRow
from kkb_lod.names import normalise_name

QID_RE = re.compile(r"^Q[1-9]\d*$")
SNAPSHOT, SNAPSHOT_META, OVERRIDES = ("links/wikidata-snapshot.csv", "links/wikidata-snapshot.json",
                                      "links/overrides.csv")
SCORES = {"code": 1.0, "paired-code": 0.95, "label": 0.9, "override": 1.0}
THRESHOLD = 0.9  # below this a candidate is never linked, only reviewed


class LinkingError(ValueError):
    """A snapshot or overrides file that cannot be used (named with row and column)."""


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


def read_snapshot(folder: Path) -> Snapshot:
    """The Wikidata snapshot of a registry folder (empty when it has none)."""
    path = folder / SNAPSHOT
    if not path.is_file():
        return Snapshot(())
    entities = []
    with open(path, encoding="utf-8", newline="") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            if not QID_RE.match(row.get("qid", "")):
                raise LinkingError(f"{SNAPSHOT}, row {row_number}, column qid: not a Q-id "
                                   f"({row.get('qid')!r})")
            entities.append(Entity(**{k: (row.get(k) or "") for k in Entity.__dataclass_fields__}))
    meta_path = folder / SNAPSHOT_META
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return Snapshot(tuple(entities), meta)


def read_overrides(folder: Path) -> dict[str, list[tuple[str, str, str]]]:
    """unit code → [(qid, decision, note)] from the reviewed overrides file."""
    path = folder / OVERRIDES
    overrides: dict[str, list[tuple[str, str, str]]] = {}
    if not path.is_file():
        return overrides
    with open(path, encoding="utf-8", newline="") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            qid, decision = row.get("qid", ""), row.get("decision", "")
            if not QID_RE.match(qid):
                raise LinkingError(f"{OVERRIDES}, row {row_number}, column qid: not a Q-id ({qid!r})")
            if decision not in ("accept", "reject", "set"):
                raise LinkingError(f"{OVERRIDES}, row {row_number}, column decision: must be "
                                   f"accept, reject or set ({decision!r})")
            overrides.setdefault(row["unit_code"], []).append(
                (qid, decision, row.get("reviewer_note", "")))
    return overrides


def match_units(units: tuple[UnitRow, ...], snapshot: Snapshot,
                overrides: dict[str, list[tuple[str, str, str]]]) -> list[Decision]:
    """A decision for every unit, parents before children (a label match needs the parent's link)."""
    by_code: dict[str, list[Entity]] = {}
    by_name: dict[tuple[str, str], list[Entity]] = {}
    for e in snapshot.entities:
        if e.code:
            by_code.setdefault(e.code, []).append(e)
        for label in {e.label_id, e.label_en} - {""}:
            by_name.setdefault((e.level, normalise_name(label)), []).append(e)
    linked: dict[str, str] = {}
    decisions = []
    for unit in sorted(units, key=lambda u: (u.code.count("."), u.code)):
        decision = _decide(unit, by_code, by_name, linked, overrides.get(unit.code, []))
        if decision.status == "linked":
            linked[unit.code] = decision.qid
        decisions.append(decision)
    return decisions


def _decide(unit: UnitRow, by_code: dict[str, list[Entity]],
            by_name: dict[tuple[str, str], list[Entity]], linked: dict[str, str],
            overrides: list[tuple[str, str, str]]) -> Decision:
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
            candidates.append((e.qid, f"code {unit.code} ({e.code_source or 'P2588'})",
                               SCORES["code" if on_wikidata else "paired-code"]))
    if not any(score for _, _, score in candidates):
        parent_qid = linked.get(unit.parent_code or "", "")
        for e in by_name.get((unit.level, normalise_name(unit.name)), []):
            if e.qid in rejected or e.code and e.code != unit.code:
                continue  # an entity with another unit's code is that other unit
            if parent_qid and e.parent_qid == parent_qid:
                candidates.append((e.qid, f"name and parent {parent_qid}", SCORES["label"]))
            else:
                candidates.append((e.qid, "name only; parent unchecked or different", 0.5))
    strong = sorted({c for c in candidates if c[2] >= THRESHOLD})
    if len(strong) == 1:
        qid, why, score = strong[0]
        method = next(m for m, s in SCORES.items() if s == score and m != "override")
        return Decision(unit, "linked", qid, method, score, tuple(sorted(set(candidates))), why)
    if strong or candidates:
        return Decision(unit, "ambiguous", candidates=tuple(sorted(set(candidates))))
    return Decision(unit, "rejected" if rejected else "unmatched")


def link_units(folder: Path, units: tuple[UnitRow, ...]) -> tuple[list[Decision], Snapshot]:
    """Decisions for ``units`` from the snapshot and overrides of the registry ``folder``."""
    snapshot = read_snapshot(folder)
    return match_units(units, snapshot, read_overrides(folder)), snapshot
