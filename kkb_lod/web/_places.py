"""What the landing and resource pages draw — KKB per kecamatan, maps of boundaries, the family
functions a KKB's guidance worked on — asked of the store in SPARQL (the web layer's only way to
its data) and handed to the pure geometry of :mod:`kkb_lod.web._charts`.

Rows go to the templates as the queries name them, with ``…_href`` links to our pages added by
:func:`linked`. Every IRI put into a query here was minted by :class:`kkb_lod.iris.Minter` or
comes from the store's own answer, never from the request as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kkb_lod.names import english_name
from kkb_lod.web._charts import MAX_BARS, Area, BarChart, Point, PointMap, bar_chart, point_map, rings_of_wkt
from kkb_lod.web._pages import local_url, select
from kkb_lod.web._registry import year_figures

#: Most villages a map draws (the national list has 83,000; a province up to several thousand).
MAX_CONTEXT_POINTS = 3000
#: Most KKB the landing page maps, and most it lists as text (the rest: a SPARQL query away).
MAX_KKB_POINTS, MAX_KKB_LISTED = 5000, 500
#: Most regencies the landing page lists (the country has 514: all of them fit).
MAX_REGENCIES = 600
#: Most regencies whose borders (and kecamatan borders) a map draws; beyond, their centroids.
MAX_OUTLINED = 40
#: The provinces whose districts are *distrik* by law: Papua and the provinces formed from it
#: (Kemendagri codes 91-96; see the region data's README, "level").
DISTRIK_PROVINCES = frozenset({"91", "92", "93", "94", "95", "96"})

#: KKB per administrative unit at a level: ``up`` is the path from a KKB's village to it.
PER_UNIT = """SELECT ?u ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {
  ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf%(up)s ?u . ?u rdfs:label ?name
} GROUP BY ?u ?name ORDER BY DESC(?n) ?name"""
#: The levels the landing chart may count by, finest first, with the path up to each.
LEVELS = (("district", ""), ("regency", "/kkb:partOf"), ("province", "/kkb:partOf/kkb:partOf"))
#: Every KKB village with its position and boundary (where known), kecamatan and the KKB's label.
KKB_PLACES = """SELECT DISTINCT ?kkb ?kkb_iri ?village ?village_iri ?district ?district_iri ?lat ?long ?wkt
WHERE {
  ?kkb_iri a kkb:KKBDesignation ; kkb:village ?village_iri ; rdfs:label ?kkb .
  FILTER (lang(?kkb) = "%(lang)s")
  ?village_iri rdfs:label ?village ; kkb:partOf ?district_iri . ?district_iri rdfs:label ?district .
  OPTIONAL { ?village_iri geo:lat ?lat ; geo:long ?long }
  OPTIONAL { ?village_iri geosparql:hasGeometry ?g . ?g geosparql:asWKT ?wkt }
} ORDER BY ?district ?village LIMIT %(limit)d"""
#: The other villages of the regencies that have KKB: the context of the landing map.
CONTEXT_VILLAGES = """SELECT DISTINCT ?v ?vname ?lat ?long ?wkt WHERE {
  ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r .
  ?v a kkb:Village ; kkb:partOf/kkb:partOf ?r ; rdfs:label ?vname .
  OPTIONAL { ?v geo:lat ?lat ; geo:long ?long }
  OPTIONAL { ?v geosparql:hasGeometry ?g . ?g geosparql:asWKT ?wkt }
  FILTER (BOUND(?lat) || BOUND(?wkt))
  FILTER NOT EXISTS { ?other kkb:village ?v }
} LIMIT %(limit)d"""
#: The boundaries of some units (regencies, a province, the page's own place). DISTINCT here and
#: below: with ``reference = all`` a covered unit's triples are in two graphs of the union.
BOUNDARIES = """SELECT DISTINCT ?u ?name ?wkt WHERE {
  VALUES ?u { %(units)s }
  ?u rdfs:label ?name ; geosparql:hasGeometry ?g . ?g geosparql:asWKT ?wkt }"""
#: The boundaries of the kecamatan of some regencies.
DISTRICT_BOUNDARIES = """SELECT DISTINCT ?u ?name ?wkt WHERE {
  VALUES ?r { %(regencies)s }
  ?u kkb:partOf ?r ; a kkb:District ; rdfs:label ?name ; geosparql:hasGeometry ?g .
  ?g geosparql:asWKT ?wkt }"""
#: The regency or city that ``iri`` (a village, kecamatan, regency or KKB) is in or is.
REGENCY_OF = """SELECT DISTINCT ?r WHERE {
  <%(iri)s> kkb:village?/kkb:partOf* ?r . ?r a kkb:RegencyOrCity }"""
#: The regencies and cities within ``iri`` (a province).
REGENCIES_IN = """SELECT DISTINCT ?r WHERE { ?r a kkb:RegencyOrCity ; kkb:partOf <%(iri)s> }"""
#: The villages of some regencies with their kecamatan, and the village of ``iri`` and the KKB.
#: Plain joins only: Virtuoso 7 refuses EXISTS inside BIND and paths inside UNION.
VILLAGES_OF = """SELECT DISTINCT ?v ?vname ?lat ?long ?wkt ?d ?r ?at ?k WHERE {
  VALUES ?r { %(regencies)s }
  ?v a kkb:Village ; kkb:partOf ?d ; rdfs:label ?vname .
  ?d kkb:partOf ?r .
  OPTIONAL { ?v geo:lat ?lat ; geo:long ?long }
  OPTIONAL { ?v geosparql:hasGeometry ?g . ?g geosparql:asWKT ?wkt }
  FILTER (BOUND(?lat) || BOUND(?wkt))
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
#: Per regency or city with KKB: its KKB, the kecamatan they are in, all its villages, its
#: centroid and province. Two grouped subqueries, so no KKB x village product is ever formed.
PER_REGENCY = """SELECT DISTINCT ?name ?name_iri ?lat ?long ?province ?province_iri ?pcode ?kkb ?districts
  ?villages WHERE {
  { SELECT ?name_iri (COUNT(DISTINCT ?k) AS ?kkb) (COUNT(DISTINCT ?d) AS ?districts) WHERE {
      ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d . ?d kkb:partOf ?name_iri }
    GROUP BY ?name_iri }
  { SELECT ?name_iri (COUNT(DISTINCT ?v) AS ?villages) WHERE {
      ?v a kkb:Village ; kkb:partOf/kkb:partOf ?name_iri } GROUP BY ?name_iri }
  ?name_iri rdfs:label ?name ; kkb:partOf ?province_iri .
  ?province_iri rdfs:label ?province ; kkb:kemendagriCode ?pcode .
  OPTIONAL { ?name_iri geo:lat ?lat ; geo:long ?long }
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
WITHIN = {
    "province": ("/kkb:partOf/kkb:partOf", "/kkb:partOf"),
    "regency": ("/kkb:partOf", ""),
    "district": ("", None),
}


def linked(rows: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    """``rows`` with a link ``{name}_href`` to the page of each ``{name}_iri``."""
    for row in rows:
        row.update({f"{n}_href": local_url(row[f"{n}_iri"]) for n in names})
    return rows


def at(row: dict[str, Any], name: str, href: str | None, role: str = "other") -> Point:
    """A point at the ``lat`` and ``long`` of a row."""
    return Point(name, float(row["lat"]), float(row["long"]), href, role)


def kkb_per_unit() -> tuple[str, BarChart]:
    """The landing page's chart: KKB per kecamatan when the registry is one regency's, else per
    regency or city, or per province when there are too many of those to draw (a national
    registry has KKB in hundreds of them). Bars link to the units' pages."""
    regencies = select(PER_UNIT % {"up": LEVELS[1][1]})
    for level, up in LEVELS[1:] if len(regencies) > 1 else LEVELS:
        rows = regencies if level == "regency" else select(PER_UNIT % {"up": up})
        if len(rows) <= MAX_BARS or level == LEVELS[-1][0]:
            return level, bar_chart((r["name"], float(r["n"]), local_url(r["u"])) for r in rows)
    raise AssertionError("unreachable: the last level always returns")


def area(row: dict[str, Any], name: str, href: str | None, role: str = "other", here: bool = False) -> Area:
    """The boundary in the ``wkt`` of a row."""
    return Area(name, rings_of_wkt(row["wkt"]), href, role, here)


Row = dict[str, Any]


def drawn(
    rows: Iterable[Row],
    name: str,
    href: Callable[[Row], str | None],
    role: Callable[[Row], str],
    here: Callable[[Row], bool] = lambda r: False,
) -> tuple[list[Area], list[Point]]:
    """Each row as its boundary (filled as its ``role`` says, outlined if ``here``), or as its
    centroid when it has none."""
    areas, points = [], []
    for r in rows:
        if r["wkt"]:
            areas.append(area(r, r[name], href(r), role(r), here(r)))
        elif r["lat"] and r["long"]:
            points.append(at(r, r[name], href(r), "here" if here(r) else role(r)))
    return areas, points


def outlines(units: Iterable[str], regencies: Iterable[str], here: str | None = None) -> list[Area]:
    """The borders of ``units`` and of the kecamatan of ``regencies`` (those the store has a
    boundary for), ``here``'s marked as the page's own."""
    units, regencies = sorted(set(units)), sorted(set(regencies))
    rows = select(BOUNDARIES % {"units": " ".join(f"<{u}>" for u in units)}) if units else []
    if regencies:
        rows += select(DISTRICT_BOUNDARIES % {"regencies": " ".join(f"<{r}>" for r in regencies)})
    return [area(r, r["name"], local_url(r["u"]), "outline", r["u"] == here) for r in rows]


def landing_map(places: list[dict[str, Any]], centres: list[Point], regencies: list[str]) -> PointMap | None:
    """KKB villages (filled) among the other villages of their regencies, inside the borders of
    those regencies and their kecamatan, and the regencies' centroids (``centres``: given when
    there are several)."""
    context = select(CONTEXT_VILLAGES % {"limit": MAX_CONTEXT_POINTS})
    areas, points = drawn(context, "vname", lambda r: local_url(r["v"]), lambda r: "other")
    kkb_areas, kkb_points = drawn(places, "village", lambda r: r["village_href"], lambda r: "kkb")
    if not kkb_areas and not kkb_points:
        return None
    # a few regencies: their borders (one: its kecamatan's too); many: their centroids only
    borders = outlines(
        regencies if len(regencies) <= MAX_OUTLINED else (), regencies if len(regencies) == 1 else ()
    )
    return point_map([*points, *centres, *kkb_points], areas=[*areas, *kkb_areas, *borders])


def place_map(iri: str) -> PointMap | None:
    """The map of a place's page (or a KKB's): its regency's villages (boundaries where the store
    has them, else centroids) inside the borders of the regency and its kecamatan, the place
    itself outlined.

    On the page of a district or regency the villages within it are marked, its KKB apart; on a
    village's page, the KKB around it. None when nothing at or below the place has a position.
    """
    regencies = [r["r"] for r in select(REGENCY_OF % {"iri": iri})]
    above = not regencies  # a province: every village of its regencies is within it
    if above:
        regencies = [r["r"] for r in select(REGENCIES_IN % {"iri": iri})]
    if not regencies:
        return None
    rows = select(
        VILLAGES_OF
        % {"iri": iri, "limit": MAX_CONTEXT_POINTS, "regencies": " ".join(f"<{r}>" for r in regencies)}
    )
    inside = {r["v"] for r in rows if above or iri in (r["d"], r["r"])}

    def here(r: dict[str, str]) -> bool:
        return r["v"] == iri or bool(r["at"])

    def role(r: dict[str, str]) -> str:
        if r["k"] and (r["v"] in inside or not inside or here(r)):
            return "kkb"
        return "inside" if r["v"] in inside or here(r) else "other"

    if not any(here(r) or role(r) in ("inside", "kkb") and inside for r in rows):
        return None
    areas, points = drawn(rows, "vname", lambda r: local_url(r["v"]), role, here)
    units = [*regencies, iri] if above else regencies
    borders = outlines(units, regencies if len(regencies) <= MAX_OUTLINED else (), iri)
    return point_map(points, areas=[*areas, *borders])


def family_functions(iri: str, lang: str) -> list[dict[str, Any]]:
    """All eight family functions (``notation``, ``label``, ``href``), each with what this KKB's
    guidance did for it (``worked``: the activities' ``href``, ``year`` and ``status``)."""
    found: dict[str, dict[str, Any]] = {}
    for r in select(FUNCTIONS % {"iri": iri, "lang": lang}):
        f = found.setdefault(
            r["f"], {"notation": r["notation"], "label": r["label"], "href": local_url(r["f"]), "worked": []}
        )
        if r["a"]:
            f["worked"].append(
                {"href": local_url(r["a"]), "year": r["year"], "status": r["statusLabel"] or r["status"]}
            )
    return sorted(found.values(), key=lambda f: int(f["notation"]) if f["notation"].isdigit() else 99)


def district_word(distrik: set[bool]) -> str:
    """What the district level is called where the units are (``distrik``: whether each is in
    the Papua provinces): ``distrik`` there, ``kecamatan`` elsewhere, both when a registry spans
    both."""
    return {frozenset({True}): "distrik", frozenset({True, False}): "kecamatan/distrik"}.get(
        frozenset(distrik), "kecamatan"
    )


def landing_view(lang: str) -> dict:
    """What the landing page draws beyond its figures: the chart, the map, the KKB as text and
    (for a registry over several regencies) the figures per regency or city."""
    places = linked(
        select(KKB_PLACES % {"lang": lang, "limit": MAX_KKB_POINTS}), "kkb", "village", "district"
    )
    level, chart = kkb_per_unit()
    areas = linked(select(PER_REGENCY % {"limit": MAX_REGENCIES}), "name", "province")
    for a in areas:
        a.update(
            href=a["name_href"], name_en=english_name(a["name"]), distrik=a["pcode"] in DISTRIK_PROVINCES
        )
    centres = [
        at(a, a["name"], a["href"], "regency") for a in areas if a["lat"] and a["long"] and len(areas) > 1
    ]
    regencies = [a["name_iri"] for a in areas]
    provinces = {(a["province"], a["province_href"]): None for a in areas}
    return {
        "chart": chart,
        "level": level,
        "places": places[:MAX_KKB_LISTED],
        "map": landing_map(places, centres, regencies),
        "areas": areas,
        "provinces": list(provinces),
        "district_word": district_word({a["distrik"] for a in areas}),
        "years": year_figures(lang),
    }


def place_summary(iri: str, kind: str) -> dict | None:
    """A province's, regency's or district's KKB summed up: the units within it (regencies,
    districts or villages), each with its KKB and villages, and the chart of KKB per unit.
    None for other kinds."""
    if kind not in WITHIN:
        return None
    up, village_up = WITHIN[kind]
    villages = (
        {r["u"]: int(r["n"]) for r in select(CHILD_VILLAGES % {"iri": iri, "down": village_up})}
        if village_up is not None
        else {}
    )
    units: list[dict[str, Any]] = [
        {
            "name": r["name"],
            "href": local_url(r["u"]),
            "kkb": int(r["n"]),
            "villages": villages.get(r["u"], 0) if village_up is not None else 1,
        }
        for r in select(CHILD_KKB % {"iri": iri, "down": up, "limit": MAX_CONTEXT_POINTS})
    ]
    chart = bar_chart((u["name"], float(u["kkb"]), u["href"]) for u in units) if kind != "district" else None
    codes = {r["c"] for r in select(PROVINCE_CODE % {"iri": iri})}
    return {
        "kind": kind,
        "units": units,
        "kkb": sum(u["kkb"] for u in units),
        "villages": sum(u["villages"] for u in units),
        "chart": chart,
        "district_word": district_word({c in DISTRIK_PROVINCES for c in codes}),
    }
