"""What the landing and resource pages draw — KKB per kecamatan, maps of villages, the family
functions a KKB's guidance worked on — asked of the store in SPARQL (the web layer's only way to
its data) and handed to the pure geometry of :mod:`kkb_lod.web._charts`.

Every IRI put into a query here was minted by :class:`kkb_lod.iris.Minter` or comes from the
store's own answer, never from the request as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kkb_lod.names import english_name
from kkb_lod.web._charts import MAX_BARS, BarChart, Point, PointMap, bar_chart, point_map
from kkb_lod.web._pages import local_url, select
from kkb_lod.web._registry import year_figures

#: Most villages a map draws (the national list has 83,000; a province up to several thousand).
MAX_CONTEXT_POINTS = 3000
#: Most KKB the landing page maps, and most it lists as text (the rest: a SPARQL query away).
MAX_KKB_POINTS, MAX_KKB_LISTED = 5000, 500

#: KKB per administrative unit at a level: ``up`` is the path from a KKB's village to it.
PER_UNIT = """SELECT ?u ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {
  ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf%(up)s ?u . ?u rdfs:label ?name
} GROUP BY ?u ?name ORDER BY DESC(?n) ?name"""
#: The levels the landing chart may count by, finest first, with the path up to each.
LEVELS = (("district", ""), ("regency", "/kkb:partOf"), ("province", "/kkb:partOf/kkb:partOf"))

#: Every KKB village with its position (where known), kecamatan and the KKB's label.
KKB_PLACES = """SELECT ?k ?klabel ?v ?vname ?d ?dname ?lat ?long WHERE {
  ?k a kkb:KKBDesignation ; kkb:village ?v ; rdfs:label ?klabel .
  FILTER (lang(?klabel) = "%(lang)s")
  ?v rdfs:label ?vname ; kkb:partOf ?d . ?d rdfs:label ?dname .
  OPTIONAL { ?v geo:lat ?lat ; geo:long ?long }
} ORDER BY ?dname ?vname LIMIT %(limit)d"""

#: The other villages of the regencies that have KKB: the context of the landing map.
CONTEXT_VILLAGES = """SELECT DISTINCT ?v ?vname ?lat ?long WHERE {
  ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r .
  ?v a kkb:Village ; kkb:partOf/kkb:partOf ?r ; rdfs:label ?vname ; geo:lat ?lat ; geo:long ?long .
  FILTER NOT EXISTS { ?other kkb:village ?v }
} LIMIT %(limit)d"""

#: The regency or city that ``iri`` (a village, kecamatan, regency or KKB) is in or is.
REGENCY_OF = """SELECT DISTINCT ?r WHERE {
  <%(iri)s> kkb:village?/kkb:partOf* ?r . ?r a kkb:RegencyOrCity }"""
#: The regencies and cities within ``iri`` (a province).
REGENCIES_IN = """SELECT DISTINCT ?r WHERE { ?r a kkb:RegencyOrCity ; kkb:partOf <%(iri)s> }"""
#: The villages of some regencies with their kecamatan, and the village of ``iri`` and the KKB.
#: Plain joins only: Virtuoso 7 refuses EXISTS inside BIND and paths inside UNION.
VILLAGES_OF = """SELECT ?v ?vname ?lat ?long ?d ?r ?at ?k WHERE {
  VALUES ?r { %(regencies)s }
  ?v a kkb:Village ; kkb:partOf ?d ; rdfs:label ?vname ; geo:lat ?lat ; geo:long ?long .
  ?d kkb:partOf ?r .
  OPTIONAL { <%(iri)s> kkb:village ?v . BIND (true AS ?at) }
  OPTIONAL { ?k kkb:village ?v }
} LIMIT %(limit)d"""

#: The eight family functions, and for each the guidance activities of ``iri`` that worked on it.
FUNCTIONS = """SELECT ?f ?notation ?label ?a ?year ?status ?statusLabel WHERE {
  ?f a kkb:FamilyFunction ; skos:notation ?notation ; skos:prefLabel ?label .
  FILTER (lang(?label) = "%(lang)s")
  OPTIONAL {
    ?a kkb:guides <%(iri)s> ; kkb:strengthens ?f .
    OPTIONAL { ?a kkb:year ?year }
    OPTIONAL { ?a kkb:status ?status . ?status skos:prefLabel ?statusLabel
               FILTER (lang(?statusLabel) = "%(lang)s") }
  }
} ORDER BY ?notation ?year"""


def kkb_per_unit() -> tuple[str, BarChart]:
    """The landing page's chart: KKB per kecamatan when the registry is one regency's, else per
    regency or city, or per province when there are too many of those to draw (a national
    registry has KKB in hundreds of them). Bars link to the units' pages."""
    several = len(select(PER_UNIT % {"up": LEVELS[1][1]})) > 1
    for level, up in LEVELS[1:] if several else LEVELS:
        rows = select(PER_UNIT % {"up": up})
        if len(rows) <= MAX_BARS or level == LEVELS[-1][0]:
            return level, bar_chart((r["name"], float(r["n"]), local_url(r["u"])) for r in rows)
    raise AssertionError("unreachable: the last level always returns")


@dataclass(frozen=True)
class KkbPlace:
    """A row of the KKB list that goes with the landing map (and stands in for it)."""

    kkb: str
    kkb_href: str | None
    village: str
    village_href: str | None
    district: str
    district_href: str | None
    lat: str
    long: str


def kkb_places(lang: str) -> list[KkbPlace]:
    """Every KKB village, with its kecamatan and position where known."""
    return [KkbPlace(r["klabel"], local_url(r["k"]), r["vname"], local_url(r["v"]), r["dname"],
                     local_url(r["d"]), r["lat"], r["long"])
            for r in select(KKB_PLACES % {"lang": lang, "limit": MAX_KKB_POINTS})]


def landing_map(places: list[KkbPlace], centres: Sequence[Point] = ()) -> PointMap | None:
    """KKB villages on top of the other villages of their regencies, and the regencies'
    centroids (``centres``: given when there are several)."""
    context = [Point(r["vname"], float(r["lat"]), float(r["long"]), local_url(r["v"]))
               for r in select(CONTEXT_VILLAGES % {"limit": MAX_CONTEXT_POINTS})]
    kkb = [Point(p.village, float(p.lat), float(p.long), p.village_href, "kkb")
           for p in places if p.lat and p.long]
    return point_map([*context, *centres, *kkb]) if kkb else None


def place_map(iri: str) -> PointMap | None:
    """The map of a place's page (or a KKB's): its regency's villages, itself highlighted.

    On the page of a district or regency the villages within it are marked, its KKB apart; on a
    village's page, the KKB around it. None when nothing at or below the place has a position.
    """
    regencies = [r["r"] for r in select(REGENCY_OF % {"iri": iri})]
    above = not regencies  # a province: every village of its regencies is within it
    if above:
        regencies = [r["r"] for r in select(REGENCIES_IN % {"iri": iri})]
    if not regencies:
        return None
    rows = select(VILLAGES_OF % {"iri": iri, "limit": MAX_CONTEXT_POINTS,
                                "regencies": " ".join(f"<{r}>" for r in regencies)})
    inside = {r["v"] for r in rows if above or iri in (r["d"], r["r"])}

    def role(r: dict[str, str]) -> str:
        if r["v"] == iri or r["at"]:
            return "here"
        if r["k"] and (r["v"] in inside or not inside):
            return "kkb"
        return "inside" if r["v"] in inside else "other"

    points = [Point(r["vname"], float(r["lat"]), float(r["long"]), local_url(r["v"]), role(r))
              for r in rows]
    if not any(p.role in ("here", "inside", "kkb") for p in points if inside or p.role == "here"):
        return None
    return point_map(points)


@dataclass(frozen=True)
class Worked:
    """A guidance activity that worked on a family function: when and how far."""

    href: str | None
    year: str
    status: str


@dataclass(frozen=True)
class FamilyFunction:
    """One of the eight family functions and the activities of a KKB that worked on it."""

    notation: str
    label: str
    href: str | None
    worked: tuple[Worked, ...]


def family_functions(iri: str, lang: str) -> list[FamilyFunction]:
    """All eight family functions, each with what this KKB's guidance did for it (maybe none)."""
    found: dict[str, FamilyFunction] = {}
    for r in select(FUNCTIONS % {"iri": iri, "lang": lang}):
        f = found.setdefault(r["f"], FamilyFunction(r["notation"], r["label"], local_url(r["f"]), ()))
        if r["a"]:
            worked = Worked(local_url(r["a"]), r["year"], r["statusLabel"] or r["status"])
            found[r["f"]] = FamilyFunction(f.notation, f.label, f.href, (*f.worked, worked))
    return sorted(found.values(), key=lambda f: int(f.notation) if f.notation.isdigit() else 99)


#: The provinces whose districts are *distrik* by law: Papua and the provinces formed from it
#: (Kemendagri codes 91-96; see the region data's README, "level").
DISTRIK_PROVINCES = frozenset({"91", "92", "93", "94", "95", "96"})
#: Most regencies the landing page lists (the country has 514: all of them fit).
MAX_REGENCIES = 600

#: Per regency or city with KKB: its KKB, the kecamatan they are in, all its villages, its
#: centroid and province. Two grouped subqueries, so no KKB x village product is ever formed.
PER_REGENCY = """SELECT ?r ?name ?lat ?long ?p ?pname ?pcode ?kkb ?districts ?villages WHERE {
  { SELECT ?r (COUNT(DISTINCT ?k) AS ?kkb) (COUNT(DISTINCT ?d) AS ?districts) WHERE {
      ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d . ?d kkb:partOf ?r } GROUP BY ?r }
  { SELECT ?r (COUNT(DISTINCT ?v) AS ?villages) WHERE {
      ?v a kkb:Village ; kkb:partOf/kkb:partOf ?r } GROUP BY ?r }
  ?r rdfs:label ?name ; kkb:partOf ?p . ?p rdfs:label ?pname ; kkb:kemendagriCode ?pcode .
  OPTIONAL { ?r geo:lat ?lat ; geo:long ?long }
} ORDER BY DESC(?kkb) ?name LIMIT %(limit)d"""

#: The units directly within ``iri`` with the KKB within each (``down``: from a KKB's village up
#: to the unit), zero included.
CHILD_KKB = """SELECT ?u ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {
  ?u kkb:partOf <%(iri)s> ; rdfs:label ?name .
  OPTIONAL { ?k a kkb:KKBDesignation ; kkb:village%(down)s ?u }
} GROUP BY ?u ?name ORDER BY DESC(?n) ?name LIMIT %(limit)d"""
#: The villages within each unit directly within ``iri`` (``down``: from a village up to it).
CHILD_VILLAGES = """SELECT ?u (COUNT(DISTINCT ?v) AS ?n) WHERE {
  ?u kkb:partOf <%(iri)s> . ?v a kkb:Village ; kkb:partOf%(down)s ?u } GROUP BY ?u"""
#: The Kemendagri code of the province ``iri`` is in (or is).
PROVINCE_CODE = """SELECT ?c WHERE {
  <%(iri)s> kkb:partOf* ?p . ?p a kkb:Province ; kkb:kemendagriCode ?c } LIMIT 1"""
#: Per level of a place page: the path from a KKB's village up to a unit within the page's
#: place, and from a village up to it ("" for villages themselves: they are the units).
WITHIN = {"province": ("/kkb:partOf/kkb:partOf", "/kkb:partOf"), "regency": ("/kkb:partOf", ""),
          "district": ("", None)}


@dataclass(frozen=True)
class Area:
    """A regency or city with KKB, as the landing page sums it up."""

    name: str
    href: str | None
    province: str
    province_href: str | None
    distrik: bool  # its districts are distrik
    kkb: int
    districts: int  # the kecamatan (distrik) with KKB
    villages: int
    lat: str
    long: str

    @property
    def name_en(self) -> str:
        """The name as English writes it: "Kabupaten Katingan" is "Katingan Regency"."""
        return english_name(self.name)


def regencies_with_kkb() -> list[Area]:
    """Every regency or city with KKB, most KKB first."""
    return [Area(r["name"], local_url(r["r"]), r["pname"], local_url(r["p"]),
                 r["pcode"] in DISTRIK_PROVINCES, int(r["kkb"]), int(r["districts"]),
                 int(r["villages"]), r["lat"], r["long"])
            for r in select(PER_REGENCY % {"limit": MAX_REGENCIES})]


def district_word(areas: list[Area] | None = None, iri: str | None = None) -> str:
    """What the district level is called where ``areas`` are (or ``iri`` is): ``distrik`` in
    the Papua provinces, ``kecamatan`` elsewhere, both when a registry spans both."""
    if iri is not None:
        codes = {r["c"] for r in select(PROVINCE_CODE % {"iri": iri})}
        flags = {c in DISTRIK_PROVINCES for c in codes}
    else:
        flags = {a.distrik for a in areas or []}
    return {frozenset({True}): "distrik", frozenset({True, False}): "kecamatan/distrik"}.get(
        frozenset(flags), "kecamatan")


def landing_view(lang: str) -> dict:
    """What the landing page draws beyond its figures: the chart, the map, the KKB as text and
    (for a registry over several regencies) the figures per regency."""
    places = kkb_places(lang)
    level, chart = kkb_per_unit()
    areas = regencies_with_kkb()
    centres = [Point(a.name, float(a.lat), float(a.long), a.href, "regency")
               for a in areas if a.lat and a.long] if len(areas) > 1 else []
    provinces = {(a.province, a.province_href): None for a in areas}
    return {"chart": chart, "level": level, "places": places[:MAX_KKB_LISTED],
            "map": landing_map(places, centres), "areas": areas, "provinces": list(provinces),
            "district_word": district_word(areas), "years": year_figures(lang)}


@dataclass(frozen=True)
class Unit:
    """A unit within a place page's place: its KKB and villages."""

    name: str
    href: str | None
    kkb: int
    villages: int


def place_summary(iri: str, kind: str) -> dict | None:
    """A province's, regency's or district's KKB summed up: the units within it (regencies,
    districts or villages), each with its KKB and villages, and the chart of KKB per unit.
    None for other kinds."""
    if kind not in WITHIN:
        return None
    up, village_up = WITHIN[kind]
    rows = select(CHILD_KKB % {"iri": iri, "down": up, "limit": MAX_CONTEXT_POINTS})
    villages = {r["u"]: int(r["n"]) for r in select(
        CHILD_VILLAGES % {"iri": iri, "down": village_up})} if village_up is not None else {}
    units = [Unit(r["name"], local_url(r["u"]), int(r["n"]),
                  villages.get(r["u"], 0) if village_up is not None else 1) for r in rows]
    chart = bar_chart((u.name, float(u.kkb), u.href) for u in units) if kind != "district" else None
    return {"kind": kind, "units": units, "kkb": sum(u.kkb for u in units),
            "villages": sum(u.villages for u in units), "chart": chart,
            "district_word": district_word(iri=iri)}
