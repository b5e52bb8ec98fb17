"""What the reconciliation service knows of a unit, and the values a data extension gives.

Two sources answer, and each fact says which: the **packaged national reference**
(:mod:`kkb_lod.reference`: every Kemendagri 2025 unit, its kind, parent, postal code, coordinates,
the BPS crosswalk and the bundled province/regency Q-ids), so a unit outside the release's coverage
still reconciles, previews and extends; and the **release being served**, asked by SPARQL only
(KKB designations, their status and year, the release's Wikidata links). A unit the data says
nothing about for a property gets an empty list, never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from werkzeug.exceptions import BadRequest

from kkb_lod.iris import is_code, level_of
from kkb_lod.reference import national_crosswalk, units_by_code, wikidata_rows
from kkb_lod.rows import UnitRow
from kkb_lod.vocab import ONTOLOGY_IRI, WD
from kkb_lod.web._charts import Point, PointMap, point_map
from kkb_lod.web._pages import select, settings

DEF = ONTOLOGY_IRI + "#"


@dataclass(frozen=True)
class Type:
    """A reconciliation type: an ontology class and the units it takes (level, kinds)."""

    id: str
    name: str
    level: str
    kinds: tuple[str, ...] | None  # None: any kind of the level
    kkb: bool = False  # only villages with a KKB designation in the release


#: The types, by their ontology class (the manifest's defaultTypes are the first seven).
TYPES: dict[str, Type] = {
    t.id: t
    for t in (
        Type(DEF + "Province", "Provinsi (province)", "province", None),
        Type(DEF + "Regency", "Kabupaten (regency)", "regency", ("kabupaten",)),
        Type(DEF + "City", "Kota (city)", "regency", ("kota",)),
        Type(DEF + "District", "Kecamatan (district)", "district", None),
        Type(DEF + "Desa", "Desa (village)", "village", ("desa", "desa_adat")),
        Type(DEF + "Kelurahan", "Kelurahan (urban village)", "village", ("kelurahan",)),
        Type(DEF + "KKBDesignation", "Kampung Keluarga Berkualitas (KKB)", "village", None, kkb=True),
        Type(DEF + "RegencyOrCity", "Kabupaten atau kota (regency or city)", "regency", None),
        Type(DEF + "Village", "Desa atau kelurahan (any village)", "village", None),
        Type(DEF + "DesaAdat", "Desa adat (customary village)", "village", ("desa_adat",)),
    )
}
DEFAULT_TYPES = tuple(TYPES)[:7]
#: Short names a client may give instead of the class IRI (``type=desa``).
ALIASES = {t.id.removeprefix(DEF).lower(): t.id for t in TYPES.values()} | {
    "kkb": DEF + "KKBDesignation",
    "kabupaten": DEF + "Regency",
    "kota": DEF + "City",
    "kecamatan": DEF + "District",
    "provinsi": DEF + "Province",
}
KKB_PREFIX = "kkb/"
LEVELS = ("province", "regency", "district", "village")
#: Extension properties: id → (name, the levels that have it).
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
#: Extension properties whose values are units: id → the type of their values (class, name).
ENTITY_TYPES = {
    "province": ("Province", "Provinsi"),
    "regency": ("RegencyOrCity", "Kabupaten/kota"),
    "district": ("District", "Kecamatan"),
}


def type_of(unit: UnitRow) -> Type:
    """The most specific type of a unit of the reference."""
    if unit.level == "regency":
        return TYPES[DEF + ("City" if unit.kind == "kota" else "Regency")]
    if unit.level == "village":
        local = {"kelurahan": "Kelurahan", "desa_adat": "DesaAdat"}.get(unit.kind or "", "Desa")
        return TYPES[DEF + local]
    return TYPES[DEF + unit.level.capitalize()]


def unit_of(entity_id: str) -> UnitRow | None:
    """The unit an entity id names (a code, or ``kkb/`` and a village code), None if none."""
    code = entity_id.removeprefix(KKB_PREFIX)
    return units_by_code().get(code) if is_code(code) else None


def chain(unit: UnitRow) -> list[UnitRow]:
    """The units above ``unit``, nearest first."""
    units, found, parent = units_by_code(), [], unit.parent_code
    while parent and parent in units:
        found.append(units[parent])
        parent = units[parent].parent_code
    return found


def grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """key → its values, sorted and each once."""
    found = defaultdict(set)
    for key, value in pairs:
        found[key].add(value)
    return {key: tuple(sorted(values)) for key, values in found.items()}


@cache
def children() -> dict[str, tuple[str, ...]]:
    """Parent code → the codes of its units (the preview's map draws a unit's siblings)."""
    return grouped((u.parent_code, u.code) for u in units_by_code().values() if u.parent_code)


@cache
def bps_codes() -> dict[str, tuple[str, ...]]:
    """Kemendagri code → the BPS 2018 codes the crosswalk maps onto it."""
    return grouped((r.kemendagri_code, r.bps_code) for r in national_crosswalk() if r.kemendagri_code)


@cache
def by_bps() -> dict[str, tuple[str, ...]]:
    """BPS code → the Kemendagri codes the crosswalk maps it onto."""
    return grouped((b, code) for code, bps in bps_codes().items() for b in bps)


@cache
def reference_qids() -> dict[str, str]:
    """Kemendagri code → the bundled Q-id (provinces and regencies only)."""
    return {r["code"]: r["wikidata_qid"] for r in wikidata_rows() if r["code"]}


def mini_map(unit: UnitRow) -> PointMap | None:
    """A small map of ``unit`` among the other units of its parent (positions from the
    reference's polygon centroids; None when the unit has none)."""
    if not (unit.latitude and unit.longitude):
        return None
    units = units_by_code()
    siblings = [units[c] for c in children().get(unit.parent_code or "", ())] or [unit]
    return point_map(
        [
            Point(
                u.name, float(u.latitude), float(u.longitude), role="here" if u.code == unit.code else "other"
            )
            for u in siblings
            if u.latitude and u.longitude
        ],
        size=180,
        pad=10,
    )


#: The release's facts of some units (``VALUES``: code and IRI).
FACTS = """SELECT ?code ?there ?kkb ?s ?status ?year ?wd WHERE {
  VALUES (?code ?unit) { %s }
  OPTIONAL { ?unit kkb:kemendagriCode ?there }
  OPTIONAL { ?kkb kkb:village ?unit ; a kkb:KKBDesignation .
             OPTIONAL { ?kkb kkb:status ?s
                        OPTIONAL { ?s rdfs:label ?status FILTER(langMatches(lang(?status), "en")) } }
             OPTIONAL { ?kkb kkb:designationYear ?year } }
  OPTIONAL { ?unit owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), "%s")) }
}"""
#: The codes of the villages with a KKB designation.
KKB_VILLAGES = """SELECT DISTINCT ?code WHERE {
  ?k a kkb:KKBDesignation ; kkb:village ?v . ?v kkb:kemendagriCode ?code }"""


def release_facts(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the release says of the units ``codes`` (checked codes only: they go into the
    query), in one SPARQL query: ``in_release``, ``kkb`` (the designation's IRI), ``status``
    (as the ontology labels it in English), ``year`` and ``wikidata`` (its owl:sameAs)."""
    base = settings().base_iri
    values = " ".join(
        f'("{c}" <{base}id/{level_of(c)}/{c}>)' for c in sorted({c for c in codes if is_code(c)})
    )
    if not values:
        return {}
    return {
        r["code"]: {
            "in_release": bool(r["there"]),
            "kkb": r["kkb"] or None,
            "status": r["status"] or r["s"].rsplit("#status", 1)[-1] or None,
            "year": r["year"] or None,
            "wikidata": r["wd"] or None,
        }
        for r in select(FACTS % (values, WD))
    }


def kkb_villages() -> frozenset[str]:
    """Codes of the villages the release designates KKB."""
    return frozenset(r["code"] for r in select(KKB_VILLAGES))


def proposals(t: Type) -> list[dict]:
    """The properties units of type ``t`` may have values for."""
    return [{"id": pid, "name": name} for pid, (name, levels) in PROPERTIES.items() if t.level in levels]


def extend_rows(query: dict[str, Any], max_ids: int) -> dict:
    """The answer to a data extension query ``{ids, properties}``: ``{meta, rows}``."""
    ids, props = query.get("ids"), query.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest("'extend' must give 'ids', a list of entity ids (strings)")
    if len(ids) > max_ids:
        raise BadRequest(f"'extend' gives {len(ids)} ids; at most {max_ids} a request")
    if not isinstance(props, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in props
    ):
        raise BadRequest("'extend' must give 'properties', a list of objects with an 'id'")
    unknown = sorted({p["id"] for p in props} - set(PROPERTIES))
    if unknown:
        raise BadRequest(
            f"unknown extension property {', '.join(map(repr, unknown))}; the "
            f"properties are {', '.join(PROPERTIES)}"
        )
    units = {i: unit_of(i) for i in ids}
    facts = release_facts(u.code for u in units.values() if u is not None)
    meta = [{"id": p["id"], "name": PROPERTIES[p["id"]][0]} for p in props]
    for m in meta:
        if m["id"] in ENTITY_TYPES:
            cls, name = ENTITY_TYPES[m["id"]]
            m["type"] = {"id": DEF + cls, "name": name}
    rows = {
        i: {p["id"]: values(u, p["id"], facts.get(u.code, {})) if u else [] for p in props}
        for i, u in units.items()
    }
    return {"meta": meta, "rows": rows}


def values(unit: UnitRow, pid: str, facts: dict[str, Any]) -> list[dict]:
    """The values of property ``pid`` for ``unit`` (empty when the data has none)."""
    if pid == "bps_code":
        return [{"str": b} for b in bps_codes().get(unit.code, ())]
    if pid in ENTITY_TYPES:
        return [{"id": a.code, "name": a.name} for a in chain(unit) if a.level == pid]
    year = facts.get("year") or ""
    one = {
        "code": ("str", unit.code),
        "postal_code": ("str", unit.postal_code),
        "kind": ("str", type_of(unit).name),
        "latitude": ("float", float(unit.latitude) if unit.latitude else None),
        "longitude": ("float", float(unit.longitude) if unit.longitude else None),
        "wikidata": (
            "str",
            (facts.get("wikidata") or "").rsplit("/", 1)[-1] or reference_qids().get(unit.code),
        ),
        "kkb_designation": ("str", facts.get("kkb")),
        "kkb_status": ("str", facts.get("status")),
        "kkb_year": ("int", int(year) if year.isdigit() else None),
    }
    kind, value = one[pid]
    return [{kind: value}] if value is not None and value != "" else []
