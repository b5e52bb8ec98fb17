"""``/sparql`` in process: every branch of the protocol, the policies and the limits.

The app serves the session build of the bundled registry (15 KKB in 6 kecamatan). Tests that need
another store (slow, tiny, remote) build it here; none edits the shared one.
"""

from __future__ import annotations

import dataclasses
import io
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from urllib.parse import parse_qsl, quote, urlencode

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from kkb_lod.config import Settings
from kkb_lod.sparqlscan import full_scan, scan
from kkb_lod.store import OxigraphStore, StoreError
from kkb_lod.web import create_app
from kkb_lod.web._query import EMPTY_GRAPH

from .conftest import examples
from .server import free_port, serve_app

KKB = "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
COUNT_KKB = KKB + "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }"
COUNT_KECAMATAN = KKB + "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kkb:District }"
KKB_TYPES = KKB + "CONSTRUCT { ?k a kkb:KKBDesignation } WHERE { ?k a kkb:KKBDesignation }"
ONTOLOGY = "https://w3id.org/kkb/graph/ontology"
REGISTRY = "https://w3id.org/kkb/graph/registry"
REGIONS = "https://w3id.org/kkb/graph/regions"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def app(settings: Settings, store: OxigraphStore) -> Flask:
    return create_app(settings, store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def number(response) -> int:  # noqa: ANN001 - a test response with one ?n binding in JSON
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


# --- the three ways to send a query ----------------------------------------------------------


def test_get(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": COUNT_KKB})
    assert response.mimetype == "application/sparql-results+json"
    assert number(response) == 15
    assert number(client.get("/sparql", query_string={"query": COUNT_KECAMATAN})) == 6


def test_post_form(client: FlaskClient) -> None:
    assert number(client.post("/sparql", data={"query": COUNT_KKB})) == 15


@pytest.mark.parametrize(
    "content_type", ["application/sparql-query", "application/sparql-query; charset=utf-8"]
)
def test_post_direct(client: FlaskClient, content_type: str) -> None:
    assert number(client.post("/sparql", data=COUNT_KKB, content_type=content_type)) == 15


def test_post_form_with_dataset_in_the_url(client: FlaskClient) -> None:
    response = client.post(f"/sparql?default-graph-uri={quote(REGISTRY)}", data={"query": COUNT_KECAMATAN})
    assert number(response) == 0  # the kecamatan live in the regions graph


# --- answer formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/turtle, text/csv;q=0.1", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
    ],
)
def test_select_formats(client: FlaskClient, accept: str, media_type: str) -> None:
    query = KKB + "SELECT ?k ?v WHERE { ?k a kkb:KKBDesignation ; kkb:village ?v }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media_type
    assert "Accept" in response.vary
    if media_type == "text/csv":
        lines = text(response).split("\r\n")
        assert lines[0] == "k,v" and len([line for line in lines if line]) == 16
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        assert len(list(ox.parse_query_results(response.data, fmt))) == 15


@pytest.mark.parametrize(
    "name", ["json", "xml", "csv", "tsv", "srj", "srx", "application/sparql-results+json", "application/json"]
)
def test_format_parameter_wins_over_accept(client: FlaskClient, name: str) -> None:
    response = client.get(
        "/sparql", query_string={"query": COUNT_KKB, "format": name}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200 and response.mimetype != "text/html"


@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "ASK { <urn:x:nothing> ?p ?o }"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask(client: FlaskClient, query: str, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    fmt = ox.QueryResultsFormat.from_media_type(response.mimetype)
    assert bool(ox.parse_query_results(response.data, fmt)) is ("nothing" not in query)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("text/plain", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.8", "text/turtle"),
        ("", "text/turtle"),
    ],
)
@pytest.mark.parametrize("query", [KKB_TYPES, "DESCRIBE <https://w3id.org/kkb/id/kkb/62.04.06.2020>"])
def test_graph_formats(client: FlaskClient, query: str, accept: str, media_type: str) -> None:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media_type
    quads = list(ox.parse(response.data, ox.RdfFormat.from_media_type(media_type)))
    if query == KKB_TYPES:
        assert len(quads) == 15
    else:
        assert {str(q.subject) for q in quads} >= {"<https://w3id.org/kkb/id/kkb/62.04.06.2020>"}


@pytest.mark.parametrize(
    ("query", "asked", "media_type"),
    [
        (COUNT_KKB, "xml", "application/sparql-results+xml"),  # SPARQLWrapper's default
        (KKB_TYPES, "xml", "application/rdf+xml"),  # the same word, for a graph
        (KKB_TYPES, "json", "application/ld+json"),
        (KKB_TYPES, "json-ld", "application/ld+json"),
        (KKB_TYPES, "rdf+xml", "application/rdf+xml"),
        (KKB_TYPES, "n-triples", "application/n-triples"),
        (KKB_TYPES, "ttl", "text/turtle"),
    ],
)
def test_format_names_read_per_kind(client: FlaskClient, query: str, asked: str, media_type: str) -> None:
    response = client.get("/sparql", query_string={"query": query, "format": asked})
    assert response.status_code == 200 and response.mimetype == media_type


@pytest.mark.parametrize(
    ("query", "params", "accept"),
    [
        (COUNT_KKB, {}, "image/png"),
        (COUNT_KKB, {}, "text/turtle"),
        (COUNT_KKB, {"format": "turtle"}, ""),
        (KKB_TYPES, {}, "text/csv"),
        (KKB_TYPES, {"format": "csv"}, ""),
        (COUNT_KKB, {"format": "no-such-format"}, ""),
    ],
)
def test_not_acceptable(client: FlaskClient, query: str, params: dict, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": query, **params}, headers={"Accept": accept})
    assert response.status_code == 406 and response.mimetype == "text/plain"
    assert "offered" in text(response)


# --- the dataset ------------------------------------------------------------------------------


def test_default_graph_uri(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = number(client.get("/sparql", query_string={"query": query}))
    ontology = number(client.get("/sparql", query_string={"query": query, "default-graph-uri": ONTOLOGY}))
    both = number(
        client.get(
            "/sparql",
            query_string=[("query", query), ("default-graph-uri", ONTOLOGY), ("default-graph-uri", REGISTRY)],
        )
    )
    assert 0 < ontology < both < whole


def test_named_graph_uri(client: FlaskClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", query_string=[("query", query), ("named-graph-uri", REGISTRY)])
    graphs = [b["g"]["value"] for b in response.json["results"]["bindings"]]
    assert graphs == [REGISTRY]
    default = number(
        client.get(
            "/sparql",
            query_string=[
                ("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                ("named-graph-uri", REGISTRY),
            ],
        )
    )
    assert default == 0  # named graphs only: the default graph is empty (Protocol 2.1.4)


def test_protocol_dataset_overrides_from(client: FlaskClient) -> None:
    query = KKB + f"SELECT (COUNT(?k) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?k a kkb:KKBDesignation }}"
    assert number(client.get("/sparql", query_string={"query": query})) == 0
    response = client.get("/sparql", query_string={"query": query, "default-graph-uri": REGISTRY})
    assert number(response) == 15


def test_from_and_from_named_are_honoured(client: FlaskClient) -> None:
    """The store's union default graph must not swallow FROM (pyoxigraph lets it)."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = number(client.get("/sparql", query_string={"query": count, "default-graph-uri": ONTOLOGY}))
    from_ = number(
        client.get(
            "/sparql",
            query_string={"query": f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"},
        )
    )
    assert from_ == ontology
    named = client.get(
        "/sparql",
        query_string={
            "query": f"SELECT DISTINCT ?g FROM NAMED <{REGIONS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
        },
    )
    assert [b["g"]["value"] for b in named.json["results"]["bindings"]] == [REGIONS]


def test_graph_parameters_must_be_iris(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and "absolute IRI" in text(response)


# --- refused requests -------------------------------------------------------------------------


def test_malformed_query_gives_the_parsers_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert "Query syntax error: error at 1:" in text(response)


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    """The service-defined base IRI is the endpoint's URL (SPARQL 1.1 Protocol 2.1)."""
    response = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
    )
    assert text(response) == (
        '<http://localhost/s> <http://localhost/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    refused = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <x> {} }"})
    assert refused.status_code == 400 and "SERVICE <http://localhost/x>" in text(refused)


def test_more_than_one_query(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%7B%7D&query=SELECT%20*%20%7B%7D")
    assert response.status_code == 400 and "2 queries" in text(response)
    response = client.post("/sparql?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert response.status_code == 400
    response = client.post("/sparql?query=ASK%7B%7D", data="ASK {}", content_type="application/sparql-query")
    assert response.status_code == 400 and "both in the body and in the URL" in text(response)


def test_post_without_query(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"format": "json"})
    assert response.status_code == 400 and "no query" in text(response)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/json", "multipart/form-data", "application/sparql-results+json"],
)
def test_post_with_a_wrong_media_type(client: FlaskClient, content_type: str) -> None:
    response = client.post("/sparql", data="ASK {}", content_type=content_type)
    assert response.status_code == 415 and "application/sparql-query" in text(response)


def test_post_without_a_media_type(client: FlaskClient) -> None:
    response = client.post("/sparql", data=b"query=ASK%20%7B%7D", environ_overrides={"CONTENT_TYPE": ""})
    assert response.status_code == 415 and "needs a Content-Type" in text(response)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16"),
        (b'ASK { ?s ?p "\xff" }', "application/sparql-query"),
        (b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D", "application/x-www-form-urlencoded"),
        (b"query=ASK {}", "application/x-www-form-urlencoded; charset=iso-8859-1"),
    ],
)
def test_non_utf8_post(client: FlaskClient, body: bytes, content_type: str) -> None:
    response = client.post("/sparql", data=body, content_type=content_type)
    assert response.status_code == 400 and "UTF-8" in text(response)


def test_non_utf8_get(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert response.status_code == 400 and "UTF-8" in text(response)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods(client: FlaskClient, method: str) -> None:
    response = client.open("/sparql?query=ASK%7B%7D", method=method)
    assert response.status_code == 405 and response.mimetype == "text/plain"
    assert {"GET", "POST"} <= set(response.allow)


UPDATES = [
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX ex: <urn:x:> DELETE { ?s ?p ?o } INSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "clear default",
    "CREATE GRAPH <urn:x:g>",
    "DROP ALL",
    "DROP SILENT GRAPH <urn:x:g>",
    f"COPY <{REGISTRY}> TO <urn:x:g>",
    f"MOVE <{REGISTRY}> TO <urn:x:g>",
    f"ADD <{REGISTRY}> TO <urn:x:g>",
    "# a comment first\nBASE <http://example.org/>\nINSERT DATA { <s> <p> <o> }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(client: FlaskClient, store: OxigraphStore, update: str) -> None:
    before = store.count()
    for response in (
        client.get("/sparql", query_string={"query": update}),
        client.get("/sparql", query_string={"update": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
        client.post("/sparql", data=update, content_type="application/sparql-query"),
    ):
        assert response.status_code == 403, text(response)
        assert "read-only" in text(response)
    assert store.count() == before


@pytest.mark.parametrize("params", [{"using-graph-uri": REGISTRY}, {"using-named-graph-uri": REGISTRY}])
def test_update_dataset_parameters_are_refused(client: FlaskClient, params: dict) -> None:
    response = client.post(
        "/sparql", query_string=params, data="CLEAR ALL", content_type="application/sparql-update"
    )
    assert response.status_code == 403


# --- SERVICE ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        ("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }", ["http://a.example/sparql"]),
        ("select * { service silent <http://a.example/sparql> { ?s ?p ?o } }", ["http://a.example/sparql"]),
        (
            "PREFIX e: <http://a.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
            ["http://a.example/sparql"],
        ),
        (
            "BASE <http://a.example/x/> SELECT * { SERVICE <../sparql> { ?s ?p ?o } }",
            ["http://a.example/sparql"],
        ),
        ("SELECT * { SERVICE <http://a.example/\\u0073parql> { ?s ?p ?o } }", ["http://a.example/sparql"]),
        ("SELECT * { \\u0053ERVICE <http://a.example/sparql> { ?s ?p ?o } }", []),  # no token
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", [None]),
        ("SELECT * { SERVICE <relative> { ?s ?p ?o } }", [None]),
        ("SELECT * { SERVICE unknown:sparql { ?s ?p ?o } }", [None]),
        ("SELECT * {\n# SERVICE <http://a.example/sparql>\n ?s ?p ?o }", []),
        ('SELECT * { ?s ?p "SERVICE <http://a.example/sparql> {}" }', []),
        ("SELECT * { ?s ?p '''it's a\nSERVICE <http://a.example/sparql>''' }", []),
        ("SELECT * { ?service <http://a.example/p> <http://a.example/sparql> }", []),
    ],
)
def test_scan_finds_service_targets(query: str, targets: list[str | None]) -> None:
    assert scan(query).services == targets


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("PREFIX a: <urn:a> ask {}", "ASK"),
        ("# CONSTRUCT\nDESCRIBE <urn:x>", "DESCRIBE"),
        ("BASE <http://a/> CONSTRUCT WHERE {}", "CONSTRUCT"),
        ("INSERT DATA {}", "INSERT"),
        ("  ", None),
    ],
)
def test_scan_finds_the_form(query: str, form: str | None) -> None:
    assert scan(query).form == form


SCAN_FRAGMENTS = st.sampled_from(
    [
        "PREFIX kkb: <https://w3id.org/kkb/def#>",
        "PREFIX : <urn:x:>",
        "prefix sd: <urn:service#>",
        "BASE <http://a.example/>",
        "# SELECT\n",
        "\n",
        " ",
        "SELECT",
        "select",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "{",
        "}",
        "?s",
        "?from",
        "kkb:village",
        ":with",
        "<urn:x>",
        "1",
        "SERVICE",
        "SERVICE <http://a.example/sparql>",
        "SERVICE SILENT :s",
        "FROM <urn:g>",
        "FROM NAMED <urn:g>",
        "INSERT",
        "DELETE DATA",
        "WITH",
        "LOAD",
        "address",
        '"SERVICE"',
        "'''x\nFROM'''",
        "\\u0053ERVICE",
        "<urn:\\u003E>",
        "*",
        ".",
        "SELECTX",
        "ASK_",
        "a",
        ":",
        "-x",
        "SELECT:with",
        "ASK.x:",
        "PREFIX a#b: <urn:x>",
        'PREFIX c: <a"b>',
        "PREFIX d-: <urn:>",
    ]
)


@given(
    st.lists(SCAN_FRAGMENTS, max_size=12).map("".join) | st.lists(SCAN_FRAGMENTS, max_size=12).map(" ".join)
)
@hypothesis_settings(max_examples=examples(400), deadline=None, derandomize=True)
def test_scan_short_way_agrees_with_the_full_scan(query: str) -> None:
    """The short way for queries without SERVICE, FROM or updates reports what tokenizing the
    whole text reports, whatever the fragments around it."""
    full = full_scan(query, "http://a.example/q")
    assert scan(query, "http://a.example/q") in (full, dataclasses.replace(full, bad=None))


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP listener on loopback that records whoever connects: refused SERVICE must not."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except OSError:
                continue
            with connection:
                seen.append(connection.recv(100))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", seen
    stop.set()
    thread.join()
    sock.close()


def test_service_outside_the_allowlist_is_refused_unsent(
    client: FlaskClient, listener: tuple[str, list[bytes]]
) -> None:
    url, seen = listener
    for query in (
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url[:-6]}> SELECT * {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        "SELECT * { VALUES ?e { <" + url + "> } SERVICE ?e { ?s ?p ?o } }",
    ):
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400, text(response)
        assert "SERVICE" in text(response) and "allow" in text(response)
    time.sleep(0.3)
    assert seen == []


def test_allowlisted_service_is_called(settings: Settings, store: OxigraphStore) -> None:
    remote_store = OxigraphStore()
    remote_store.ox.add(
        ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("from the remote"))
    )
    with serve_app(create_app(settings, remote_store)) as remote:
        endpoint = remote + "/sparql"
        app = create_app(dataclasses.replace(settings, service_allowlist=endpoint), store)
        query = KKB + (
            f"SELECT ?o ?k WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} ?k a kkb:KKBDesignation }} "
        )
        response = app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 200, text(response)
    rows = response.json["results"]["bindings"]
    assert len(rows) == 15 and {r["o"]["value"] for r in rows} == {"from the remote"}


def test_allowlisted_service_that_fails(settings: Settings, store: OxigraphStore) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    app = create_app(dataclasses.replace(settings, service_allowlist=endpoint), store)
    query = f"SELECT * {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    response = app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 502 and "SERVICE call failed" in text(response)
    silent = query.replace("SERVICE", "SERVICE SILENT")
    response = app.test_client().get("/sparql", query_string={"query": silent})
    assert response.status_code == 200


# --- limits -----------------------------------------------------------------------------------


class SlowStore:
    """A store that takes ``seconds`` to start answering."""

    def __init__(self, inner: OxigraphStore, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def query(
        self, sparql: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
    ) -> object:
        time.sleep(self.seconds)
        return self.inner.query(sparql, default_graphs, named_graphs)

    def count(self) -> int:
        return self.inner.count()


def test_timeout(settings: Settings, store: OxigraphStore) -> None:
    app = create_app(dataclasses.replace(settings, query_timeout=0.2), SlowStore(store, 1.0))
    response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    # the slow store would answer 200 after 1 s; a 503 means the request stopped waiting
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert "0.2 s (query_timeout)" in text(response)


def test_timeout_stops_a_streaming_query(settings: Settings) -> None:
    """Rows come rarely (one per 300 × 300 candidates, ~0.1 s; all 300 would take ~25 s): the
    abandoned worker stops at the next row instead of running to the end."""
    tiny = OxigraphStore()
    tiny.ox.extend(
        ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i))) for i in range(300)
    )
    query = "SELECT * { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z FILTER (CONCAT(?x, ?y) = CONCAT(?z, ?z)) }"
    app = create_app(dataclasses.replace(settings, query_timeout=0.3, result_limit=10**6), tiny)
    response = app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 503
    deadline = time.monotonic() + 5
    while app.extensions["kkb"].watchdog.still_running():
        assert time.monotonic() < deadline, "the abandoned query did not stop"
        time.sleep(0.05)


class ThreadNoting(OxigraphStore):
    """The session store, noting the thread each query runs in; ``delay`` seconds a query."""

    def __init__(self, inner: OxigraphStore, delay: float = 0.0) -> None:
        super().__init__(inner.ox)
        self.delay, self.threads = delay, []

    def query(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201 - OxigraphStore.query's
        self.threads.append(threading.current_thread().name)
        time.sleep(self.delay)
        return super().query(*args, **kwargs)


def test_every_query_runs_on_the_pool_with_the_time_limit(settings: Settings, store: OxigraphStore) -> None:
    slow = ThreadNoting(store, delay=0.12)
    client = create_app(settings, slow).test_client()
    assert [number(client.get("/sparql", query_string={"query": COUNT_KKB})) for _ in range(2)] == [15, 15]
    assert [name.split("_")[0] for name in slow.threads] == ["kkb-sparql-query"] * 2
    slower = ThreadNoting(store, delay=1.0)  # far past the time limit, even on a loaded machine
    limited = create_app(dataclasses.replace(settings, query_timeout=0.1), slower).test_client()
    assert [limited.get("/sparql", query_string={"query": COUNT_KKB}).status_code for _ in range(2)] == [
        503,
        503,
    ]


def test_other_stores_always_use_a_query_thread(settings: Settings, store: OxigraphStore) -> None:
    """A remote store's time varies with its load and the network: no query skips the limit."""
    seen = []

    class Remote:
        def query(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201
            seen.append(threading.current_thread().name)
            return store.query(*args, **kwargs)

        def count(self) -> int:
            return store.count()

    client = create_app(settings, Remote()).test_client()
    assert [number(client.get("/sparql", query_string={"query": COUNT_KKB})) for _ in range(3)] == [
        15,
        15,
        15,
    ]
    assert [name.split("_")[0] for name in seen] == ["kkb-sparql-query"] * 3


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE ?s WHERE { ?s a <https://w3id.org/kkb/def#KKBDesignation> }",
    ],
)
def test_result_limit(settings: Settings, store: OxigraphStore, query: str) -> None:
    client = create_app(dataclasses.replace(settings, result_limit=5), store).test_client()
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 422 and response.mimetype == "text/plain"
    assert "more than 5 rows or triples" in text(response) and "OFFSET" in text(response)
    if not query.startswith("DESCRIBE"):
        paged = client.get("/sparql", query_string={"query": query + " LIMIT 5 OFFSET 5"})
        assert paged.status_code == 200


# --- service description and the query page ---------------------------------------------------


def test_service_description(client: FlaskClient, store: OxigraphStore) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef("https://w3id.org/kkb/sparql")  # the catalog's data service: {base}sparql
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, URIRef("http://localhost/sparql")) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats and len(formats) == 10
    dataset = graph.value(service, SD.defaultDataset)
    names = {graph.value(g, SD.name) for g in graph.objects(dataset, SD.namedGraph)}
    assert {URIRef(REGISTRY), URIRef(ONTOLOGY), URIRef(REGIONS)} <= names
    default = graph.value(dataset, SD.defaultGraph)
    assert 0 < graph.value(default, VOID.triples).toPython() <= store.count()
    assert URIRef(EMPTY_GRAPH) not in names


def test_the_service_description_agrees_with_the_catalog_under_any_host(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    """The service is the catalog's ``dcat:DataService`` whatever the Host header; its endpoint
    is the catalog's ``dcat:endpointURL``: the address the request used, or ``public_url``."""
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    service = URIRef("https://w3id.org/kkb/sparql")
    for public in ("", "https://data.example.go.id/kkb/"):
        client = create_app(dataclasses.replace(settings, public_url=public), store, release).test_client()
        for host in ("kkb.example.go.id", "localhost:8080"):
            asked = {"Host": host, "Accept": "text/turtle"}
            described = Graph().parse(data=client.get("/sparql", headers=asked).data, format="turtle")
            catalog = Graph().parse(
                data=client.get("/catalog.ttl", headers={"Host": host}).data, format="turtle"
            )
            endpoint = URIRef(f"{public or f'http://{host}/'}sparql")
            assert set(described.subject_objects(SD.endpoint)) == {(service, endpoint)}, host
            assert set(catalog.objects(service, dcat.endpointURL)) == {endpoint}, host
            assert (service, RDF.type, dcat.DataService) in catalog


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
    ],
)
def test_service_description_formats(client: FlaskClient, accept: str, media_type: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.mimetype == media_type
    assert len(list(ox.parse(response.data, ox.RdfFormat.from_media_type(media_type)))) > 20


def test_results_as_html_are_escaped(client: FlaskClient) -> None:
    query = 'SELECT ?x ?y WHERE { BIND ("<script>alert(1)</script>"@en AS ?x) }'
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    page = text(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_html_links_stay_on_this_server(client: FlaskClient) -> None:
    query = KKB + "SELECT ?k WHERE { ?k a kkb:KKBDesignation } LIMIT 1"
    page = text(client.get("/sparql", query_string={"query": query, "format": "html"}))
    assert 'href="/id/kkb/' in page


# --- CORS and errors on every response ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/sparql?query=ASK%7B%7D", 200),
        ("GET", "/sparql", 200),
        ("GET", "/sparql?query=ASK%7B", 400),
        ("GET", "/sparql?update=CLEAR%20ALL", 403),
        ("GET", "/no/such/page", 404),
        ("PUT", "/sparql", 405),
        ("GET", "/sparql?query=ASK%7B%7D&format=turtle", 406),
        ("POST", "/sparql", 415),
    ],
)
def test_cors_on_every_response(client: FlaskClient, method: str, url: str, status: int) -> None:
    response = client.open(url, method=method, data=b"x" if method == "POST" else None)
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


def test_results_keep_terms_exactly(client: FlaskClient) -> None:
    """Language tags, datatypes, blank nodes and unbound variables survive every results format."""
    query = (
        'SELECT ?a ?b ?c ?d ?e WHERE { BIND ("x"@id AS ?a) BIND (1.5 AS ?b) '
        "BIND (BNODE() AS ?c) BIND (<urn:x:y> AS ?d) }"
    )
    rows = {}
    for media_type in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/tab-separated-values",
    ):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        solutions = ox.parse_query_results(response.data, fmt)
        (row,) = list(solutions)
        rows[media_type] = row
        assert [v.value for v in solutions.variables] == ["a", "b", "c", "d", "e"]
        assert row["a"] == ox.Literal("x", language="id") and row["e"] is None
        assert row["b"] == ox.Literal(
            "1.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
        )
        assert isinstance(row["c"], ox.BlankNode) and row["d"] == ox.NamedNode("urn:x:y")
    csv = text(client.get("/sparql", query_string={"query": query, "format": "csv"}))
    assert csv.startswith("a,b,c,d,e\r\nx,1.5,_:")


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (StoreError("remote store http://x.example/ unreachable"), 502, "unreachable"),
        (OSError("disk read failed"), 500, "The query failed: disk read failed"),
    ],
)
def test_store_failures(settings: Settings, error: Exception, status: int, message: str) -> None:
    class Failing:
        def query(self, *args: object) -> None:
            raise error

        def count(self) -> int:
            return 0

    response = (
        create_app(settings, Failing())
        .test_client()
        .get(  # type: ignore[arg-type]
            "/sparql", query_string={"query": "ASK {}"}
        )
    )
    assert response.status_code == status and message in text(response)


def test_store_is_not_reached_for_refused_requests(settings: Settings) -> None:
    class Untouchable:
        def query(self, *args: object) -> None:
            raise AssertionError("the store was queried")

        def count(self) -> int:
            return 0

    client = create_app(settings, Untouchable()).test_client()  # type: ignore[arg-type]
    for response in (
        client.get("/sparql", query_string={"query": "CLEAR ALL"}),
        client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://elsewhere.example/> {} }"}),
        client.get("/sparql", query_string={"query": "SELECT * {}"}, headers={"Accept": "image/png"}),
    ):
        assert response.status_code in (400, 403, 406)


def test_rdflib_reads_construct_answers(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": KKB_TYPES}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(io.BytesIO(response.data), format="turtle")
    kkb_class = URIRef("https://w3id.org/kkb/def#KKBDesignation")
    assert len(set(graph.subjects(RDF.type, kkb_class))) == 15 == len(graph)


# --- CSV and TSV answers are safe to open in a spreadsheet ---------------------------------------

HOSTILE = """SELECT * WHERE {
  VALUES (?cell ?kind) {
    ("=HYPERLINK(\\"http://evil.example/\\",\\"click\\")" "formula")
    ("+1+cmd|' /C calc'!A0" "plus") ("-2+3" "minus") ("@SUM(1,1)" "at")
    ("\\t=1+1" "tab") ("\\r=1+1" "return") ("=1"@id "language") ("-P1D"^^xsd:duration "duration")
    (-5 "integer") ("-3"^^xsd:negativeInteger "negative") (+1.5e3 "double") (-2.50 "decimal")
    ("plain" "text") ("a-b=c" "inside")
  }
}"""


def csv_cells(body: bytes) -> dict[str, str]:
    import csv

    header, *rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    return {row[header.index("kind")]: row[header.index("cell")] for row in rows}


def test_csv_answers_cannot_run_formulas(client: FlaskClient) -> None:
    query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + HOSTILE
    response = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    cells = csv_cells(response.data)
    for kind in ("formula", "plus", "minus", "at", "tab", "return", "language", "duration"):
        assert cells[kind].startswith("'"), (kind, cells[kind])
    assert cells["formula"] == '\'=HYPERLINK("http://evil.example/","click")'
    assert cells["tab"] == "'\t=1+1"
    assert (cells["integer"], cells["negative"], cells["decimal"]) == ("-5", "-3", "-2.5")
    assert not cells["double"].startswith("'")
    assert (cells["text"], cells["inside"]) == ("plain", "a-b=c")


def test_tsv_answers_cannot_run_formulas(client: FlaskClient) -> None:
    query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + HOSTILE
    response = client.get("/sparql", query_string={"query": query, "format": "tsv"})
    assert response.status_code == 200
    assert all(
        not cell.lstrip('"').startswith(("=", "+", "@"))
        for line in response.get_data(as_text=True).splitlines()
        for cell in line.split("\t")
    )
    parsed = ox.parse_query_results(response.data, ox.QueryResultsFormat.TSV)
    cells = {row["kind"].value: row["cell"] for row in parsed}
    assert cells["formula"].value == '\'=HYPERLINK("http://evil.example/","click")'
    assert cells["language"] == ox.Literal("'=1", language="id")
    assert cells["tab"].value == "'\t=1+1" and cells["return"].value == "'\r=1+1"
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert cells["integer"] == ox.Literal("-5", datatype=integer)
    assert cells["negative"].value == "-3" and cells["text"].value == "plain"


def test_json_and_xml_answers_are_unchanged(client: FlaskClient) -> None:
    query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + HOSTILE
    response = client.get("/sparql", query_string={"query": query, "format": "json"})
    cells = {b["kind"]["value"]: b["cell"]["value"] for b in response.json["results"]["bindings"]}
    assert cells["formula"] == '=HYPERLINK("http://evil.example/","click")'
    assert cells["minus"] == "-2+3"


@given(
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=30))).map(urlencode)
    | st.text(alphabet="ab=&%+2F5cz\\é\n", max_size=40)
)
@hypothesis_settings(max_examples=examples(400), deadline=None, derandomize=True)
def test_form_parameters_decode_as_parse_qsl_does(raw: str) -> None:
    """The strict decoding of request parameters agrees with the standard library's, stray ``%``
    and backslashes included; what is not UTF-8 is refused by both."""
    from werkzeug.exceptions import BadRequest

    from kkb_lod.web._protocol import _pairs

    try:
        expected = parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        with pytest.raises(BadRequest):
            _pairs(raw.encode("utf-8"), "the body")
        return
    assert _pairs(raw.encode("utf-8"), "the body") == expected


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "text/tab-separated-values", "application/sparql-results+xml"],
)
@pytest.mark.parametrize(("rows", "status"), [(3, 200), (40, 200), (41, 422)])
@pytest.mark.parametrize("literal", ["plain", '{} ,{"x":1} [{"y":{}}]', "{}{}{}{}"])
def test_the_result_limit_counts_rows_exactly(
    settings: Settings, accept: str, rows: int, status: int, literal: str
) -> None:
    """Answers written by the store are counted exactly against result_limit (40 here), whatever
    their literals hold (JSON's row marks, ``{}``), in every format; and they are the store's own
    answer: the rows read one by one first, the rest written by the store, in order. Asked again:
    the same bytes."""
    tiny = OxigraphStore()
    tiny.ox.extend(
        ox.Quad(
            ox.NamedNode(f"urn:x:{i:03d}"),
            ox.NamedNode("urn:x:p"),
            ox.Literal(f"{literal} {i}\n\t", language="en" if i % 2 else None),
        )
        for i in range(rows)
    )
    app = create_app(dataclasses.replace(settings, result_limit=40), tiny)
    for query in (
        "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s",
        "SELECT ?unbound WHERE { ?s ?p ?o }",  # empty rows: {} each in JSON
        "CONSTRUCT WHERE { ?s ?p ?o }",
    ):
        graph = query.startswith("CONSTRUCT")
        response, again = (
            app.test_client().get(
                "/sparql",
                query_string={"query": query},
                headers={"Accept": "application/n-triples" if graph else accept},
            )
            for _ in range(2)
        )
        assert response.status_code == status, (query, response.get_data(True)[:300])
        assert again.status_code == status and again.data == response.data
        if status != 200:
            continue
        fmt = ox.RdfFormat.N_TRIPLES if graph else ox.QueryResultsFormat.from_media_type(accept)
        if graph:
            assert set(ox.parse(response.data, fmt)) == set(
                ox.parse(tiny.query(query).serialize(format=fmt), fmt)
            )
        else:
            got = ox.parse_query_results(response.data, fmt)
            assert [v.value for v in got.variables] == [v.value for v in tiny.query(query).variables]
            assert list(got) == list(tiny.query(query))


# --- cache headers ------------------------------------------------------------------------------


@pytest.fixture
def released(settings: Settings, store: OxigraphStore, release: dict) -> FlaskClient:
    """A client of the app serving the session's release (its id and created time known)."""
    return create_app(settings, store, release).test_client()


def test_a_get_answer_of_a_release_is_cacheable_and_revalidated(released: FlaskClient, release: dict) -> None:
    asked = {"query": COUNT_KKB}
    json_answer = released.get("/sparql", query_string=asked, headers={"Accept": "text/csv"})
    assert json_answer.status_code == 200 and json_answer.headers["X-KKB-Release"] == release["id"]
    assert json_answer.headers["Cache-Control"] == "public, max-age=300"
    assert json_answer.headers["Vary"] == "Accept" and json_answer.last_modified is not None
    tag = json_answer.headers["ETag"]
    again = released.get("/sparql", query_string=asked, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag and not again.data
    since = released.get(
        "/sparql",
        query_string=asked,
        headers={"Accept": "text/csv", "If-Modified-Since": json_answer.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    others = [
        released.get("/sparql", query_string=asked, headers={"Accept": "text/tab-separated-values"}),
        released.get("/sparql", query_string={"query": COUNT_KECAMATAN}, headers={"Accept": "text/csv"}),
        released.get(
            "/sparql", query_string={**asked, "default-graph-uri": REGISTRY}, headers={"Accept": "text/csv"}
        ),
    ]
    assert len({tag, *(r.headers["ETag"] for r in others)}) == 4  # format, query, dataset
    stale = released.get(
        "/sparql", query_string=asked, headers={"Accept": "text/tab-separated-values", "If-None-Match": tag}
    )
    assert stale.status_code == 200 and stale.data


def test_the_service_description_and_the_query_page_are_cacheable(released: FlaskClient) -> None:
    description = released.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and description.headers["ETag"]
    assert description.headers["Cache-Control"] == "public, max-age=300"
    assert (
        released.get(
            "/sparql", headers={"Accept": "text/turtle", "If-None-Match": description.headers["ETag"]}
        ).status_code
        == 304
    )
    page = released.get("/sparql", query_string={"query": COUNT_KKB}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "public, max-age=300"
    assert set(page.headers["Vary"].split(", ")) == {"Accept", "Accept-Language", "Cookie"}
    english = released.get(
        "/sparql", query_string={"query": COUNT_KKB, "lang": "en"}, headers={"Accept": "text/html"}
    )  # sets the language cookie
    assert english.headers["Cache-Control"] == "private, max-age=300" and english.headers["ETag"]


def test_post_answers_and_errors_are_never_cached(
    released: FlaskClient, settings: Settings, store: OxigraphStore, release: dict
) -> None:
    posted = released.post("/sparql", data={"query": COUNT_KKB})
    assert posted.status_code == 200 and posted.headers["Cache-Control"] == "no-store"
    assert "ETag" not in posted.headers and posted.headers["X-KKB-Release"] == release["id"]
    for response in (
        released.get("/sparql", query_string={"query": "SELECT nonsense"}),
        released.get("/sparql", query_string={"query": "INSERT DATA {}"}),
    ):
        assert response.status_code in (400, 403) and response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers
    slow = create_app(
        dataclasses.replace(settings, query_timeout=0.1), SlowStore(store, 0.5), release
    ).test_client()
    refused = slow.get("/sparql", query_string={"query": COUNT_KKB})
    assert refused.status_code == 503 and refused.headers["Cache-Control"] == "no-store"
    for path in ("/health", "/ready", "/metrics"):
        assert released.get(path).headers["Cache-Control"] == "no-store"


def test_cache_max_age_and_a_store_without_a_release(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    fresh = create_app(dataclasses.replace(settings, cache_max_age=0), store, release)
    answer = fresh.test_client().get("/sparql", query_string={"query": COUNT_KKB})
    assert answer.headers["Cache-Control"] == "no-cache" and answer.headers["ETag"]
    remote = create_app(settings, store).test_client().get("/sparql", query_string={"query": COUNT_KKB})
    assert remote.status_code == 200 and remote.headers["Cache-Control"] == "no-store"
    assert "ETag" not in remote.headers and "X-KKB-Release" not in remote.headers
