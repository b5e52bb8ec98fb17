"""The SPARQL 1.1 Service Description answered by ``GET /sparql`` without a query.

It says what a client may rely on: the endpoint, the language (query only: the service is
read-only), every result format of the format table, the union default graph, the allowlisted
federation targets, and the default dataset with VoID triple counts per graph (the release
manifest's, else counted by SPARQL: :func:`graph_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Triple

from kkb_lod import vocab
from kkb_lod.formats import Format, for_kind
from kkb_lod.store import Store

SD = str(vocab.SD)
VOID = str(vocab.VOID)
RDF_TYPE = NamedNode(vocab.RDF.type)
RDFS_COMMENT = NamedNode(vocab.RDFS.comment)
XSD_INTEGER = NamedNode(vocab.XSD.integer)


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def graph_counts(store: Store) -> tuple[int, dict[str, int]]:
    """Triples in the default graph, and in each named graph, counted by SPARQL."""

    def rows(query: str) -> list[list[str]]:
        result = store.query(query)
        assert isinstance(result, QuerySolutions)
        return [[getattr(term, "value", "") for term in row] for row in result]

    named = {
        g: int(n) for g, n in rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    return int(rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0][0]), named


def describe_service(
    endpoint: str, counts: tuple[int, dict[str, int]], services: Sequence[str]
) -> list[Triple]:
    """The service description of ``endpoint`` as triples."""
    service = NamedNode(endpoint)
    dataset, default = BlankNode(), BlankNode()
    triples = [
        Triple(service, RDF_TYPE, _sd("Service")),
        Triple(service, _sd("endpoint"), service),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        *([Triple(service, _sd("feature"), _sd("BasicFederatedQuery"))] if services else []),
        *(
            Triple(service, _sd("resultFormat"), NamedNode(format_iri(fmt)))
            for fmt in for_kind("results", "graph", "dataset")
        ),
        Triple(
            service,
            RDFS_COMMENT,
            Literal(
                "Read-only SPARQL 1.1 query service of kkb-lod: SPARQL Update is refused, SERVICE may "
                "call only the other sd:Service resources described here, and queries have a time "
                "limit and a result-size limit."
            ),
        ),
        Triple(service, _sd("defaultDataset"), dataset),
    ]
    triples += [Triple(NamedNode(target), RDF_TYPE, _sd("Service")) for target in services]

    total, named = counts
    triples += [
        Triple(dataset, RDF_TYPE, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default),
        Triple(default, RDF_TYPE, _sd("Graph")),
        Triple(default, NamedNode(VOID + "triples"), Literal(str(total), datatype=XSD_INTEGER)),
    ]
    for name, count in sorted(named.items()):
        entry, graph = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), entry),
            Triple(entry, RDF_TYPE, _sd("NamedGraph")),
            Triple(entry, _sd("name"), NamedNode(name)),
            Triple(entry, _sd("graph"), graph),
            Triple(graph, RDF_TYPE, _sd("Graph")),
            Triple(graph, NamedNode(VOID + "triples"), Literal(str(count), datatype=XSD_INTEGER)),
        ]
    return triples


def format_iri(fmt: Format) -> str:
    """The W3C format IRI (``http://www.w3.org/ns/formats/…``) of a format of the table.

    pyoxigraph names JSON-LD ``https://www.w3.org/ns/formats/data/JSON-LD``; the registry's IRI is
    ``http://www.w3.org/ns/formats/JSON-LD``.
    """
    if fmt.ox is None:
        raise ValueError(f"{fmt.name} has no pyoxigraph format")
    return fmt.ox.iri.replace("https://www.w3.org/ns/formats/data/", "http://www.w3.org/ns/formats/")
