"""What a resource page shows, asked of the store in SPARQL and shaped for the templates.

Two CONSTRUCT queries per resource: :data:`DESCRIBE` (its triples, the labels of what it points
to, and what points to it, with their labels: also the RDF answer) and :data:`CONTEXT` (what only
the page needs: property labels, breadcrumbs, the KKB below a place, data-quality notes). The IRI
put into them has been minted by :class:`kkb_lod.iris.Minter`, never taken from the request as is.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kkb_lod._convert import from_ox
from kkb_lod.vocab import DCTERMS, KKB, OWL, PROV, RDF, RDFS, SDO, SKOS, SPARQL_PROLOGUE
from kkb_lod.web._pages import label, local_url
from kkb_lod.web._results import is_web

#: The resource's own triples, the labels of its objects, and back-links with their labels.
DESCRIBE = (
    SPARQL_PROLOGUE
    + """CONSTRUCT {{ <{iri}> ?p ?o . ?o ?lp ?ol . ?s ?q <{iri}> . ?s ?sp ?sl . }}
WHERE {{
  {{ <{iri}> ?p ?o OPTIONAL {{ VALUES ?lp {{ rdfs:label skos:prefLabel }} ?o ?lp ?ol }} }}
  UNION
  {{ ?s ?q <{iri}> OPTIONAL {{ VALUES ?sp {{ rdfs:label skos:prefLabel }} ?s ?sp ?sl }} }}
}}"""
)

#: What only the HTML page needs, beyond :data:`DESCRIBE`. The KKB below the resource are found
#: from it downwards (the places within it, then their KKB): Oxigraph joins in the order written,
#: and starting from every KKB instead walked the whole registry for each page (35 ms at 1e6).
CONTEXT = (
    SPARQL_PROLOGUE
    + """CONSTRUCT {{ ?a rdfs:label ?al ; kkb:kemendagriCode ?ac . ?k kkb:village ?v ;
  rdfs:label ?kl . ?n ?np ?no . ?x rdfs:label ?xl . }}
WHERE {{
  {{ <{iri}> (kkb:village|kkb:partOf)/kkb:partOf* ?a . ?a rdfs:label ?al ; kkb:kemendagriCode ?ac }}
  UNION {{ ?v kkb:partOf* <{iri}> . ?k kkb:village ?v ; rdfs:label ?kl }}
  UNION {{ ?n kkb:concerns <{iri}> ; ?np ?no }}
  UNION {{ ?n kkb:concerns <{iri}> ; ?np ?x . ?x rdfs:label ?xl }}
  UNION {{ {{ <{iri}> ?x ?o }} UNION {{ ?s ?x <{iri}> }} ?x rdfs:label ?xl }}
  UNION {{ <{iri}> ?p ?o . ?o ?x ?o2 . ?x rdfs:label ?xl }}
}}"""
)

#: What a KKB, an activity, an objective, a programme or a statement page needs besides
#: :data:`CONTEXT`: who stated it (its statements, their qualified attribution and the speaker's
#: delegation, with labels) and, for a KKB, the source discrepancies of its village and of its
#: kecamatan in the KKB's own document. A query of its own, asked only for those kinds: each branch
#: added to CONTEXT cost every page more (Oxigraph plans a long UNION slower).
ATTRIBUTION = (
    SPARQL_PROLOGUE
    + """CONSTRUCT {{ ?n ?np ?no . ?no rdfs:label ?nl . ?st ?sp ?so . ?so ?sop ?soo . ?r rdfs:label ?rl .
  ?who prov:qualifiedDelegation ?d . ?d ?dp ?do . ?do rdfs:label ?dl . }}
WHERE {{
  {{ <{iri}> kkb:village ?c . ?n kkb:concerns ?c ; ?np ?no OPTIONAL {{ ?no rdfs:label ?nl }} }}
  UNION {{ <{iri}> kkb:village/kkb:partOf ?c ; prov:wasDerivedFrom ?doc .
    ?n kkb:concerns ?c ; dcterms:source ?doc ; ?np ?no OPTIONAL {{ ?no rdfs:label ?nl }} }}
  UNION {{ <{iri}> prov:hadPrimarySource? ?st . ?st a kkb:Statement ; ?sp ?so
    OPTIONAL {{ ?so ?sop ?soo FILTER (?sop IN (rdfs:label, prov:agent, prov:hadRole)) }}
    OPTIONAL {{ ?so prov:hadRole ?r . ?r rdfs:label ?rl }} }}
  UNION {{ <{iri}> prov:hadPrimarySource?/prov:wasAttributedTo ?who . ?who prov:qualifiedDelegation ?d .
    ?d ?dp ?do OPTIONAL {{ ?do rdfs:label ?dl }} }}
}}"""
)
#: The kinds of resource whose pages ask :data:`ATTRIBUTION` too.
ATTRIBUTED_KINDS = frozenset({"kkb", "activity", "objective", "programme", "statement"})


def context_queries(iri: str, kind: str) -> list[str]:
    """The CONSTRUCT queries whose answers, together, are the page's context graph."""
    return [CONTEXT.format(iri=iri)] + ([ATTRIBUTION.format(iri=iri)] if kind in ATTRIBUTED_KINDS else [])


#: Restatements shown once already under our own property (kkb:partOf, rdfs:label).
HIDDEN = {SDO.containedInPlace, SDO.containsPlace, SDO.name, SKOS.notation}
#: Qualified forms (blank nodes), shown in words in the attribution section instead.
QUALIFIED = {PROV.qualifiedAttribution, PROV.qualifiedDelegation}
#: What a data-quality note can be about (kkb:aspect), in the two page languages.
ASPECTS = {"name": ("nama", "name"), "kind": ("jenis wilayah", "kind of unit"), "count": ("jumlah", "count")}
#: The ontology page's sections: titles, the class of their terms, and the scheme (a section
#: of a scheme's concepts is left out when it has none).
ONTOLOGY_SECTIONS: tuple[tuple[str, str, URIRef, URIRef | None], ...] = (
    ("Kelas", "Classes", OWL.Class, None),
    ("Properti objek", "Object properties", OWL.ObjectProperty, None),
    ("Properti data", "Data properties", OWL.DatatypeProperty, None),
    ("Delapan fungsi keluarga", "The eight family functions", KKB.FamilyFunction, None),
    ("Status", "Statuses", KKB.Status, None),
    ("Klasifikasi Kampung KB", "Kampung KB classifications", KKB.Classification, KKB.ClassificationScheme),
    ("Kelompok kegiatan (poktan)", "Activity groups (poktan)", KKB.PoktanKind, KKB.PoktanScheme),
    ("Skema konsep", "Concept schemes", SKOS.ConceptScheme, None),
)


def to_graph(triples: Iterable) -> Graph:
    """An rdflib graph of pyoxigraph triples (the store's answer), for the page's lookups."""
    graph = Graph(bind_namespaces="none")  # binding rdflib's defaults costs more than the lookups
    for t in triples:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return graph


def resource_page(iri: str, graph: Graph, context: Graph, lang: str) -> dict:
    """The template variables of ``resource.html`` for ``iri``."""
    node, everything = URIRef(iri), Graph(bind_namespaces="none")
    everything += graph
    everything += context
    rows = _grouped(
        everything, ((p, o) for p, o in graph.predicate_objects(node) if p not in HIDDEN | QUALIFIED), lang
    )
    backlinks = _grouped(
        everything, ((p, s) for s, p in graph.subject_predicates(node) if p not in HIDDEN), lang
    )
    kkbs = sorted_terms(everything, set(context.subjects(KKB.village, None)) - {node}, lang)
    crumbs = sorted(
        (str(context.value(a, KKB.kemendagriCode)), term(everything, a, lang))
        for a in set(context.subjects(KKB.kemendagriCode, None))
    )
    notes = [_note(everything, n, lang) for n in sorted(set(context.subjects(KKB.concerns, None)), key=str)]
    excerpts = sorted(str(e) for e in graph.objects(node, KKB.sourceExcerpt))
    sources = [term(everything, s, lang) for s in sorted(graph.objects(node, PROV.wasDerivedFrom), key=str)]
    return {
        "iri": iri,
        "title": label(everything, node, lang),
        "rows": rows,
        "backlinks": backlinks,
        "types": sorted_terms(everything, graph.objects(node, RDF.type), lang),
        "kkbs": kkbs,
        "crumbs": [c for _, c in crumbs],
        "notes": notes,
        "sources": sources,
        "excerpts": excerpts,
        "attributions": attributions(everything, node, lang),
    }


def _note(graph: Graph, note: Node, lang: str) -> dict:
    """A data-quality note: what the source said, what the official list says, what is used."""
    aspect = str(graph.value(note, KKB.aspect) or "")
    return {
        "note": term(graph, note, lang),
        "about": [term(graph, a, lang) for a in sorted(graph.objects(note, KKB.concerns), key=str)],
        "aspect": ASPECTS.get(aspect, (aspect, aspect))[lang != "id"],
        "said": str(graph.value(note, KKB.valueInSource) or ""),
        "official": str(graph.value(note, KKB.valueInReference) or ""),
        "used": str(graph.value(note, KKB.valueUsed) or ""),
        "comment": text_in(graph, note, RDFS.comment, lang),
        "sources": [term(graph, s, lang) for s in sorted(graph.objects(note, DCTERMS.source), key=str)],
    }


def attributions(graph: Graph, node: URIRef, lang: str) -> list[dict]:
    """Who stated what the resource says (its ``prov:hadPrimarySource`` statements, or itself if
    it is one), grouped by speaker, post, principals and document: each group one line "stated by
    Sunawati (post) on behalf of Mario (post), in <document>" above its passages."""
    statements = set(graph.objects(node, PROV.hadPrimarySource))
    if (node, RDF.type, KKB.Statement) in graph:
        statements.add(node)
    groups: dict[tuple, dict] = {}
    for st in sorted(statements, key=str):
        for who in sorted(graph.objects(st, PROV.wasAttributedTo), key=str):
            roles = [
                r
                for a in graph.objects(st, PROV.qualifiedAttribution)
                if graph.value(a, PROV.agent) == who
                for r in graph.objects(a, PROV.hadRole)
            ]
            behalf = sorted(
                (
                    (graph.value(d, PROV.agent), graph.value(d, PROV.hadRole))
                    for d in graph.objects(who, PROV.qualifiedDelegation)
                ),
                key=str,
            )
            docs = tuple(sorted(graph.objects(st, DCTERMS.source), key=str))
            key = (who, tuple(sorted(roles, key=str)), tuple(behalf), docs)
            group = groups.setdefault(
                key,
                {
                    "speaker": term(graph, who, lang),
                    "roles": sorted_terms(graph, roles, lang),
                    "behalf": [
                        {"agent": term(graph, a, lang), "role": term(graph, r, lang) if r else None}
                        for a, r in behalf
                        if a is not None
                    ],
                    "sources": [term(graph, d, lang) for d in docs],
                    "statements": [],
                },
            )
            group["statements"].append(
                {
                    "statement": term(graph, st, lang),
                    "excerpts": sorted(map(str, graph.objects(st, KKB.sourceExcerpt))),
                }
            )
    return list(groups.values())


def ontology_page(graph: Graph, ontology: str, lang: str) -> dict:
    """The template variables of ``ontology.html``: terms by kind, with anchors and both labels."""
    other = "en" if lang == "id" else "id"

    def terms(kind: URIRef, scheme: URIRef | None = None) -> list[dict]:
        found = []
        members = set(graph.subjects(SKOS.inScheme, scheme)) if scheme is not None else set()
        for t in sorted(set(graph.subjects(RDF.type, kind)) | members, key=str):
            if not str(t).startswith(ontology + "#"):
                continue
            shown = label(graph, t, lang)
            also = label(graph, t, other)
            found.append(
                {
                    "id": str(t).split("#", 1)[1],
                    "label": shown,
                    "other": also if also != shown else "",
                    "comment": text_in(graph, t, SKOS.definition, lang)
                    or text_in(graph, t, RDFS.comment, lang),
                    "notation": str(graph.value(t, SKOS.notation) or ""),
                    "parents": related(t, RDFS.subClassOf),
                    "domain": related(t, RDFS.domain),
                    "range": related(t, RDFS.range),
                }
            )
        if kind == KKB.FamilyFunction or scheme is not None:  # in their notation's order
            found.sort(key=lambda t: (t["notation"], t["id"]))
        return found

    def related(t: Node, predicate: URIRef) -> list[dict]:
        return sorted_terms(graph, (o for o in graph.objects(t, predicate) if isinstance(o, URIRef)), lang)

    sections = (
        (ti if lang == "id" else en, terms(kind, scheme), scheme)
        for ti, en, kind, scheme in ONTOLOGY_SECTIONS
    )
    return {
        "iri": ontology,
        "title": label(graph, URIRef(ontology), lang),
        "comment": text_in(graph, URIRef(ontology), RDFS.comment, lang),
        "sections": [(title, ts) for title, ts, scheme in sections if ts or scheme is None],
    }


def term(graph: Graph, node: Node, lang: str) -> dict:
    """How the templates show an RDF term: a labelled link for web IRIs (ours to this server),
    text (and language) else."""
    if isinstance(node, URIRef):
        iri = str(node)
        return {
            "text": label(graph, node, lang),
            "href": local_url(iri) or (iri if is_web(iri) else None),
            "iri": iri,
        }
    return {
        "text": str(node),
        "href": None,
        "iri": None,
        "lang": node.language if isinstance(node, Literal) else None,
    }


def sorted_terms(graph: Graph, nodes: Iterable[Node], lang: str) -> list[dict]:
    """:func:`term` of each of ``nodes``, sorted by their text."""
    return sorted((term(graph, n, lang) for n in nodes), key=lambda t: t["text"])


def text_in(graph: Graph, node: Node, predicate: URIRef, lang: str) -> str:
    """The value of ``predicate`` in ``lang``, else any value, else ''."""
    values = {v.language: str(v) for v in graph.objects(node, predicate) if isinstance(v, Literal)}
    return values.get(lang) or next(iter(values.values()), "")


def _grouped(graph: Graph, pairs: Iterable[tuple[Node, Node]], lang: str) -> list:
    """(property, [values]) per property, properties and values sorted by their labels."""
    by_property: dict[Node, list[Node]] = {}
    for p, o in pairs:
        by_property.setdefault(p, []).append(o)
    return sorted(
        ((term(graph, p, lang), sorted_terms(graph, values, lang)) for p, values in by_property.items()),
        key=lambda row: row[0]["text"],
    )
