"""The catalog and VoID as pages for people, read from the very graphs their RDF is written from.

:func:`catalog_view` and :func:`void_view` walk the graph :mod:`kkb_lod.catalog` built (nothing is
counted or stated twice), picking texts in the page's language; the only question asked of the
store is the names of the places a dataset covers (the catalog names them by IRI alone).
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kkb_lod.catalog import ADMS, DCAT3, HYDRA
from kkb_lod.formats import FORMATS
from kkb_lod.vocab import DCAT, DCTERMS, FOAF, ONTOLOGY_IRI, RDF, RDFS, SD, SKOS, SPDX, VCARD, VOID
from kkb_lod.web._pages import LANGS, local_url, select, server_url, settings, url
from kkb_lod.web._results import compact


def number(n: int | str, lang: str) -> str:
    """A whole number grouped by thousands as the language writes it (1.234 / 1,234)."""
    text = f"{int(n):,}"
    return text.replace(",", ".") if lang == "id" else text


def size(n: int | str, lang: str) -> str:
    """A byte count for people: ``1,2 MB`` / ``1.2 MB`` (SI units, as browsers show downloads)."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    text = f"{int(value)}" if unit == "B" else f"{value:.1f}"
    return f"{text.replace('.', ',') if lang == 'id' else text} {unit}"


def text(graph: Graph, node: Node | None, predicate: URIRef, lang: str) -> str:
    """The object literal of ``predicate`` in ``lang``, else the other language, else untagged."""
    if node is None:
        return ""
    found = {o.language or "": str(o) for o in graph.objects(node, predicate) if isinstance(o, Literal)}
    return next((found[k] for k in (lang, *LANGS, "") if k in found), "")


#: IRIs of ours outside ``id/`` that this server answers at their path: the catalog's nodes,
#: releases (``{base}releases/{id}``) and the endpoint.
SERVED = ("catalog", "releases/", "sparql")


def link(iri: Node | None, shown: str = "") -> dict[str, str] | None:
    """A link to ``iri``: to its page here when it is ours, else to the IRI itself."""
    if iri is None:
        return None
    here, base = local_url(str(iri)), settings().base_iri
    rest = str(iri)[len(base) :] if str(iri).startswith(base) else ""
    if here is None and rest.startswith(SERVED):  # every release's page is the server's
        here = (server_url if rest.startswith("releases/") else url)("/" + rest)
    return {"href": here or str(iri), "text": shown or compact(str(iri)), "iri": str(iri)}


def place_names(iris: list[str], lang: str) -> dict[str, str]:
    """The names of places, by IRI, in ``lang`` (else Indonesian): the store's labels."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    rows = select(f"""SELECT ?p (SAMPLE(?l) AS ?name) WHERE {{ VALUES ?p {{ {values} }}
        ?p rdfs:label ?l FILTER(lang(?l) = "{lang}" || lang(?l) = "id") }} GROUP BY ?p""")
    return {r["p"]: r["name"] for r in rows}


def catalog_view(graph: Graph, lang: str) -> dict[str, Any]:
    """What the catalog page shows: the catalog, each dataset with its distributions and the
    SPARQL service, and the Hydra page it is (links to the other pages when there are several)."""
    catalog = graph.value(predicate=RDF.type, object=DCAT.Catalog)
    datasets = sorted(graph.objects(catalog, DCAT.dataset), key=lambda d: str(d) != str(catalog) + "#dataset")
    spatial = sorted({str(p) for d in datasets for p in graph.objects(d, DCTERMS.spatial)})
    names = place_names(spatial, lang)
    page = graph.value(predicate=RDF.type, object=HYDRA.PagedCollection)
    return {
        "title": text(graph, catalog, DCTERMS.title, lang),
        "description": text(graph, catalog, DCTERMS.description, lang),
        "issued": str(graph.value(catalog, DCTERMS.issued) or ""),
        "modified": str(graph.value(catalog, DCTERMS.modified) or ""),
        "datasets": [_dataset(graph, d, lang, names) for d in datasets],
        "services": [_service(graph, s, lang) for s in graph.objects(catalog, DCAT.service)],
        "paging": {
            key: str(graph.value(page, HYDRA[key]) or "")
            for key in ("totalItems", "itemsPerPage", "first", "previous", "next", "last")
        },
    }


def _dataset(graph: Graph, node: Node, lang: str, names: dict[str, str]) -> dict[str, Any]:
    publisher = graph.value(node, DCTERMS.publisher)
    contact = graph.value(node, DCAT.contactPoint)
    licence = graph.value(node, DCTERMS.license)
    period = graph.value(node, DCTERMS.temporal)
    places = sorted(graph.objects(node, DCTERMS.spatial), key=lambda p: names.get(str(p), str(p)))
    distributions = [_distribution(graph, d, lang) for d in graph.objects(node, DCAT.distribution)]
    return {
        "anchor": str(node).rpartition("#")[2],
        "iri": str(node),
        "title": text(graph, node, DCTERMS.title, lang),
        "description": text(graph, node, DCTERMS.description, lang),
        "publisher": link(publisher, str(graph.value(publisher, FOAF.name) or "")) if publisher else None,
        "contact": {
            "name": str(graph.value(contact, VCARD.fn) or ""),
            "url": str(graph.value(contact, VCARD.hasURL) or ""),
        }
        if contact
        else None,
        "licence": {
            "href": str(licence),
            "title": text(graph, licence, DCTERMS.title, lang),
            "id": str(graph.value(licence, DCTERMS.identifier) or ""),
        }
        if licence
        else None,
        "places": [link(p, names.get(str(p), "")) for p in places],
        "period": (
            str(graph.value(period, DCAT.startDate) or ""),
            str(graph.value(period, DCAT.endDate) or ""),
        )
        if period
        else None,
        "version": str(graph.value(node, DCAT3.version) or ""),
        "notes": text(graph, node, ADMS.versionNotes, lang),
        "releases": [
            {"role": role, **(link(v, text(graph, v, DCTERMS.title, lang)) or {})}
            for role, predicate in (("this", DCAT3.hasVersion), ("previous", DCAT3.previousVersion))
            for v in graph.objects(node, predicate)
        ],
        "issued": str(graph.value(node, DCTERMS.issued) or ""),
        "modified": str(graph.value(node, DCTERMS.modified) or ""),
        "keywords": sorted(str(k) for k in graph.objects(node, DCAT.keyword)),
        "theme": text(graph, graph.value(node, DCAT.theme), SKOS.prefLabel, lang),
        "landing": str(graph.value(node, DCAT.landingPage) or ""),
        "conforms": link(graph.value(node, DCTERMS.conformsTo)),
        "files": sorted(  # the whole release first, then what it changed
            (d for d in distributions if d["download"]),
            key=lambda d: (d["name"].startswith("changes"), d["name"]),
        ),
        "access": [d for d in distributions if not d["download"]],
    }


def _distribution(graph: Graph, node: Node, lang: str) -> dict[str, Any]:
    download = graph.value(node, DCAT.downloadURL)
    media = graph.value(node, DCAT.mediaType)
    packed = graph.value(node, DCAT.compressFormat)
    checksum = graph.value(node, SPDX.checksum)
    stated = graph.value(node, DCAT.byteSize)
    bytes_ = int(str(stated)) if stated is not None else None
    return {
        "name": str(download or "").rpartition("/")[2],
        "title": text(graph, node, DCTERMS.title, lang),
        "description": text(graph, node, DCTERMS.description, lang),
        "download": str(download or ""),
        "access": str(graph.value(node, DCAT.accessURL) or ""),
        "format": str(graph.value(graph.value(node, DCTERMS["format"]), RDFS.label) or ""),
        "media_type": str(graph.value(media, RDFS.label) or "") if media else "",
        "compressed": str(graph.value(packed, RDFS.label) or "") if packed else "",
        "bytes": bytes_,
        "size": size(bytes_, lang) if bytes_ is not None else "",
        "bytes_text": number(bytes_, lang) if bytes_ is not None else "",
        "sha256": str(graph.value(checksum, SPDX.checksumValue) or "") if checksum else "",
    }


def _service(graph: Graph, node: Node, lang: str) -> dict[str, Any]:
    standard = graph.value(node, DCTERMS.conformsTo)
    return {
        "title": text(graph, node, DCTERMS.title, lang),
        "endpoint": str(graph.value(node, DCAT.endpointURL) or ""),
        "standard": str(standard or ""),
    }


#: The W3C format IRIs of ``void:feature``, named as the format table names them.
FEATURES = {f.w3c_iri: f.label for f in FORMATS if f.w3c_iri}


def void_view(graph: Graph, lang: str) -> dict[str, Any]:
    """What the VoID page shows: the figures, where to reach the data, the class and property
    partitions (largest first) and the linksets."""
    dataset = graph.value(predicate=RDF.type, object=VOID.Dataset)

    def count(node: Node | None, predicate: URIRef) -> int:
        return int(str(graph.value(node, predicate) or 0))

    def partitions(kind: URIRef, term: URIRef, figure: URIRef) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = [
            {**(_term(graph.value(p, term)) or {}), "n": count(p, figure)}
            for p in graph.objects(dataset, kind)
        ]
        rows.sort(key=lambda r: (-r["n"], r["text"]))
        return [{**r, "shown": number(r["n"], lang)} for r in rows]

    return {
        "title": text(graph, dataset, DCTERMS.title, lang),
        "figures": [
            (key, number(count(dataset, VOID[key]), lang))
            for key in ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties")
        ],
        "licence": str(graph.value(dataset, DCTERMS.license) or ""),
        "endpoint": str(graph.value(dataset, VOID.sparqlEndpoint) or ""),
        "uri_space": str(graph.value(dataset, VOID.uriSpace) or ""),
        "root": link(graph.value(dataset, VOID.rootResource)),
        "vocabularies": sorted(
            (link(v) or {} for v in graph.objects(dataset, VOID.vocabulary)), key=lambda v: v["text"]
        ),
        "dumps": sorted(str(d) for d in graph.objects(dataset, VOID.dataDump)),
        "features": sorted(FEATURES.get(str(f), str(f)) for f in graph.objects(dataset, VOID.feature)),
        "examples": sorted(
            (link(e) or {} for e in graph.objects(dataset, VOID.exampleResource)), key=lambda e: e["href"]
        ),
        "classes": partitions(VOID.classPartition, VOID["class"], VOID.entities),
        "properties": partitions(VOID.propertyPartition, VOID.property, VOID.triples),
        "linksets": [
            {
                "label": text(graph, s, RDFS.label, lang),
                "predicate": _term(graph.value(s, VOID.linkPredicate)),
                "target": str(graph.value(s, VOID.objectsTarget) or ""),
                "triples": number(count(s, VOID.triples), lang),
                "date": str(graph.value(s, DCTERMS.date) or ""),
                "page": local_url(str(s)),
            }
            for s in sorted(graph.objects(dataset, VOID.subset), key=str)
            if (s, RDF.type, VOID.Linkset) in graph
        ],
        "graphs": [
            {"iri": str(s), "href": local_url(str(s)), "triples": number(count(s, VOID.triples), lang)}
            for s in sorted(graph.objects(dataset, VOID.subset), key=str)
            if (s, RDF.type, SD.NamedGraph) in graph
        ],
    }


def _term(iri: Node | None) -> dict[str, str] | None:
    """A class or property: its short name, linked to /def when it is ours, else to its IRI."""
    if iri is None:
        return None
    ours = str(iri).startswith(ONTOLOGY_IRI)
    return {
        "text": compact(str(iri)),
        "href": (local_url(str(iri)) if ours else None) or str(iri),
        "iri": str(iri),
    }
