"""Rebuild the Wikidata snapshot from a live SPARQL endpoint: batched, polite, resumable.

Two kinds of request, each with a bounded number of values so one stays far under the service's
60 s limit: items carrying our Kemendagri codes (P2588), ``CODES_PER_REQUEST`` codes at a time;
then, level by level (regencies, districts, villages), the items of that level's Wikidata classes
located in (P131) the item linked to an unmatched unit's parent, ``PARENTS_PER_REQUEST`` parents
at a time. Of those only the items whose name matches an unmatched unit under that parent are
kept (:func:`kkb_lod.names.name_key`, the comparison of names of the matcher,
:mod:`kkb_lod.matching`), so the linker can check name and hierarchy offline.

Every answer is appended to a progress file in the links folder (synced to disk line by line)
before the next request: a refresh stopped anyhow (Ctrl-C, a crash, a kill) asks only what is
still unanswered on the next run. The snapshot is replaced by one rename once every request has an
answer, and the progress file removed after it; until then the old snapshot stays as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path

from kkb_lod.config import Settings
from kkb_lod.ingest import LIMITS, CellError, unsafe_character
from kkb_lod.iris import is_code, level_of
from kkb_lod.linking import (
    LEVELS,
    QID_RE,
    SNAPSHOT,
    SNAPSHOT_COLUMNS,
    SNAPSHOT_META,
    Entity,
    Snapshot,
    match_units,
)
from kkb_lod.linking.journal import Journal
from kkb_lod.linking.wdqs import Client, Politeness, RefreshError
from kkb_lod.names import name_key
from kkb_lod.rows import UnitRow

__all__ = ["PROGRESS", "WIKIDATA", "Politeness", "RefreshError", "refresh_snapshot"]

WIKIDATA = "https://query.wikidata.org/sparql"
PROGRESS = "links/wikidata-refresh.progress"
#: 200 codes make a query of ~4 KB (sent as POST), one indexed lookup each: far from the service's
#: 60 s limit, and a failed request costs little to ask again. The whole country is 458 requests.
CODES_PER_REQUEST = 200
#: A parent has ~12 children on average (83,762 villages in 7,285 districts): ~600 rows a request.
PARENTS_PER_REQUEST = 50
#: Wikidata classes of Indonesian units and their level (sources: docs/research-wikidata.md).
#: The matcher never links an item to a unit of another level.
CLASS_LEVELS = {
    "Q5098": "province",
    "Q3191695": "regency",
    "Q3199141": "regency",
    "Q4272761": "regency",
    "Q11127777": "regency",
    "Q3700011": "district",
    "Q2225692": "village",
    "Q26211545": "village",
    "Q965568": "village",
}
ENTITY = "http://www.wikidata.org/entity/"
#: Refused values listed in the snapshot's description (all are counted).
REFUSED_LISTED = 1000

CODE_QUERY = """SELECT ?item ?code ?labelId ?labelEn ?bps ?parent ?coord WHERE {{
  VALUES ?code {{ {codes} }}
  ?item wdt:P2588 ?code .
  OPTIONAL {{ ?item rdfs:label ?labelId FILTER(LANG(?labelId) = "id") }}
  OPTIONAL {{ ?item rdfs:label ?labelEn FILTER(LANG(?labelEn) = "en") }}
  OPTIONAL {{ ?item wdt:P1588 ?bps }}
  OPTIONAL {{ ?item wdt:P131 ?parent }}
  OPTIONAL {{ ?item wdt:P625 ?coord }}
}}"""

CHILDREN_QUERY = """SELECT ?item ?parent ?class ?labelId ?labelEn ?code ?bps ?coord WHERE {{
  VALUES ?parent {{ {parents} }}
  VALUES ?class {{ {classes} }}
  ?item wdt:P131 ?parent ; wdt:P31 ?class .
  OPTIONAL {{ ?item rdfs:label ?labelId FILTER(LANG(?labelId) = "id") }}
  OPTIONAL {{ ?item rdfs:label ?labelEn FILTER(LANG(?labelEn) = "en") }}
  OPTIONAL {{ ?item wdt:P2588 ?code }}
  OPTIONAL {{ ?item wdt:P1588 ?bps }}
  OPTIONAL {{ ?item wdt:P625 ?coord }}
}}"""


def refresh_snapshot(
    units: Iterable[UnitRow],
    folder: Path,
    endpoint: str = WIKIDATA,
    politeness: Politeness | None = None,
    *,
    client: Client | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[Entity]:
    """Query ``endpoint`` for ``units`` and write the snapshot (CSV + JSON) into ``folder``,
    continuing from the progress file of an earlier run stopped halfway."""
    units = tuple(sorted(units, key=lambda u: u.code))
    client = client or Client(endpoint, politeness or Politeness.of(Settings()))
    journal = Journal(folder / PROGRESS, {"endpoint": endpoint, "units": _fingerprint(units)}, progress)
    found: dict[str, Entity] = {}
    refused: list[str] = []
    try:

        def ask(query: str) -> list[dict[str, str]]:
            return journal.ask(query, client.select)

        _by_code(units, ask, found, refused, progress)
        for level in ("regency", "district", "village"):
            _by_name(units, level, ask, found, refused, progress)
        entities = sorted(found.values(), key=lambda e: (e.code or "~", e.qid))
        write_snapshot(
            folder,
            entities,
            {
                "retrieved": dt.date.today().isoformat(),
                "started": journal.started,
                "endpoint": endpoint,
                "units": len(units),
                "requests": journal.count,
                "queries": [CODE_QUERY, CHILDREN_QUERY],
                "values_per_request": {"codes": CODES_PER_REQUEST, "parents": PARENTS_PER_REQUEST},
                "refused": refused[:REFUSED_LISTED],
                "refused_total": len(refused),
                "source": f"Wikidata, queried at {endpoint} by kkb-lod link --refresh",
            },
        )
    finally:
        journal.close()
    journal.finish()
    progress(
        f"snapshot written: {len(entities):,} items from {journal.count:,} requests"
        + (f"; {len(refused)} values refused (listed in {SNAPSHOT_META})" if refused else "")
    )
    return entities


Ask = Callable[[str], list[dict[str, str]]]


def _by_code(
    units: tuple[UnitRow, ...],
    ask: Ask,
    found: dict[str, Entity],
    refused: list[str],
    progress: Callable[[str], None],
) -> None:
    """The items carrying the units' Kemendagri codes (P2588)."""
    codes = [u.code for u in units]
    for batch in _batches(f"codes of {len(units):,} units", codes, CODES_PER_REQUEST, progress):
        for row in ask(CODE_QUERY.format(codes=" ".join(f'"{c}"' for c in batch))):
            _keep(found, row, "", refused)


def _by_name(
    units: tuple[UnitRow, ...],
    level: str,
    ask: Ask,
    found: dict[str, Entity],
    refused: list[str],
    progress: Callable[[str], None],
) -> None:
    """The items of ``level`` in a linked parent whose label names a unit of it still unmatched."""
    wanted = _unmatched_by_parent(units, found, level)
    classes = " ".join(f"wd:{q}" for q, lv in CLASS_LEVELS.items() if lv == level)
    for batch in _batches(
        f"names of {sum(map(len, wanted.values())):,} unmatched {level} units under their parent",
        sorted(wanted),
        PARENTS_PER_REQUEST,
        progress,
    ):
        query = CHILDREN_QUERY.format(parents=" ".join(f"wd:{q}" for q in batch), classes=classes)
        for row in ask(query):
            names = wanted.get(_qid(row.get("parent", "")), set())
            labels = {row.get("labelId", ""), row.get("labelEn", "")} - {""}
            if {name_key(label, level) for label in labels} & names:
                _keep(found, row, level, refused)


def _batches(
    what: str, items: Sequence[str], size: int, progress: Callable[[str], None]
) -> Iterator[Sequence[str]]:
    """``items`` in slices of ``size``, reporting about every tenth of them."""
    total = -(-len(items) // size)
    if total:
        progress(f"{what}: {total:,} requests")
    step = total // 10 or total
    for n in range(total):
        yield items[n * size : (n + 1) * size]
        if (n + 1) % step == 0 or n + 1 == total:
            progress(f"  {n + 1:,}/{total:,} requests answered")


def _unmatched_by_parent(
    units: tuple[UnitRow, ...], found: dict[str, Entity], level: str
) -> dict[str, set[str]]:
    """Parent item → name keys of its ``level`` units that no item of that level carries the code
    of, for the parents the matcher links as things stand (only the levels above are matched)."""
    levels = LEVELS[: LEVELS.index(level)]
    above = tuple(u for u in units if u.level in levels)
    items = Snapshot(tuple(e for e in found.values() if e.level in levels))  # all they can match
    linked = {d.unit.code: d.qid for d in match_units(above, items, {}) if d.status == "linked"}
    coded = {e.code for e in found.values() if e.code and e.level == level}
    wanted: dict[str, set[str]] = {}
    for u in units:
        if u.level == level and u.code not in coded and u.parent_code in linked:
            wanted.setdefault(linked[u.parent_code], set()).add(name_key(u.name, level))
    return wanted


def _qid(uri: str) -> str:
    return uri.removeprefix(ENTITY) if uri.startswith(ENTITY) else ""


def _keep(found: dict[str, Entity], row: dict[str, str], level: str, refused: list[str]) -> None:
    """Add the item of ``row`` (one row per class, label and coordinate combination)."""
    qid = _qid(row.get("item", ""))
    if not QID_RE.match(qid):
        refused.append(f"item {row.get('item', '')[:80]!r}: is not a Wikidata item")
        return
    code = row.get("code", "")
    code = code if is_code(code) else ""
    level = level_of(code) if code else level
    if qid in found and (found[qid].level or not level):
        return
    lat, lon = _point(row.get("coord", ""))
    values = {
        "label_id": row.get("labelId", ""),
        "label_en": row.get("labelEn", ""),
        "bps_code": row.get("bps", ""),
        "parent_qid": _qid(row.get("parent", "")),
        "latitude": lat,
        "longitude": lon,
    }
    for column, value in values.items():
        try:
            if len(value) > LIMITS.cell_chars:
                raise CellError(f"is longer than {LIMITS.cell_chars:,} characters")
            if why := unsafe_character(value, column):
                raise CellError(why)
            SNAPSHOT_COLUMNS[column](value)
        except CellError as err:
            refused.append(f"{qid} {column} {value[:80]!r}: {err}")
            values[column] = ""
    found[qid] = Entity(qid=qid, level=level, code=code, code_source="P2588" if code else "", **values)


def _point(wkt: str) -> tuple[str, str]:
    """Latitude and longitude of a WKT ``Point(lon lat)``."""
    if wkt.startswith("Point(") and wkt.endswith(")"):
        lon, _, lat = wkt[6:-1].partition(" ")
        return lat, lon
    return "", ""


def _fingerprint(units: tuple[UnitRow, ...]) -> str:
    """What the requests depend on: the units' codes, names, levels and parents."""
    text = "\n".join(f"{u.code}\t{u.name}\t{u.level}\t{u.parent_code or ''}" for u in units)
    return hashlib.sha256(text.encode()).hexdigest()


def write_snapshot(folder: Path, entities: list[Entity], meta: dict) -> None:
    """Write the snapshot files next to the old ones, then replace the table in one rename and
    its description after it (a run stopped between the two renames rewrites both next time,
    from the progress file, which is removed only after them)."""
    csv_path, meta_path = folder / SNAPSHOT, folder / SNAPSHOT_META
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    tmp, meta_tmp = csv_path.with_suffix(".csv.tmp"), meta_path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        columns = [c.name for c in fields(Entity)]
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([getattr(e, c) for c in columns] for e in entities)
        f.flush()
        os.fsync(f.fileno())
    with open(meta_tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(csv_path)
    meta_tmp.replace(meta_path)
