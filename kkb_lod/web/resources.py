"""Linked Data: every IRI we mint dereferences here, on whatever host the server runs.

``/id/{kind}/{key}`` answers for ``{base}id/{kind}/{key}``: "ASK, then describe" against the store
(Trifid's pattern). The Cool-URIs choice is **content negotiation without redirect**: the IRI
itself answers in HTML, Turtle, JSON-LD, RDF/XML or N-Triples (by ``Accept`` or ``format``), with
``Content-Location`` naming the suffixed document (``….ttl``) and ``Link`` headers naming the
alternates; the suffixed URLs serve one format each. Ontology and family-function terms are hash
IRIs of ``https://w3id.org/kkb/def``, so ``/def`` answers for all of them.

IRIs are checked by :class:`~kkb_lod.iris.Minter` before they reach a query; nothing else is
spliced into query text.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from pyoxigraph import serialize
from rdflib import Graph, URIRef
from werkzeug.exceptions import NotFound

from kkb_lod._convert import from_ox
from kkb_lod.formats import Format, for_kind
from kkb_lod.iris import IriError
from kkb_lod.vocab import KKB, ONTOLOGY_IRI, OWL, PREFIXES, PROV, RDF, RDFS, SDO, SKOS
from kkb_lod.web._pages import label, local_url, minter, page_lang, remember_lang
from kkb_lod.web.conneg import negotiate

bp = Blueprint("resources", __name__)
KINDS = ("page", "graph")
SUFFIXES = {f.suffix for f in for_kind(*KINDS)}


@bp.get("/id/<kind>/<path:key>")
def resource(kind: str, key: str) -> Response:
    """One of our resources, in the negotiated format."""
    stem, _, suffix = key.rpartition(".")
    if suffix in SUFFIXES and stem:
        key, fixed = stem, suffix
    else:
        fixed = None
    try:
        iri = str(minter().mint(kind, key))
    except IriError:
        raise NotFound(f"{request.path} is not an IRI of this dataset") from None
    fmt = negotiate(*KINDS, suffix=fixed)
    store = current_app.extensions["kkb_store"]
    if not bool(store.query(f"ASK {{ <{iri}> ?p ?o }}")):
        raise NotFound(f"nothing is known about <{iri}>")
    path = f"/id/{kind}/{key}"
    if fmt.kind == "page":
        body = _page(iri)
    else:
        triples = list(store.query(DESCRIBE.format(iri=iri)))
        body = serialize(triples, format=fmt.ox, prefixes=PREFIXES)
    return _answer(body, fmt, path, iri, negotiated=fixed is None)


@bp.get("/def")
@bp.get("/def.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology document: every kkb: term, the eight family functions, the statuses."""
    if suffix is not None and suffix not in SUFFIXES:
        abort(404)
    fmt = negotiate(*KINDS, suffix=suffix)
    store = current_app.extensions["kkb_store"]
    graph_iri = minter().graph("ontology")
    triples = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"))
    if fmt.kind == "page":
        body = _ontology_page(_to_graph(triples))
    else:
        body = serialize(triples, format=fmt.ox, prefixes=PREFIXES)
    return _answer(body, fmt, "/def", ONTOLOGY_IRI, negotiated=suffix is None)


DESCRIBE = """CONSTRUCT {{ <{iri}> ?p ?o . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?ol .
  ?s ?q <{iri}> . ?s <http://www.w3.org/2000/01/rdf-schema#label> ?sl . }}
WHERE {{ {{ <{iri}> ?p ?o OPTIONAL {{ ?o <http://www.w3.org/2000/01/rdf-schema#label> ?ol }} }}
  UNION {{ ?s ?q <{iri}> OPTIONAL {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?sl }} }} }}"""

CONTEXT = """PREFIX kkb: <https://w3id.org/kkb/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?a rdfs:label ?al ; kkb:kemendagriCode ?ac . ?n ?np ?no . ?x rdfs:label ?xl .
  ?k kkb:village ?v ; rdfs:label ?kl . }}
WHERE {{ {{ <{iri}> (kkb:village|kkb:partOf)/kkb:partOf* ?a . ?a rdfs:label ?al ;
            kkb:kemendagriCode ?ac }}
  UNION {{ ?k kkb:village ?v . ?v kkb:partOf* <{iri}> . ?k rdfs:label ?kl }}
  UNION {{ ?n kkb:concerns <{iri}> ; ?np ?no }}
  UNION {{ <{iri}> ?p ?o . ?o ?p2 ?x . ?x rdfs:label ?xl FILTER(isIRI(?x)) }}
  UNION {{ ?x rdfs:label ?xl . FILTER(STRSTARTS(STR(?x), "https://w3id.org/kkb/def#")) }} }}"""


def _page(iri: str) -> str:
    store = current_app.extensions["kkb_store"]
    graph = _to_graph(list(store.query(DESCRIBE.format(iri=iri))))
    context = _to_graph(list(store.query(CONTEXT.format(iri=iri))))
    lang = page_lang()
    node = URIRef(iri)
    everything = graph + context
    rows = _grouped(everything, ((p, o) for p, o in graph.predicate_objects(node)
                                 if p not in HIDDEN), lang)
    backlinks = _grouped(everything, ((p, s) for s, p in graph.subject_predicates(node)
                                      if p not in HIDDEN), lang)
    kkbs = sorted((_term(everything, k, lang) for k in context.subjects(KKB.village, None)
                   if k != node), key=lambda t: t["text"])
    crumbs = sorted((str(context.value(a, KKB.kemendagriCode)), _term(everything, a, lang))
                     for a in context.subjects(KKB.kemendagriCode, None))
    notes = [{
        "aspect": str(context.value(n, KKB.aspect)),
        "said": str(context.value(n, KKB.valueInSource)),
        "official": str(context.value(n, KKB.valueInReference)),
        "comment": label_in(context, n, RDFS.comment, lang),
    } for n in context.subjects(KKB.concerns, node)]
    sources = [(_term(everything, s, lang), [str(e) for e in graph.objects(node, KKB.sourceExcerpt)])
               for s in graph.objects(node, PROV.wasDerivedFrom)]
    types = [_term(everything, t, lang) for t in sorted(graph.objects(node, RDF.type))]
    return render_template(
        "resource.html", lang=lang, iri=iri, title=label(everything, node, lang), types=types,
        rows=rows, backlinks=backlinks, kkbs=kkbs, crumbs=[c for _, c in crumbs], notes=notes,
        sources=sources, same_as=[str(o) for o in graph.objects(node, OWL.sameAs)],
        formats=[f for f in for_kind("graph")], path=request.path.rsplit(".", 1)[0]
        if request.path.rsplit(".", 1)[-1] in SUFFIXES else request.path)


#: Restatements shown once already under our own property (kkb:partOf, rdfs:label).
HIDDEN = {SDO.containedInPlace, SDO.containsPlace, SDO.name, SKOS.notation}


def _grouped(graph: Graph, pairs, lang: str) -> list[tuple[dict, list[dict]]]:  # noqa: ANN001
    """(property, [values]) per property, properties and values sorted by their labels."""
    by_property: dict[URIRef, list] = {}
    for p, o in pairs:
        by_property.setdefault(p, []).append(o)
    return sorted(((_term(graph, p, lang), sorted((_term(graph, o, lang) for o in values),
                                                  key=lambda t: t["text"]))
                   for p, values in by_property.items()), key=lambda row: row[0]["text"])


def label_in(graph: Graph, node: URIRef, predicate: URIRef, lang: str) -> str:
    values = {v.language: str(v) for v in graph.objects(node, predicate)}
    return values.get(lang) or next(iter(values.values()), "")


def _ontology_page(graph: Graph) -> str:
    lang = page_lang()

    def terms(kind: URIRef) -> list[dict]:
        return [{"id": str(t).split("#", 1)[1], "label": label(graph, t, lang),
                 "comment": label_in(graph, t, RDFS.comment, lang)
                 or label_in(graph, t, SKOS.definition, lang),
                 "notation": str(graph.value(t, SKOS.notation) or "")}
                for t in sorted(graph.subjects(RDF.type, kind)) if str(t).startswith(str(KKB))]

    sections = [("Kelas", "Classes", terms(OWL.Class)),
                ("Properti objek", "Object properties", terms(OWL.ObjectProperty)),
                ("Properti data", "Data properties", terms(OWL.DatatypeProperty)),
                ("Delapan fungsi keluarga", "The eight family functions",
                 sorted(terms(KKB.FamilyFunction), key=lambda t: t["notation"])),
                ("Status", "Statuses", terms(KKB.Status))]
    return render_template("ontology.html", lang=lang, iri=ONTOLOGY_IRI,
                           title=label(graph, URIRef(ONTOLOGY_IRI), lang), sections=sections,
                           formats=[f for f in for_kind("graph")])


def _term(graph: Graph, node, lang: str) -> dict:  # noqa: ANN001
    if isinstance(node, URIRef):
        return {"text": label(graph, node, lang), "href": local_url(str(node)) or str(node),
                "iri": str(node)}
    return {"text": str(node), "href": None, "iri": None,
            "lang": getattr(node, "language", None)}


def _to_graph(triples: list) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return graph


def _answer(body: str | bytes, fmt: Format, path: str, iri: str, negotiated: bool) -> Response:
    """The response with caching validators, alternates, and 304 on a conditional request."""
    release = current_app.extensions["kkb_release"]
    response = Response(body, mimetype=fmt.media_type)
    lang = page_lang() if fmt.kind == "page" else ""
    tag = hashlib.sha256(f"{release.get('id', '')}|{iri}|{fmt.name}|{lang}".encode()).hexdigest()
    response.set_etag(tag[:32])
    if release.get("created"):
        created = parsedate_to_datetime(format_datetime(_parse(release["created"]), usegmt=True))
        response.last_modified = created
    response.headers["Vary"] = "Accept, Cookie"
    response.headers["Link"] = ", ".join(
        f'<{path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in for_kind(*KINDS))
    if negotiated:
        response.headers["Content-Location"] = f"{path}.{fmt.suffix}"
    response = remember_lang(response)
    return response.make_conditional(request)


def _parse(created: str):  # noqa: ANN202
    import datetime as dt

    return dt.datetime.fromisoformat(created).astimezone(dt.UTC).replace(microsecond=0)



