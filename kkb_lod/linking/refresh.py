"""Rebuild the Wikidata snapshot from a live SPARQL endpoint, politely, through SPARQLWrapper.

Two passes: entities carrying our Kemendagri codes (P2588), in batches of ``BATCH`` codes; then,
for units still unmatched whose parent is matched, entities with the unit's name located in the
parent (P131), so the matcher can check the hierarchy. Every request has a descriptive
User-Agent and a timeout, and is retried with exponential back-off on 429 and 5xx, honouring
``Retry-After``. The snapshot records the date and the queries it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
import urllib.error
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from pathlib import Path

from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError

from kkb_lod import __version__
from kkb_lod.ingest import UnitRow
from kkb_lod.iris import is_code, level_of
from kkb_lod.linking import SNAPSHOT, SNAPSHOT_META, Entity

WIKIDATA = "https://query.wikidata.org/sparql"
USER_AGENT = (f"kkb-lod/{__version__} (Kampung Keluarga Berkualitas linked data; "
              "https://w3id.org/kkb/) SPARQLWrapper")
BATCH = 200
#: Wikidata classes of Indonesian units and their level (sources: docs/research-wikidata.md).
#: An item found by name whose class is none of these (a river, a person…) gets no level, and the
#: matcher never links an item to a unit of another level.
CLASS_LEVELS = {
    "Q5098": "province", "Q3191695": "regency", "Q3199141": "regency", "Q4272761": "regency",
    "Q11127777": "regency", "Q3700011": "district", "Q2225692": "village", "Q26211545": "village",
    "Q965568": "village",
}
RETRIES = 5

CODE_QUERY = """SELECT ?item ?code ?labelId ?labelEn ?bps ?parent ?coord WHERE {{
  VALUES ?code {{ {codes} }}
  ?item wdt:P2588 ?code .
  OPTIONAL {{ ?item rdfs:label ?labelId FILTER(LANG(?labelId) = "id") }}
  OPTIONAL {{ ?item rdfs:label ?labelEn FILTER(LANG(?labelEn) = "en") }}
  OPTIONAL {{ ?item wdt:P1588 ?bps }}
  OPTIONAL {{ ?item wdt:P131 ?parent }}
  OPTIONAL {{ ?item wdt:P625 ?coord }}
}}"""

NAME_QUERY = """SELECT ?item ?name ?parent ?code ?labelEn ?bps ?coord ?class WHERE {{
  VALUES (?parent ?name) {{ {pairs} }}
  ?item wdt:P131 ?parent ; rdfs:label ?name .
  OPTIONAL {{ ?item wdt:P31 ?class }}
  OPTIONAL {{ ?item wdt:P2588 ?code }}
  OPTIONAL {{ ?item rdfs:label ?labelEn FILTER(LANG(?labelEn) = "en") }}
  OPTIONAL {{ ?item wdt:P1588 ?bps }}
  OPTIONAL {{ ?item wdt:P625 ?coord }}
}}"""


class RefreshError(RuntimeError):
    """The endpoint could not be queried (after retries)."""


def run_query(endpoint: str, query: str, timeout: float = 60.0,
              sleep: Callable[[float], None] = time.sleep) -> list[dict[str, str]]:
    """SELECT ``query`` at ``endpoint``; rows as {variable: value}. Retries 429/5xx."""
    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    client.setQuery(query)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(timeout))
    for attempt in range(RETRIES):
        try:
            result = client.queryAndConvert()
            return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]
        except urllib.error.HTTPError as err:
            err.close()
            if err.code != 429 and err.code < 500 or attempt == RETRIES - 1:
                raise RefreshError(f"{endpoint} answered HTTP {err.code}") from err
            sleep(_retry_after(err.headers.get("Retry-After"), attempt))
        except EndPointInternalError as err:
            if attempt == RETRIES - 1:
                raise RefreshError(f"{endpoint} failed: {err}") from err
            sleep(_retry_after(None, attempt))
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            if attempt == RETRIES - 1:
                raise RefreshError(f"{endpoint} unreachable: {err}") from err
            sleep(_retry_after(None, attempt))
    raise RefreshError("unreachable")  # pragma: no cover - the loop returns or raises


def _retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After when it gives one, else 1, 2, 4, 8 s."""
    if header and header.strip().isdigit():
        return min(float(header), 300.0)
    return float(2**attempt)


def refresh_snapshot(units: Iterable[UnitRow], folder: Path, endpoint: str = WIKIDATA,
                     run: Callable[[str, str], list[dict[str, str]]] | None = None) -> list[Entity]:
    """Query ``endpoint`` for our units and write the snapshot (CSV + JSON) into ``folder``."""
    run = run or (lambda url, q: run_query(url, q))
    units = list(units)
    queries: list[str] = []
    found: dict[str, Entity] = {}
    codes = [u.code for u in units]
    for i in range(0, len(codes), BATCH):
        query = CODE_QUERY.format(codes=" ".join(f'"{c}"' for c in codes[i:i + BATCH]))
        queries.append(query)
        for row in run(endpoint, query):
            _keep(found, row, row.get("labelId", ""))
    matched = {e.code: e.qid for e in found.values() if e.code}
    pairs = [(matched[u.parent_code], u.name) for u in units
             if u.code not in matched and u.parent_code in matched]
    for i in range(0, len(pairs), BATCH):
        values = " ".join(f'(wd:{q} "{_escape(n)}"@id)' for q, n in pairs[i:i + BATCH])
        query = NAME_QUERY.format(pairs=values)
        queries.append(query)
        for row in run(endpoint, query):
            _keep(found, row, row.get("name", ""))
    entities = sorted(found.values(), key=lambda e: (e.code or "~", e.qid))
    write_snapshot(folder, entities, {
        "retrieved": dt.date.today().isoformat(), "endpoint": endpoint, "queries": queries,
        "source": f"Wikidata, queried at {endpoint} by kkb-lod link --refresh"})
    return entities


def _keep(found: dict[str, Entity], row: dict[str, str], label_id: str) -> None:
    qid = row["item"].rsplit("/", 1)[-1]
    code = row.get("code", "")
    lat, lon = _point(row.get("coord", ""))
    level = level_of(code) if is_code(code) else CLASS_LEVELS.get(
        row.get("class", "").rsplit("/", 1)[-1], "")
    if qid in found and (found[qid].level or not level):
        return  # several rows per item (one per class): keep the first that gives a level
    found[qid] = (Entity(
        qid=qid, label_id=label_id, label_en=row.get("labelEn", ""),
        level=level, code=code if is_code(code) else "",
        code_source="P2588" if is_code(code) else "", bps_code=row.get("bps", ""),
        parent_qid=row.get("parent", "").rsplit("/", 1)[-1], latitude=lat, longitude=lon))


def _point(wkt: str) -> tuple[str, str]:
    """Latitude and longitude of a WKT ``Point(lon lat)``."""
    if wkt.startswith("Point(") and wkt.endswith(")"):
        lon, _, lat = wkt[6:-1].partition(" ")
        return lat, lon
    return "", ""


def _escape(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def write_snapshot(folder: Path, entities: list[Entity], meta: dict) -> None:
    """Write the snapshot files, replacing the old ones only once both are complete."""
    csv_path, meta_path = folder / SNAPSHOT, folder / SNAPSHOT_META
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = csv_path.with_suffix(".csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [f.name for f in fields(Entity)], lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(e) for e in entities)
    meta_tmp = meta_path.with_suffix(".json.tmp")
    meta_tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(csv_path)
    meta_tmp.replace(meta_path)
