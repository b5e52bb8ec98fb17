"""The registry's own fields on the pages (issue #16): a KKB's kampung name, registry id,
inauguration, Pokja decree and annual records; the registry row a fact comes from; and, for the
landing and place pages, KKB per classification and poktan per year.

Asked of the store in SPARQL over the terms of ``ontology/kkb.ttl``. Every word shown for a data
value (a classification, a poktan, a village's kind) is the concept's or class's label in the
store, in the page's language; templates only add the words of the page itself. Every IRI put
into a query here was minted by the Minter or comes from the store's own answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph, URIRef

from kkb_lod.vocab import KKB, RDFS, SKOS
from kkb_lod.web._charts import stacked_chart
from kkb_lod.web._pages import label, local_url, select

#: A KKB's registry fields and its Pokja decree (one row: the fields are single-valued), named
#: as the template names them.
FIELDS = """SELECT * WHERE {
  OPTIONAL { <%(iri)s> kkb:registryId ?registry_id }
  OPTIONAL { <%(iri)s> kkb:kampungName ?kampung_name }
  OPTIONAL { <%(iri)s> kkb:subVillageArea ?sub_village }
  OPTIONAL { <%(iri)s> kkb:inaugurationDate ?inauguration_date }
  OPTIONAL { <%(iri)s> kkb:inauguratedBy ?inaugurated_by }
  OPTIONAL { <%(iri)s> kkb:pokjaDecree ?decree OPTIONAL { ?decree kkb:decreeNumber ?decree_number }
             OPTIONAL { ?decree dcterms:issued ?decree_date } }
  OPTIONAL { <%(iri)s> kkb:village ?v . ?v rdfs:label ?village
             OPTIONAL { VALUES ?k { kkb:Desa kkb:Kelurahan kkb:DesaAdat } ?v a ?k .
                        ?k rdfs:label ?village_kind FILTER (lang(?village_kind) = "id") } }
} LIMIT 1"""
#: A KKB's annual records: year, classification, poktan (one row each), Rumah DataKu.
ANNUAL = """SELECT ?r ?year ?c ?p ?dataku WHERE {
  <%(iri)s> kkb:annualRecord ?r .
  OPTIONAL { ?r kkb:year ?year } OPTIONAL { ?r kkb:classification ?c }
  OPTIONAL { ?r kkb:poktan ?p } OPTIONAL { ?r kkb:hasRumahDataKu ?dataku }
}"""
#: The registry rows ``iri`` is derived from: file, sheet (workbooks only) and row.
RECORDS = """SELECT ?iri ?file ?sheet ?row WHERE {
  <%(iri)s> prov:wasDerivedFrom ?iri . ?iri a kkb:RegistryRecord .
  OPTIONAL { ?iri kkb:recordFile ?file } OPTIONAL { ?iri kkb:recordSheet ?sheet }
  OPTIONAL { ?iri kkb:recordRow ?row }
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
#: KKB (within the scope) per year and classification or poktan (``what``).
PER_YEAR = """SELECT ?year ?c (COUNT(DISTINCT ?k) AS ?n) WHERE {
  %(scope)s ?k kkb:annualRecord ?r . ?r kkb:year ?year ; kkb:%(what)s ?c
} GROUP BY ?year ?c"""
#: KKB (within the scope) with an annual record per year, and those with a Rumah DataKu.
YEAR_TOTALS = """SELECT ?year (COUNT(DISTINCT ?k) AS ?n) (COUNT(DISTINCT ?kd) AS ?dataku) WHERE {
  %(scope)s ?k kkb:annualRecord ?r . ?r kkb:year ?year .
  OPTIONAL { ?kd kkb:annualRecord ?r . ?r kkb:hasRumahDataKu true }
} GROUP BY ?year ORDER BY ?year"""
#: The scope of the counts: every KKB, or those in the villages at or below a place. Written
#: from the place down (Oxigraph joins in the order written; see ``_describe.CONTEXT``).
ALL = "?k a kkb:KKBDesignation ."
WITHIN = "?v kkb:partOf* <%(iri)s> . ?k kkb:village ?v ."
#: The properties the registry section shows, left out of the page's table of properties.
SHOWN = frozenset(
    str(p)
    for p in (
        KKB.registryId,
        KKB.kampungName,
        KKB.subVillageArea,
        KKB.inaugurationDate,
        KKB.inauguratedBy,
        KKB.pokjaDecree,
        KKB.annualRecord,
    )
)
#: The fields of :func:`registry_fields` any of which makes the registry section worth showing.
SHOWN_FIELDS = (
    "kampung_name registry_id sub_village years inauguration_date inaugurated_by decree_href"
).split()
#: Where a registry row is: its file, sheet and row.
RECORD_PLACE = (KKB.recordFile, KKB.recordSheet, KKB.recordRow)
MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "en": "January February March April May June July August September October November December",
}


def concepts(iris: Iterable[str], lang: str) -> dict[str, dict[str, Any]]:
    """The concepts named (``iri``, ``text``, ``href``, ``notation``), labelled in ``lang``
    (else the other language, else their name)."""
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
    return {
        c: {
            "iri": c,
            "href": local_url(c),
            "notation": notations.get(c, ""),
            "text": next(
                (labels[c][k] for k in (lang, "id", "en", "") if k in labels[c]),
                c.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
            ),
        }
        for c in iris
    }


def order(concept: dict[str, Any]) -> tuple:
    """Notation order (numeric when it is a number), then label."""
    n = concept["notation"]
    return (0, int(n), "") if n.isdigit() else (1, 0, n or concept["text"])


def scheme(name: str, cls: str, used: Iterable[str], lang: str) -> list[dict[str, Any]]:
    """The concepts of ``kkb:{name}`` (or of the class ``kkb:{cls}``) and any others ``used``,
    in notation order: every column a table may need, counted or not."""
    iris = {r["c"] for r in select(SCHEME % {"scheme": name, "cls": cls})} | set(used)
    return sorted(concepts(iris, lang).values(), key=order)


def long_date(iso: str, lang: str) -> str:
    """``2019-03-12`` as the page's language writes it (12 Maret 2019, 12 March 2019); any other
    text as it is."""
    parts = iso.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        return iso
    return f"{int(parts[2])} {MONTHS.get(lang, MONTHS['id']).split()[int(parts[1]) - 1]} {parts[0]}"


def registry_fields(iri: str, lang: str) -> dict[str, Any]:
    """What the registry says of the KKB ``iri`` beyond its village (every field may be
    absent), its annual records by year, and ``heading`` ("Kampung KB Cempaka — Desa Patih
    Muhur Lama", when it has a name) and ``shown`` (whether there is anything to show)."""
    f: dict[str, Any] = (select(FIELDS % {"iri": iri}) or [{}])[0]
    place = " ".join(filter(None, (f.get("village_kind"), f.get("village"))))
    name = f.get("kampung_name")
    f.update(
        heading=name and f"Kampung KB {name}" + (f" — {place}" if place else ""),
        decree_href=local_url(f["decree"]) if f.get("decree") else None,
        inauguration_text=long_date(f.get("inauguration_date", ""), lang),
        decree_date_text=long_date(f.get("decree_date", ""), lang),
        years=annual_records(iri, lang),
    )
    f["shown"] = any(f.get(k) for k in SHOWN_FIELDS)
    return f


def annual_records(iri: str, lang: str) -> list[dict[str, Any]]:
    """The KKB's annual records, oldest first, with their concepts labelled in ``lang``."""
    rows = select(ANNUAL % {"iri": iri})
    named = concepts({r["c"] for r in rows if r["c"]} | {r["p"] for r in rows if r["p"]}, lang)
    records: dict[str, dict] = {}
    for r in rows:
        rec = records.setdefault(
            r["r"],
            {
                "year": r["year"],
                "href": local_url(r["r"]),
                "classification": None,
                "poktan": set(),
                "dataku": None,
            },
        )
        rec["classification"] = named[r["c"]] if r["c"] else rec["classification"]
        rec["poktan"] |= {r["p"]} if r["p"] else set()
        if r["dataku"]:
            rec["dataku"] = r["dataku"] in ("true", "1")
    for rec in records.values():
        rec["poktan"] = sorted((named[p] for p in rec["poktan"]), key=order)
    return sorted(records.values(), key=lambda a: (a["year"], a["href"] or ""))


def registry_records(iri: str) -> list[dict[str, Any]]:
    """The registry rows ``iri`` is derived from (none for a fact from a news article):
    "registry/registry.xlsx, Kampung KB, row 12"."""
    return sorted(
        ({**r, "href": local_url(r["iri"])} for r in select(RECORDS % {"iri": iri})),
        key=lambda r: (r["file"], r["sheet"], int(r["row"]) if r["row"].isdigit() else 0),
    )


def year_figures(lang: str, within: str | None = None) -> dict[str, Any] | None:
    """KKB per classification and poktan per year, of every KKB or of those ``within`` a place,
    with the stacked chart of the former (None when no record has a classification); None when
    no KKB has an annual record (the pages then show nothing of it)."""
    scope = ALL if within is None else WITHIN % {"iri": within}
    totals = select(YEAR_TOTALS % {"scope": scope})
    if not totals:
        return None
    counts = {
        what: {(r["year"], r["c"]): int(r["n"]) for r in select(PER_YEAR % {"scope": scope, "what": what})}
        for what in ("classification", "poktan")
    }
    classes = scheme("ClassificationScheme", "Classification", {c for _, c in counts["classification"]}, lang)
    poktan = scheme("PoktanScheme", "PoktanKind", {p for _, p in counts["poktan"]}, lang)
    rows: list[dict[str, Any]] = [
        {
            "year": t["year"],
            "kkb": int(t["n"]),
            "dataku": int(t["dataku"]),
            "classes": [counts["classification"].get((t["year"], c["iri"]), 0) for c in classes],
            "poktan": [counts["poktan"].get((t["year"], p["iri"]), 0) for p in poktan],
        }
        for t in totals
    ]
    for row in rows:
        row["classified"] = sum(row["classes"])
    chart = (
        stacked_chart(((r["year"], r["classes"]) for r in rows), [c["text"] for c in classes])
        if counts["classification"]
        else None
    )
    return {"classes": classes, "poktan": poktan, "rows": rows, "chart": chart}


def part_title(graph: Graph, iri: str, part: str, lang: str) -> str | None:
    """A title for a resource below a KKB or a registry row that the store gives no label:
    "SK Pokja — {KKB}", "{KKB} — 2024", "Registri: {file}, lembar {sheet}, baris {row}"."""
    node = URIRef(iri)
    if any(graph.objects(node, RDFS.label)) or any(graph.objects(node, SKOS.prefLabel)):
        return None
    in_id = lang == "id"
    if part == "record":
        file, sheet, row = (str(graph.value(node, p) or "") for p in RECORD_PLACE)
        named = zip(("lembar", "baris") if in_id else ("sheet", "row"), (sheet, row), strict=True)
        return ", ".join(
            [
                ("Registri: " if in_id else "Registry: ") + file,
                *(f"{word} {value}" for word, value in named if value),
            ]
        )
    owner = label(graph, URIRef(iri.rsplit("/", 1)[0]), lang)
    if part == "pokja":
        return ("SK Pokja — " if in_id else "Pokja decree — ") + owner
    if part == "geometry":  # a unit's boundary (kkb_lod.geometry)
        return ("Batas wilayah — " if in_id else "Boundary — ") + owner
    return f"{owner} — {part}"
