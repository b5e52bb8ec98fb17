"""The SPARQL 1.1 Service Description answered by ``GET /sparql`` without a query.

It says what a client may rely on: the service (the catalog's ``dcat:DataService``, minted from
the base) and the endpoint it answers at (the server's public address), the language (query
only: the service is read-only), every result format of the format table, the union default
graph, the allowlisted federation targets, and the default dataset with VoID triple counts per
graph (the release manifest's, else counted by SPARQL: :func:`graph_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Triple, parse

from kkb_lod import vocab
from kkb_lod.formats import for_kind
from kkb_lod.store import Store


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
    iri: str, endpoint: str, counts: tuple[int, dict[str, int]], services: Sequence[str]
) -> list[Triple]:
    """The service description of the service ``iri`` (minted from the base, the catalog's
    ``dcat:DataService``: the same whatever host it is asked at) answering at ``endpoint`` (the
    server's public address), as triples (IRIs written by ``NamedNode``, which refuses any that
    is not one)."""
    total, named = counts
    service, at = NamedNode(iri), NamedNode(endpoint)
    formats = ", ".join(f"<{fmt.w3c_iri}>" for fmt in for_kind("results", "graph", "dataset"))
    graphs = "".join(
        f"; sd:namedGraph [ a sd:NamedGraph ; sd:name {NamedNode(name)} ; "
        f"sd:graph [ a sd:Graph ; void:triples {n} ] ]\n"
        for name, n in sorted(named.items())
    )
    targets = "".join(f"{NamedNode(target)} a sd:Service .\n" for target in services)
    text = f"""{vocab.SPARQL_PROLOGUE}
{service} a sd:Service ; sd:endpoint {at} ; sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph{", sd:BasicFederatedQuery" if services else ""} ;
  sd:resultFormat {formats} ;
  rdfs:comment "Read-only SPARQL 1.1 query service of kkb-lod: SPARQL Update is refused, SERVICE \
may call only the other sd:Service resources described here, and queries have a time limit and a \
result-size limit." ;
  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:triples {total} ]
{graphs}] .
{targets}"""
    return [quad.triple for quad in parse(text, RdfFormat.TURTLE)]
