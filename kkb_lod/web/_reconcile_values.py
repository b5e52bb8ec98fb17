"""Data extension for ``/reconcile``: the properties offered per type and their values.

Reference facts (code, BPS codes, postal code, kind, parents, coordinates, the bundled Q-ids of
provinces and regencies) come from the packaged national reference; KKB facts and the release's
own Wikidata links from the store, by SPARQL (:func:`release_facts`). A unit the data says nothing
about for a property gets an empty list, never a guess.
"""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import BadRequest

from kkb_lod.rows import UnitRow
from kkb_lod.store import Store
from kkb_lod.web._reconcile_facts import (
    DEF,
    LEVEL_NAMES,
    ReleaseFacts,
    Type,
    bps_codes,
    chain,
    reference_qids,
    release_facts,
    type_of,
    unit_of,
)

LEVELS = ("province", "regency", "district", "village")
#: id → (name, the levels that have it).
PROPERTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("Kemendagri code", LEVELS),
    "bps_code": ("BPS code (2018)", LEVELS),
    "postal_code": ("Postal code", ("village",)),
    "kind": ("Kind", LEVELS),
    "province": ("Province", LEVELS[1:]),
    "regency": ("Regency or city", LEVELS[2:]),
    "district": ("District (kecamatan)", LEVELS[3:]),
    "latitude": ("Latitude", LEVELS),
    "longitude": ("Longitude", LEVELS),
    "wikidata": ("Wikidata item", LEVELS),
    "kkb_designation": ("KKB designation", ("village",)),
    "kkb_status": ("KKB status", ("village",)),
    "kkb_year": ("KKB designation year", ("village",)),
}
ENTITY_TYPES = {"province": "Province", "regency": "RegencyOrCity", "district": "District"}


def proposals(t: Type) -> list[dict]:
    """The properties units of type ``t`` may have values for."""
    return [{"id": pid, "name": name} for pid, (name, levels) in PROPERTIES.items()
            if t.level in levels]


def extend_rows(query: dict[str, Any], store: Store, base: str, max_ids: int) -> dict:
    """The answer to a data extension query ``{ids, properties}``: ``{meta, rows}``."""
    ids, props = query.get("ids"), query.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest("'extend' must give 'ids', a list of entity ids (strings)")
    if len(ids) > max_ids:
        raise BadRequest(f"'extend' gives {len(ids)} ids; at most {max_ids} a request")
    if not isinstance(props, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str)
                                              for p in props):
        raise BadRequest("'extend' must give 'properties', a list of objects with an 'id'")
    unknown = sorted({p["id"] for p in props} - set(PROPERTIES))
    if unknown:
        raise BadRequest(f"unknown extension property {', '.join(map(repr, unknown))}; the "
                         f"properties are {', '.join(PROPERTIES)}")
    units = {i: unit_of(i) for i in ids}
    facts = release_facts(store, base, [u.code for u in units.values() if u is not None])
    meta = []
    for p in props:
        column = {"id": p["id"], "name": PROPERTIES[p["id"]][0]}
        if p["id"] in ENTITY_TYPES:
            column["type"] = {"id": DEF + ENTITY_TYPES[p["id"]], "name": LEVEL_NAMES[p["id"]]}
        meta.append(column)
    rows = {i: {p["id"]: (values(u, p["id"], facts.get(u.code, ReleaseFacts())) if u else [])
                for p in props} for i, u in units.items()}
    return {"meta": meta, "rows": rows}


def values(unit: UnitRow, pid: str, facts: ReleaseFacts) -> list[dict]:
    """The values of property ``pid`` for ``unit`` (empty when the data has none)."""
    if pid == "code":
        return [{"str": unit.code}]
    if pid == "bps_code":
        return [{"str": b} for b in bps_codes().get(unit.code, ())]
    if pid == "postal_code":
        return [{"str": unit.postal_code}] if unit.postal_code else []
    if pid == "kind":
        return [{"str": type_of(unit).name}]
    if pid in ENTITY_TYPES:
        return [{"id": a.code, "name": a.name} for a in chain(unit) if a.level == pid]
    if pid in ("latitude", "longitude"):
        value = getattr(unit, pid)
        return [{"float": float(value)}] if value else []
    if pid == "wikidata":
        qid = (facts.wikidata or "").rsplit("/", 1)[-1] or reference_qids().get(unit.code)
        return [{"str": qid}] if qid else []
    if pid == "kkb_designation":
        return [{"str": facts.kkb}] if facts.kkb else []
    if pid == "kkb_status":
        return [{"str": facts.status}] if facts.status else []
    if pid == "kkb_year":
        return [{"int": int(facts.year)}] if facts.year and facts.year.isdigit() else []
    return []


__all__ = ["PROPERTIES", "extend_rows", "proposals", "values"]
