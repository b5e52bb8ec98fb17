"""The registry's own fields on the pages (issue #16): a KKB's kampung name, registry id,
inauguration, Pokja decree and annual records; the registry row a fact comes from; and, for the
landing and place pages, KKB per classification and poktan per year.

Asked of the store in SPARQL over the terms of ``ontology/kkb.ttl`` (kkb:registryId …
kkb:annualRecord, the kkb:ClassificationScheme and kkb:PoktanScheme concepts). Every word shown for
a data value — a classification, a poktan, a village's kind — is the concept's or class's label in
the store, in the page's language; templates only add the words of the page itself.
Every IRI put into a query here was minted by the Minter or comes
from the store's own answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, URIRef

from kkb_lod.vocab import RDFS, SKOS
from kkb_lod.web._charts import StackedChart, stacked_chart
from kkb_lod.web._pages import label, local_url, select

#: A KKB's registry fields and its Pokja decree (one row: the fields are single-valued).
FIELDS = """SELECT ?rid ?name ?sub ?idate ?iby ?d ?dnum ?ddate WHERE {
  OPTIONAL { <%(iri)s> kkb:registryId ?rid }
  OPTIONAL { <%(iri)s> kkb:kampungName ?name }
  OPTIONAL { <%(iri)s> kkb:subVillageArea ?sub }
  OPTIONAL { <%(iri)s> kkb:inaugurationDate ?idate }
  OPTIONAL { <%(iri)s> kkb:inauguratedBy ?iby }
  OPTIONAL { <%(iri)s> kkb:pokjaDecree ?d
             OPTIONAL { ?d kkb:decreeNumber ?dnum } OPTIONAL { ?d dcterms:issued ?ddate } }
} LIMIT 1"""
#: The KKB's village, and the Indonesian name of its kind (Desa, Kelurahan, Desa adat).
VILLAGE = """SELECT ?vname ?kind WHERE {
  <%(iri)s> kkb:village ?v . ?v rdfs:label ?vname .
  OPTIONAL { VALUES ?k { kkb:Desa kkb:Kelurahan kkb:DesaAdat } ?v a ?k .
             ?k rdfs:label ?kind FILTER (lang(?kind) = "id") }
} LIMIT 1"""
#: A KKB's annual records: year, classification, poktan (one row each), Rumah DataKu.
ANNUAL = """SELECT ?r ?year ?c ?p ?dataku WHERE {
  <%(iri)s> kkb:annualRecord ?r .
  OPTIONAL { ?r kkb:year ?year }
  OPTIONAL { ?r kkb:classification ?c }
  OPTIONAL { ?r kkb:poktan ?p }
  OPTIONAL { ?r kkb:hasRumahDataKu ?dataku }
}"""
#: The registry rows ``iri`` is derived from: file, sheet (workbooks only) and row.
RECORDS = """SELECT ?rec ?file ?sheet ?row WHERE {
  <%(iri)s> prov:wasDerivedFrom ?rec . ?rec a kkb:RegistryRecord .
  OPTIONAL { ?rec kkb:recordFile ?file } OPTIONAL { ?rec kkb:recordSheet ?sheet }
  OPTIONAL { ?rec kkb:recordRow ?row }
}"""
#: The labels (both languages) and notation of some concepts.
CONCEPTS = """SELECT ?c ?label ?lang ?notation WHERE {
  VALUES ?c { %(iris)s }
  OPTIONAL { ?c skos:prefLabel|rdfs:label ?label BIND (lang(?label) AS ?lang) }
  OPTIONAL { ?c skos:notation ?notation }
}"""
#: The concepts of a scheme of ours (in it, at its top, or of its class).
SCHEME = """SELECT DISTINCT ?c WHERE {
  { ?c skos:inScheme kkb:%(scheme)s } UNION { ?c skos:topConceptOf kkb:%(scheme)s }
  UNION { ?c a kkb:%(cls)s } }"""
#: KKB (within the scope) per year and classification.
CLASS_YEARS = """SELECT ?year ?c (COUNT(DISTINCT ?k) AS ?n) WHERE {
  %(scope)s ?k kkb:annualRecord ?r . ?r kkb:year ?year ; kkb:classification ?c
} GROUP BY ?year ?c"""
#: KKB (within the scope) per year and poktan.
POKTAN_YEARS = """SELECT ?year ?p (COUNT(DISTINCT ?k) AS ?n) WHERE {
  %(scope)s ?k kkb:annualRecord ?r . ?r kkb:year ?year ; kkb:poktan ?p
} GROUP BY ?year ?p"""
#: KKB (within the scope) with an annual record per year, and those with a Rumah DataKu.
YEAR_TOTALS = """SELECT ?year (COUNT(DISTINCT ?k) AS ?n) (COUNT(DISTINCT ?kd) AS ?dataku) WHERE {
  %(scope)s ?k kkb:annualRecord ?r . ?r kkb:year ?year .
  OPTIONAL { ?kd kkb:annualRecord ?r . ?r kkb:hasRumahDataKu true }
} GROUP BY ?year ORDER BY ?year"""
#: The scope of the counts: every KKB, or those in the villages at or below a place. Written
#: from the place down (Oxigraph joins in the order written; see ``_describe.CONTEXT``).
ALL = "?k a kkb:KKBDesignation ."
WITHIN = "?v kkb:partOf* <%(iri)s> . ?k kkb:village ?v ."


@dataclass(frozen=True)
class Concept:
    """A concept as a page shows it: its label in the page's language, link and notation."""

    iri: str
    text: str
    href: str | None
    notation: str

    @property
    def order(self) -> tuple:
        """Notation order (numeric when it is a number), then label."""
        n = self.notation
        return (0, int(n), "") if n.isdigit() else (1, 0, n or self.text)


def concepts(iris: Iterable[str], lang: str) -> dict[str, Concept]:
    """The concepts named, labelled in ``lang`` (else the other language, else their name)."""
    iris = sorted(set(iris))
    if not iris:
        return {}
    labels: dict[str, dict[str, str]] = {c: {} for c in iris}
    notations: dict[str, str] = {}
    for r in select(CONCEPTS % {"iris": " ".join(f"<{c}>" for c in iris)}):
        if r["label"]:
            labels[r["c"]].setdefault(r["lang"], r["label"])
        if r["notation"]:
            notations.setdefault(r["c"], r["notation"])
    found = {}
    for c in iris:
        by_lang = labels[c]
        text = next((by_lang[k] for k in (lang, "id", "en", "") if k in by_lang),
                    c.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        found[c] = Concept(c, text, local_url(c), notations.get(c, ""))
    return found


def scheme(name: str, cls: str, used: Iterable[str], lang: str) -> list[Concept]:
    """The concepts of ``kkb:{name}`` (or of the class ``kkb:{cls}``) and any others ``used``,
    in notation order: every column a table may need, counted or not."""
    iris = {r["c"] for r in select(SCHEME % {"scheme": name, "cls": cls})} | set(used)
    return sorted(concepts(iris, lang).values(), key=lambda c: c.order)


# -- a KKB's page -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnnualRow:
    """One annual record of a KKB."""

    year: str
    href: str | None
    classification: Concept | None
    poktan: tuple[Concept, ...]
    dataku: bool | None  # None: not known


@dataclass(frozen=True)
class RegistryFields:
    """What the registry says of a KKB beyond its village (every field may be absent)."""

    heading: str | None  # "Kampung KB Cempaka — Desa Patih Muhur Lama", when it has a name
    kampung_name: str
    registry_id: str
    sub_village: str
    inauguration_date: str
    inaugurated_by: str
    decree_href: str | None
    decree_number: str
    decree_date: str
    years: tuple[AnnualRow, ...]
    lang: str = "id"

    @property
    def inauguration_text(self) -> str:
        return long_date(self.inauguration_date, self.lang)

    @property
    def decree_date_text(self) -> str:
        return long_date(self.decree_date, self.lang)

    @property
    def shown(self) -> bool:
        """Whether there is anything to show."""
        return any((self.kampung_name, self.registry_id, self.sub_village, self.inauguration_date,
                    self.inaugurated_by, self.decree_href, self.years))


#: The properties :class:`RegistryFields` shows, left out of the page's table of properties.
SHOWN = frozenset("https://w3id.org/kkb/def#" + p for p in (
    "registryId", "kampungName", "subVillageArea", "inaugurationDate", "inauguratedBy",
    "pokjaDecree", "annualRecord"))


def registry_fields(iri: str, lang: str) -> RegistryFields:
    """The registry fields of the KKB ``iri``, its annual records by year."""
    f = (select(FIELDS % {"iri": iri}) or [{}])[0]
    name = f.get("name", "")
    heading = None
    if name:
        village = select(VILLAGE % {"iri": iri})
        place = " ".join(filter(None, (village[0]["kind"], village[0]["vname"]))) if village else ""
        heading = f"Kampung KB {name}" + (f" — {place}" if place else "")
    return RegistryFields(heading, name, f.get("rid", ""), f.get("sub", ""), f.get("idate", ""),
                          f.get("iby", ""), local_url(f["d"]) if f.get("d") else None,
                          f.get("dnum", ""), f.get("ddate", ""), annual_records(iri, lang), lang)


MONTHS = {"id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                 "September", "Oktober", "November", "Desember"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December")}


def long_date(iso: str, lang: str) -> str:
    """``2019-03-12`` as the page's language writes it (12 Maret 2019, 12 March 2019); any other
    text as it is."""
    parts = iso.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        return iso
    return f"{int(parts[2])} {MONTHS.get(lang, MONTHS['id'])[int(parts[1]) - 1]} {parts[0]}"


def annual_records(iri: str, lang: str) -> tuple[AnnualRow, ...]:
    """The KKB's annual records, oldest first, with their concepts labelled in ``lang``."""
    rows = select(ANNUAL % {"iri": iri})
    named = concepts({r["c"] for r in rows if r["c"]} | {r["p"] for r in rows if r["p"]}, lang)
    records: dict[str, dict] = {}
    for r in rows:
        rec = records.setdefault(r["r"], {"year": r["year"], "c": None, "p": set(), "d": None})
        if r["c"]:
            rec["c"] = named[r["c"]]
        if r["p"]:
            rec["p"].add(r["p"])
        if r["dataku"]:
            rec["d"] = r["dataku"] in ("true", "1")
    return tuple(sorted((AnnualRow(v["year"], local_url(k), v["c"],
                                   tuple(sorted((named[p] for p in v["p"]), key=lambda c: c.order)),
                                   v["d"]) for k, v in records.items()),
                        key=lambda a: (a.year, a.href or "")))


@dataclass(frozen=True)
class RecordRef:
    """A registry row a resource is derived from: "registry/registry.xlsx, Kampung KB, row 12"."""

    href: str | None
    iri: str
    file: str
    sheet: str
    row: str


def registry_records(iri: str) -> list[RecordRef]:
    """The registry rows ``iri`` is derived from (none for a fact from a news article)."""
    return sorted((RecordRef(local_url(r["rec"]), r["rec"], r["file"], r["sheet"], r["row"])
                   for r in select(RECORDS % {"iri": iri})),
                  key=lambda r: (r.file, r.sheet, int(r.row) if r.row.isdigit() else 0))


# -- the landing and place pages ---------------------------------------------------------------

@dataclass(frozen=True)
class YearRow:
    """One year of the tables: KKB with a record, per classification, per poktan, DataKu."""

    year: str
    kkb: int
    classes: tuple[int, ...]
    poktan: tuple[int, ...]
    dataku: int

    @property
    def classified(self) -> int:
        return sum(self.classes)


@dataclass(frozen=True)
class YearFigures:
    """KKB per classification and poktan per year, with the stacked chart of the former."""

    classes: tuple[Concept, ...]
    poktan: tuple[Concept, ...]
    rows: tuple[YearRow, ...]
    chart: StackedChart | None  # None when no record has a classification


def year_figures(lang: str, within: str | None = None) -> YearFigures | None:
    """The figures per year of every KKB, or of those ``within`` a place; None when no KKB has
    an annual record (the pages then show nothing of it)."""
    scope = ALL if within is None else WITHIN % {"iri": within}
    totals = select(YEAR_TOTALS % {"scope": scope})
    if not totals:
        return None
    by_class = {(r["year"], r["c"]): int(r["n"]) for r in select(CLASS_YEARS % {"scope": scope})}
    by_poktan = {(r["year"], r["p"]): int(r["n"]) for r in select(POKTAN_YEARS % {"scope": scope})}
    classes = scheme("ClassificationScheme", "Classification", {c for _, c in by_class}, lang)
    poktan = scheme("PoktanScheme", "PoktanKind", {p for _, p in by_poktan}, lang)
    rows = tuple(YearRow(t["year"], int(t["n"]),
                         tuple(by_class.get((t["year"], c.iri), 0) for c in classes),
                         tuple(by_poktan.get((t["year"], p.iri), 0) for p in poktan),
                         int(t["dataku"])) for t in totals)
    chart = stacked_chart(((r.year, r.classes) for r in rows), [c.text for c in classes]) \
        if by_class else None
    return YearFigures(tuple(classes), tuple(poktan), rows, chart)


# -- the pages of a decree, an annual record, a registry row -------------------------------------

def part_title(graph: Graph, iri: str, part: str, lang: str) -> str | None:
    """A title for a resource below a KKB or a registry row that the store gives no label:
    "SK Pokja — {KKB}", "{KKB} — 2024", "Registri: {file}, lembar {sheet}, baris {row}"."""
    node = URIRef(iri)
    if any(graph.objects(node, RDFS.label)) or any(graph.objects(node, SKOS.prefLabel)):
        return None
    in_id = lang == "id"
    if part == "record":
        def value(local: str) -> str:
            return str(graph.value(node, URIRef("https://w3id.org/kkb/def#" + local)) or "")
        sheet, row = value("recordSheet"), value("recordRow")
        return ("Registri: " if in_id else "Registry: ") + value("recordFile") + (
            (", lembar " if in_id else ", sheet ") + sheet if sheet else "") + (
            (", baris " if in_id else ", row ") + row if row else "")
    owner = label(graph, URIRef(iri.rsplit("/", 1)[0]), lang)
    if part == "pokja":
        return ("SK Pokja — " if in_id else "Pokja decree — ") + owner
    return f"{owner} — {part}"
