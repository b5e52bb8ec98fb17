"""Named graphs: every ``{base}graph/{name}`` of the release dereferences, as ``/id/…`` IRIs do.

``/graph/{name}`` (``registry``, ``regions``, ``ontology``, ``links/wikidata`` …) answers by
content negotiation (or a suffix: ``/graph/regions.ttl``) with a description of that graph: an
``sd:NamedGraph`` and a ``void:Dataset`` subset of the dataset VoID describes, its size counted by
SPARQL, what it holds where we can say, the resources in it that describe it (the ontology, the
Wikidata linkset), a SPARQL query listing it and the dumps that keep graph names. A name that is
not a graph name, or a graph the store lacks, is a 404. Cached and validated per release as the
other documents are (:func:`kkb_lod.web.resources.document`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template
from flask.blueprints import Blueprint
from rdflib import Graph, Literal, URIRef
from werkzeug.exceptions import NotFound

from kkb_lod.formats import Format, find_media_type, for_kind
from kkb_lod.iris import IriError
from kkb_lod.vocab import DCTERMS, PREFIXES, RDF, RDFS, SD, VOID, XSD
from kkb_lod.web._pages import local_url, minter, release, select, url
from kkb_lod.web.catalog import site
from kkb_lod.web.resources import document, split_suffix

bp = Blueprint("graphs", __name__)
#: What each graph of a build holds (id, en); a graph not named here is described by its size.
ABOUT: dict[str, tuple[str, str]] = {
    "registry": (
        "Register KKB: penetapan, kegiatan pembinaan, organisasi, sumber dan catatan mutu data.",
        "The KKB registry: designations, guidance activities, organisations, sources and data-quality notes.",
    ),
    "regions": (
        "Wilayah administratif (kode Kemendagri) yang dicakup register, dengan batas dan nama lamanya.",
        "The administrative units (Kemendagri codes) the registry covers, with boundaries and earlier names.",
    ),
    "ontology": (
        "Ontologi kkb-lod: kelas, properti, delapan fungsi keluarga, status.",
        "The kkb-lod ontology: classes, properties, the eight family functions, statuses.",
    ),
    "links/wikidata": (
        "Tautan owl:sameAs ke Wikidata, dari cuplikan yang ditinjau.",
        "owl:sameAs links to Wikidata, from a reviewed snapshot.",
    ),
    "reference": (
        "Daftar resmi wilayah administratif seluruh Indonesia.",
        "The official list of administrative units of all Indonesia.",
    ),
    "indicators": (
        "Indikator dan observasi (RDF Data Cube) dari register.",
        "Indicators and observations (RDF Data Cube) from the registry.",
    ),
}
#: Resources in a graph that describe the graph itself (shown as its description).
DESCRIBING = ("owl:Ontology", "void:Linkset", "void:Dataset", "dcat:Dataset")


@bp.get("/graph/<path:name>")
def named_graph(name: str) -> Response:
    """The description of one named graph, in the negotiated format (or the one its suffix names)."""
    name, suffix = split_suffix(name)
    try:
        iri = str(minter().graph(name))
    except IriError:
        raise NotFound("that address is not a named graph of this dataset") from None
    return document(
        f"/graph/{name}", f"{iri}|{site()}", suffix, lambda fmt, lang: _draw(iri, name, fmt, lang)
    )


def listing_query(iri: str) -> str:
    """The SPARQL query that lists the graph ``iri``'s triples (the first thousand)."""
    return f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 1000"


def describe_graph(iri: str, name: str, at: str) -> Graph:
    """The graph ``iri``'s description (links under the server address ``at``); 404 when the
    store has no triple in it."""
    count = int(select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")[0]["n"])
    if not count:
        raise NotFound(f"no named graph <{iri}> in this release")
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace, replace=True)
    node, dataset = URIRef(iri), URIRef(at + ".well-known/void#dataset")
    for cls in (SD.NamedGraph, VOID.Dataset):
        g.add((node, RDF.type, cls))
    g.add((node, SD.name, node))
    g.add((node, RDFS.label, Literal(f"Graf bernama {name}", lang="id")))
    g.add((node, RDFS.label, Literal(f"Named graph {name}", lang="en")))
    if name in ABOUT:
        for text, lang in zip(ABOUT[name], ("id", "en"), strict=True):
            g.add((node, DCTERMS.description, Literal(text, lang=lang)))
    g.add((node, VOID.triples, Literal(count, datatype=XSD.integer)))
    g.add((node, DCTERMS.isPartOf, dataset))
    g.add((dataset, VOID.subset, node))
    g.add((node, VOID.sparqlEndpoint, URIRef(at + "sparql")))
    g.add((node, RDFS.seeAlso, URIRef(at + "sparql?" + urlencode({"query": listing_query(iri)}))))
    for dump in _dumps(name):
        g.add((node, VOID.dataDump, URIRef(f"{at}dumps/{dump}")))
    rows = select(f"""SELECT DISTINCT ?r WHERE {{ GRAPH <{iri}> {{ ?r a ?t
        VALUES ?t {{ {" ".join(DESCRIBING)} }} FILTER(isIRI(?r)) }} }} ORDER BY ?r""")
    for row in rows:
        g.add((node, DCTERMS.source, URIRef(row["r"])))
    return g


def _dumps(name: str) -> list[str]:
    """The release's dumps that hold graph ``name`` by name (N-Quads, TriG), or only it."""
    return [
        d["name"]
        for d in release().get("dumps", [])
        if find_media_type(d["media_type"], "dataset") or d["name"].startswith(name + ".")
    ]


def _draw(iri: str, name: str, fmt: Format, lang: str) -> str:
    graph = describe_graph(iri, name, site())
    if fmt.kind != "page":
        return graph.serialize(format=fmt.rdflib)
    return render_template("graph.html", lang=lang, **_view(graph, iri, name, lang))


def _view(graph: Graph, iri: str, name: str, lang: str) -> dict[str, Any]:
    """What the page shows, read from the description its RDF is written from."""
    node, path = URIRef(iri), url(f"/graph/{name}")
    sources = sorted(str(s) for s in graph.objects(node, DCTERMS.source))
    return {
        "iri": iri,
        "name": name,
        "path": path,
        "about": next(
            (str(d) for d in graph.objects(node, DCTERMS.description) if getattr(d, "language", "") == lang),
            "",
        ),
        "triples": int(str(graph.value(node, VOID.triples))),
        "query": url("/sparql") + "?" + urlencode({"query": listing_query(iri)}),
        "dumps": [(url(f"/dumps/{d}"), d) for d in _dumps(name)],
        "sources": [{"iri": s, "href": local_url(s) or s} for s in sources],
        "formats": for_kind("graph"),
    }
