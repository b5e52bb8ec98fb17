"""The one format table: every RDF format's serializers agree, and lookups find what they name."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kkb_lod.formats import FILE_TYPES, FORMATS, for_kind, from_media_type, from_suffix

GRAPH = Graph()
GRAPH.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("é", lang="id")))
GRAPH.add(
    (
        URIRef("http://example.org/s"),
        URIRef("http://example.org/q"),
        Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
    )
)


@pytest.mark.parametrize("fmt", for_kind("graph", "dataset"), ids=lambda f: f.name)
def test_rdflib_and_pyoxigraph_read_what_the_other_writes(fmt) -> None:
    """An RDF format's rdflib serializer writes what pyoxigraph parses in its format, and back."""
    assert isinstance(fmt.ox, ox.RdfFormat) and fmt.rdflib and fmt.label
    source: Graph = GRAPH
    if fmt.kind == "dataset":  # rdflib writes quad formats from a dataset only
        source = Dataset()
        source.graph(URIRef("http://example.org/g")).__iadd__(GRAPH)
    written = source.serialize(format=fmt.rdflib, encoding="utf-8")
    parsed = ox.parse(written, fmt.ox)
    again = ox.serialize(
        (q.triple if isinstance(q, ox.Quad) else q for q in parsed), format=ox.RdfFormat.N_TRIPLES
    )
    assert isomorphic(Graph().parse(data=again.decode(), format="nt"), GRAPH), fmt.name
    assert fmt.file_type_iri == FILE_TYPES + fmt.file_type and fmt.file_type.isupper()


def test_lookups() -> None:
    assert len({f.name for f in FORMATS}) == len(FORMATS)
    assert from_suffix("ttl", "graph").label == "Turtle"
    assert from_media_type("application/json", "results").name == "json"
    assert from_media_type("application/json", "graph").name == "jsonld"
    assert from_suffix("ttl", "results") is None
    with pytest.raises(KeyError):
        from_media_type("text/turtle", "results")
    assert [f.file_type_iri for f in for_kind("page")] == [FILE_TYPES + "HTML"]
