"""The W3C SPARQL 1.1 Protocol tests (``tests/conformance/sparql11-protocol``), sent as the
manifest writes them — method, path, headers and body bytes — to a real HTTP server on loopback.

Each test gets a server whose store holds the test's ``ut:graphData`` (``data1.nt``… loaded as the
``http://kasei.us/…`` graphs the manifest names). The update tests are run inverted: this is a
read-only endpoint, so every update request must be refused with a 4xx, and the queries that
follow must find the data unchanged (their expected booleans flip). The three service-description
tests check ``GET /sparql``.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app

from .server import serve_app

SUITE = Path(__file__).parent / "conformance" / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
EXPECTED_TESTS = 34  # tests/conformance/README.md

#: Tests our endpoint does not pass, and why. Each is run and must still fail.
KNOWN_DEVIATIONS: dict[str, str] = {}

RESULT_TYPES = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples"),
}


@dataclass(frozen=True)
class Request:
    """One ht:Request of a test and the response it expects."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  # acceptable status classes: 2, 3, 4
    boolean: bool | None = None
    result: str | None = None  # "boolean", "tabular" or "RDF"

    @property
    def is_update(self) -> bool:
        media_type = self.headers.get("content-type", "")
        return (
            media_type.startswith("application/sparql-update")
            or (self.body or b"").startswith(b"update=")
            or "update=" in self.path
        )


@dataclass(frozen=True)
class ProtocolTest:
    id: str
    name: str
    requests: tuple[Request, ...]
    graphs: dict[str, Path] = field(default_factory=dict)  # graph IRI -> local data file


def read_manifest() -> list[ProtocolTest]:
    graph = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    (entries,) = graph.objects(None, MF.entries)
    tests = []
    for entry in Collection(graph, entries):
        action = graph.value(entry, MF.action)
        requests = []
        for node in Collection(graph, graph.value(action, HT.requests)):
            body_node = graph.value(node, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            headers = {}
            header_list = graph.value(node, HT.headers)
            for header in Collection(graph, header_list) if header_list is not None else ():
                headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                    graph.value(header, HT.fieldValue)
                )
            response = graph.value(node, HT.resp)
            boolean = graph.value(response, MF.expectedBoolean)
            result = graph.value(response, MF.expectedFormat)
            requests.append(
                Request(
                    str(graph.value(node, HT.methodName)),
                    str(graph.value(node, HT.absolutePath)),
                    headers,
                    body,
                    frozenset(int(str(s)[-3]) for s in graph.objects(response, MF.expectedStatus)),
                    None if boolean is None else bool(boolean.toPython()),
                    None if result is None else str(result),
                )
            )
        graphs = {
            str(graph.value(d, RDFS.label)): SUITE / Path(str(graph.value(d, UT.graph))).name
            for d in graph.objects(entry, UT.graphData)
        }
        tests.append(
            ProtocolTest(str(entry).split("#")[-1], str(graph.value(entry, MF.name)), tuple(requests), graphs)
        )
    return tests


TESTS = read_manifest()


@pytest.fixture(scope="module")
def plain_settings() -> Settings:
    """Default settings: these tests need no build, only their own small stores."""
    return Settings()


def endpoint_for(test: ProtocolTest, settings: Settings) -> tuple[OxigraphStore, object]:
    store = OxigraphStore()
    for name, path in test.graphs.items():
        store.ox.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    return store, serve_app(create_app(settings, store))


def send(base: str, request: Request) -> tuple[int, str, bytes]:
    """Send the request exactly as written (no header added but Host and Content-Length)."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        path = request.path.replace("/sparql/", "/sparql", 1)  # the manifest's path prefix
        connection.request(request.method, path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def check(request: Request, status: int, media_type: str, body: bytes, inverted: bool) -> None:
    expected = frozenset({4}) if request.is_update else request.statuses
    assert status // 100 in expected, f"status {status}, expected {sorted(expected)}xx: {body!r}"
    if request.result is None or status // 100 != 2:
        return
    media_type = media_type.split(";")[0].strip()
    assert media_type in RESULT_TYPES[request.result], f"{media_type} for {request.result}"
    if request.result == "RDF":
        list(ox.parse(body, ox.RdfFormat.from_media_type(media_type)))
    elif media_type != "text/csv":
        answer = ox.parse_query_results(body, ox.QueryResultsFormat.from_media_type(media_type))
        if request.boolean is not None:
            assert bool(answer) is (request.boolean != inverted)


def run_test(test: ProtocolTest, settings: Settings) -> None:
    store, server = endpoint_for(test, settings)
    before = store.count()
    inverted = any(r.is_update for r in test.requests)
    with server as base:  # type: ignore[attr-defined]
        for request in test.requests:
            check(request, *send(base, request), inverted)
    assert store.count() == before, "the store changed"


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_w3c_protocol(test: ProtocolTest, plain_settings: Settings) -> None:
    if test.id in KNOWN_DEVIATIONS:
        with pytest.raises(AssertionError):
            run_test(test, plain_settings)
    else:
        run_test(test, plain_settings)


def test_every_protocol_test_is_collected() -> None:
    graph = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    listed = sum(len(Collection(graph, e)) for e in graph.objects(None, MF.entries))
    assert len(TESTS) == listed == EXPECTED_TESTS
    assert set(KNOWN_DEVIATIONS) <= {t.id for t in TESTS}


# --- service description (sparql11/service-description: three tests) --------------------------

#: The SPARQL 1.1 Service Description vocabulary's domains, ranges and named instances, as
#: shapes (https://www.w3.org/TR/sparql11-service-description/#vocab).
SD_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <urn:x-test:> .

:Service a sh:NodeShape ; sh:targetClass sd:Service ; sh:property
    [ sh:path sd:endpoint ; sh:nodeKind sh:IRI ] ,
    [ sh:path sd:supportedLanguage ;
      sh:in ( sd:SPARQL10Query sd:SPARQL11Query sd:SPARQL11Update ) ] ,
    [ sh:path sd:feature ; sh:in ( sd:DereferencesURIs sd:UnionDefaultGraph
      sd:RequiresDataset sd:EmptyGraphs sd:BasicFederatedQuery ) ] ,
    [ sh:path sd:resultFormat ; sh:nodeKind sh:IRI ] ,
    [ sh:path sd:defaultDataset ; sh:class sd:Dataset ; sh:maxCount 1 ] .
:Endpoint a sh:NodeShape ; sh:targetSubjectsOf sd:endpoint ; sh:class sd:Service ;
    sh:property [ sh:path sd:supportedLanguage ; sh:minCount 1 ] .
:Dataset a sh:NodeShape ; sh:targetClass sd:Dataset ; sh:property
    [ sh:path sd:defaultGraph ; sh:class sd:Graph ; sh:maxCount 1 ] ,
    [ sh:path sd:namedGraph ; sh:class sd:NamedGraph ] .
:NamedGraph a sh:NodeShape ; sh:targetClass sd:NamedGraph ; sh:property
    [ sh:path sd:name ; sh:nodeKind sh:IRI ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path sd:graph ; sh:class sd:Graph ; sh:maxCount 1 ] .
:Graph a sh:NodeShape ; sh:targetClass sd:Graph ; sh:property
    [ sh:path void:triples ; sh:datatype xsd:integer ; sh:maxCount 1 ] .
"""


@pytest.fixture(scope="module")
def service_description(plain_settings: Settings) -> Iterator[tuple[str, str, bytes]]:
    store = OxigraphStore()
    for number in (1, 2, 3):
        store.ox.load(
            path=str(SUITE / f"data{number}.nt"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{number}.rdf"),
        )
    with serve_app(create_app(plain_settings, store)) as base:
        status, media_type, body = send(base, Request("GET", "/sparql", {}, None, frozenset({2})))
        assert status == 200
        yield base + "/sparql", media_type, body


def test_sd_returns_rdf(service_description: tuple[str, str, bytes]) -> None:
    _, media_type, body = service_description
    assert media_type.split(";")[0] in RESULT_TYPES["RDF"]
    assert Graph().parse(data=body, format=media_type.split(";")[0])


def test_sd_has_endpoint_triple(service_description: tuple[str, str, bytes]) -> None:
    url, media_type, body = service_description
    graph = Graph().parse(data=body, format=media_type.split(";")[0])
    service = graph.value(predicate=SD.endpoint, object=URIRef(url))  # the service: {base}sparql
    assert service is not None and (service, RDF.type, SD.Service) in graph


def test_sd_conforms_to_schema(service_description: tuple[str, str, bytes]) -> None:
    _, media_type, body = service_description
    graph = Graph().parse(data=body, format=media_type.split(";")[0])
    conforms, _, report = validate(graph, shacl_graph=Graph().parse(data=SD_SHAPES, format="turtle"))
    assert conforms, report
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
