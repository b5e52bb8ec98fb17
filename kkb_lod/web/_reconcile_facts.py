"""What the reconciliation service knows of a unit: reference facts and the release's KKB facts.

Two sources answer, and each fact says which: the **packaged national reference**
(:mod:`kkb_lod.reference`: every Kemendagri 2025 unit, its kind, parent, postal code, coordinates,
the BPS crosswalk and the bundled province/regency Q-ids), so a unit outside the release's coverage
still reconciles, previews and extends; and the **release being served**, asked by SPARQL only
(KKB designations, their status and date, the release's Wikidata links). Nothing else is consulted
and nothing external is requested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kkb_lod.iris import is_code
from kkb_lod.reference import national_crosswalk, units_by_code, wikidata_rows
from kkb_lod.rows import UnitRow
from kkb_lod.store import Store
from kkb_lod.vocab import ONTOLOGY_IRI
from kkb_lod.web._charts import Point, PointMap, point_map

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
TYPES: dict[str, Type] = {t.id: t for t in (
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
)}
DEFAULT_TYPES = tuple(TYPES)[:7]
#: Short names a client may give instead of the class IRI (``type=desa``).
ALIASES = {t.id.removeprefix(DEF).lower(): t.id for t in TYPES.values()} | {
    "kkb": DEF + "KKBDesignation", "kabupaten": DEF + "Regency", "kota": DEF + "City",
    "kecamatan": DEF + "District", "provinsi": DEF + "Province"}
KIND_NAMES = {"kabupaten": "Kabupaten", "kota": "Kota", "desa": "Desa", "kelurahan": "Kelurahan",
              "desa_adat": "Desa adat"}
LEVEL_NAMES = {"province": "Provinsi", "regency": "Kabupaten/kota", "district": "Kecamatan",
               "village": "Desa/kelurahan"}
KKB_PREFIX = "kkb/"


def find_type(given: str) -> Type | None:
    """The type ``given`` names (its IRI, its local name or a short alias), None if unknown."""
    return TYPES.get(given) or TYPES.get(ALIASES.get(given.strip().lower(), ""))


def type_of(unit: UnitRow) -> Type:
    """The most specific type of a unit of the reference."""
    if unit.level == "regency":
        return TYPES[DEF + ("City" if unit.kind == "kota" else "Regency")]
    if unit.level == "village":
        return TYPES[DEF + {"kelurahan": "Kelurahan", "desa_adat": "DesaAdat"}.get(unit.kind or "", "Desa")]
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


@cache
def children() -> dict[str, tuple[UnitRow, ...]]:
    """Parent code → its units, from the reference (the preview's map draws a unit's siblings)."""
    found: dict[str, list[UnitRow]] = {}
    for unit in units_by_code().values():
        if unit.parent_code:
            found.setdefault(unit.parent_code, []).append(unit)
    return {code: tuple(units) for code, units in found.items()}


def mini_map(unit: UnitRow) -> PointMap | None:
    """A small map of ``unit`` among the other units of its parent (positions from the
    reference's polygon centroids; None when the unit has none)."""
    if not (unit.latitude and unit.longitude):
        return None
    siblings = children().get(unit.parent_code or "", ())
    points = [Point(u.name, float(u.latitude), float(u.longitude),
                    role="here" if u.code == unit.code else "other")
              for u in siblings if u.latitude and u.longitude] or [
        Point(unit.name, float(unit.latitude), float(unit.longitude), role="here")]
    return point_map(points, size=180, pad=10)


@cache
def bps_codes() -> dict[str, tuple[str, ...]]:
    """Kemendagri code → the BPS 2018 codes the crosswalk maps onto it."""
    found: dict[str, list[str]] = {}
    for row in national_crosswalk():
        if row.kemendagri_code:
            found.setdefault(row.kemendagri_code, []).append(row.bps_code)
    return {code: tuple(sorted(set(bps))) for code, bps in found.items()}


@cache
def by_bps() -> dict[str, tuple[str, ...]]:
    """BPS code → the Kemendagri codes the crosswalk maps it onto."""
    found: dict[str, set[str]] = {}
    for code, bps in bps_codes().items():
        for b in bps:
            found.setdefault(b, set()).add(code)
    return {b: tuple(sorted(codes)) for b, codes in found.items()}


@cache
def reference_qids() -> dict[str, str]:
    """Kemendagri code → the bundled Q-id (provinces and regencies only)."""
    return {r["code"]: r["wikidata_qid"] for r in wikidata_rows() if r["code"]}


@dataclass(frozen=True)
class ReleaseFacts:
    """What the release says of one unit."""

    in_release: bool = False
    kkb: str | None = None  # the designation's IRI
    status: str | None = None  # its status, as the ontology labels it (English)
    year: str | None = None
    wikidata: str | None = None  # the release's owl:sameAs to Wikidata


def release_facts(store: Store, base: str, codes: Iterable[str]) -> dict[str, ReleaseFacts]:
    """The release's facts about the units ``codes`` (checked codes only: they go into the
    query), in one SPARQL query."""
    codes = sorted({c for c in codes if is_code(c)})
    if not codes:
        return {}
    from kkb_lod.iris import level_of

    values = " ".join(f'("{c}" <{base}id/{level_of(c)}/{c}>)' for c in codes)
    query = f"""PREFIX kkb: <{DEF}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?code ?there ?kkb ?s ?status ?year ?wd WHERE {{
  VALUES (?code ?unit) {{ {values} }}
  OPTIONAL {{ ?unit kkb:kemendagriCode ?there }}
  OPTIONAL {{ ?kkb kkb:village ?unit ; a kkb:KKBDesignation .
             OPTIONAL {{ ?kkb kkb:status ?s
                        OPTIONAL {{ ?s rdfs:label ?status FILTER(langMatches(lang(?status), "en")) }} }}
             OPTIONAL {{ ?kkb kkb:designationYear ?year }} }}
  OPTIONAL {{ ?unit owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/")) }}
}}"""
    found: dict[str, ReleaseFacts] = {}
    for row in store.query(query):
        code = row["code"].value
        value = {k: (row[k].value if row[k] is not None else None)
                 for k in ("there", "kkb", "s", "status", "year", "wd")}
        status = value["status"] or (value["s"] or "").rsplit("#status", 1)[-1] or None
        found[code] = ReleaseFacts(value["there"] is not None, value["kkb"], status,
                                   value["year"], value["wd"])
    return found


def kkb_villages(store: Store) -> frozenset[str]:
    """Codes of the villages the release designates KKB."""
    rows = store.query(f"PREFIX kkb: <{DEF}>\nSELECT DISTINCT ?code WHERE {{ ?k a "
                       "kkb:KKBDesignation ; kkb:village ?v . ?v kkb:kemendagriCode ?code }")
    return frozenset(row["code"].value for row in rows)


__all__ = ["DEFAULT_TYPES", "KKB_PREFIX", "TYPES", "ReleaseFacts", "Type", "bps_codes", "by_bps",
           "chain", "children", "find_type", "kkb_villages", "mini_map", "reference_qids",
           "release_facts", "type_of", "unit_of"]
