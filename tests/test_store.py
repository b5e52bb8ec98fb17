"""One contract, two stores: the embedded Oxigraph and a remote SPARQL 1.1 server.

The remote one is a real Oxigraph server process (PyPI package ``oxigraph``) on loopback, serving
the session build's on-disk store read-only.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kkb_lod.config import Settings
from kkb_lod.pipeline import BuildResult
from kkb_lod.store import (
    NoUnionDefault,
    OxigraphStore,
    RemoteSparqlStore,
    Store,
    StoreError,
    load_release,
    open_store,
)

from .server import free_port, oxigraph_process

KALAHIEN = "https://w3id.org/kkb/id/village/62.04.06.2020"
REGISTRY = "https://w3id.org/kkb/graph/registry"


@pytest.fixture(scope="module")
def oxigraph_server(built: BuildResult) -> Iterator[str]:
    """Oxigraph serving the build's own on-disk store, read-only."""
    with oxigraph_process("serve-read-only", "--location", str(built.release / "store")) as base:
        yield f"{base}/query"


@pytest.fixture(scope="module")
def loaded_server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty writable Oxigraph, filled from the build's dump by ``kkb-lod load`` (GSP)."""
    location = tmp_path_factory.mktemp("oxigraph-loaded")
    with oxigraph_process("serve", "--location", str(location)) as base:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kkb_lod",
                "load",
                "--out",
                str(built.release.parents[1]),
                "--store-url",
                f"{base}/store",
                "--batch",
                "500",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert f"{built.quads} triples in 4 graphs" in done.stdout
        yield f"{base}/query"


@pytest.fixture(params=["embedded-memory", "embedded-disk", "remote", "remote-loaded"])
def any_store(request: pytest.FixtureRequest, built: BuildResult) -> Store:
    if request.param == "remote":
        return RemoteSparqlStore(request.getfixturevalue("oxigraph_server"))
    if request.param == "remote-loaded":
        return RemoteSparqlStore(request.getfixturevalue("loaded_server"))
    return OxigraphStore.from_release(built.release, request.param.split("-")[1])


def test_select(any_store: Store) -> None:
    rows = list(
        any_store.query(
            "SELECT ?name WHERE { ?kkb <https://w3id.org/kkb/def#village> ?v . "
            "?v <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name"
        )
    )
    assert len(rows) == 15
    assert rows[0]["name"] == ox.Literal("Babai", language="id")


def test_ask(any_store: Store) -> None:
    assert bool(any_store.query(f"ASK {{ <{KALAHIEN}> ?p ?o }}"))
    assert not bool(any_store.query("ASK { <urn:x:nothing> ?p ?o }"))


def test_construct_and_describe(any_store: Store) -> None:
    triples = list(any_store.query(f"CONSTRUCT {{ <{KALAHIEN}> ?p ?o }} WHERE {{ <{KALAHIEN}> ?p ?o }}"))
    assert (
        ox.Triple(
            ox.NamedNode(KALAHIEN),
            ox.NamedNode("https://w3id.org/kkb/def#kemendagriCode"),
            ox.Literal("62.04.06.2020"),
        )
        in triples
    )
    described = any_store.query(f"DESCRIBE <{KALAHIEN}>")
    assert len(list(described)) == len(triples)
    assert b"62.04.06.2020" in any_store.query(f"DESCRIBE <{KALAHIEN}>").serialize(
        format=ox.RdfFormat.N_TRIPLES
    )


def test_default_graph_selection(any_store: Store) -> None:
    query = f"ASK {{ <{KALAHIEN}> ?p ?o }}"
    assert not bool(any_store.query(query, default_graphs=[REGISTRY]))
    assert bool(
        any_store.query("ASK { ?k a <https://w3id.org/kkb/def#KKBDesignation> }", default_graphs=[REGISTRY])
    )


def test_syntax_error(any_store: Store) -> None:
    with pytest.raises(SyntaxError):
        any_store.query("SELECT WHERE {")


def test_count(any_store: Store, built: BuildResult) -> None:
    assert any_store.count() == built.quads


def test_loading_twice_replaces_rather_than_duplicates(built: BuildResult, tmp_path: Path) -> None:
    """The first request of each graph is a PUT, so reloading a release leaves the same store."""
    from kkb_lod.store import load_release

    with oxigraph_process("serve", "--location", str(tmp_path / "db")) as base:
        for _ in range(2):
            sent = load_release(built.release, f"{base}/store", batch=300)
        remote = RemoteSparqlStore(f"{base}/query")
        assert remote.count() == built.quads == sum(sent.values())
        assert set(sent) == {
            f"https://w3id.org/kkb/graph/{g}" for g in ("regions", "registry", "links/wikidata", "ontology")
        }


def test_load_into_a_refusing_store_names_the_request(built: BuildResult) -> None:
    from kkb_lod.store import load_release

    with oxigraph_process("serve-read-only", "--location", str(built.release / "store")) as base:
        with pytest.raises(StoreError, match=r"PUT .*graph=.* answered 4\d\d"):
            load_release(built.release, f"{base}/store")


def test_unreachable_remote_store_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="unreachable"):
        RemoteSparqlStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).query("ASK {}")


def test_open_store_follows_the_settings(settings: Settings) -> None:
    assert isinstance(open_store(settings), OxigraphStore)
    remote = Settings(sparql_url="http://127.0.0.1:9/query")
    assert isinstance(open_store(remote), RemoteSparqlStore)


def test_a_remote_store_whose_default_graph_is_not_the_union_is_refused_with_the_fix(
    built: BuildResult, settings: Settings, loaded_server: str, tmp_path: Path
) -> None:
    """An Oxigraph server filled by ``kkb-lod load`` but started without
    ``--union-default-graph`` would answer every query without GRAPH with nothing: the app
    refuses to start on it, naming the option; a store made before the server was up finds out
    on its first query. The same data served with the option is accepted."""
    from kkb_lod.web import create_app

    with oxigraph_process("serve", "--location", str(tmp_path / "store"), union_default_graph=False) as base:
        load_release(built.release, f"{base}/store")
        plain = Settings(build_dir=settings.build_dir, sparql_url=f"{base}/query")
        with pytest.raises(NoUnionDefault, match="start oxigraph with --union-default-graph"):
            open_store(plain)
        with pytest.raises(NoUnionDefault, match="default graph does not see them"):
            create_app(plain)
        made_before = RemoteSparqlStore(f"{base}/query")
        with pytest.raises(NoUnionDefault):
            made_before.query(f"ASK {{ <{KALAHIEN}> ?p ?o }}")
    union = open_store(Settings(build_dir=settings.build_dir, sparql_url=loaded_server))
    assert bool(union.query(f"ASK {{ <{KALAHIEN}> ?p ?o }}")) and union.count() == built.quads


def test_slow_remote_store_is_a_timeout() -> None:
    """A server that accepts but never answers: a StoreTimeout, not a hang."""
    from kkb_lod.store import StoreTimeout

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        with pytest.raises(StoreTimeout):
            RemoteSparqlStore(url, timeout=0.5).query("ASK {}")


def test_unreachable_or_slow_remote_store_answers_502_or_504(settings: Settings) -> None:
    from kkb_lod.web import create_app

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        slow = RemoteSparqlStore(f"http://127.0.0.1:{listener.getsockname()[1]}/q", timeout=0.5)
        response = create_app(settings, slow).test_client().get("/sparql", query_string={"query": "ASK {}"})
        assert response.status_code == 504 and "did not answer" in response.get_data(True)
    down = RemoteSparqlStore(f"http://127.0.0.1:{free_port()}/q", timeout=1)
    response = create_app(settings, down).test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502 and "unreachable" in response.get_data(True)
    assert create_app(settings, down).test_client().get("/ready").status_code == 503


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("PREFIX kkb: <https://w3id.org/kkb/def#>\n# CONSTRUCT in a comment\nask {}", "ASK"),
        ("BASE <http://x/> PREFIX : <http://y#> CONSTRUCT {} WHERE {}", "CONSTRUCT"),
        ("  describe <x>", "DESCRIBE"),
        ("INSERT DATA {}", "INSERT"),
        ("", None),
    ],
)
def test_query_form_picks_what_to_ask_a_remote_store_for(query: str, form: str | None) -> None:
    from kkb_lod.sparqlscan import scan  # the sniffer RemoteSparqlStore.query asks

    assert scan(query).form == form


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("application/sparql-results+json", b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":'),
        (
            "application/sparql-results+json",
            b'{"head":{"vars":["s"]},"results":{"bindings":['
            b'{"s":{"type":"uri","value":"http://a/"}},{"s":{"type":7}}]}}',
        ),
        ("application/n-triples", b"<http://a/> <http://b/> ."),
        ("text/turtle", b"@prefix : <http://a/> . :x :y"),
    ],
)
def test_an_unreadable_answer_is_the_remote_stores_fault(
    settings: Settings, media_type: str, body: bytes
) -> None:
    """A store that answers a body that does not parse gives 502 on /sparql and on pages, not a
    400 blaming the query, nor a 500 half-way through our own answer."""
    import http.server
    import threading

    from kkb_lod.web import create_app

    class Garbage(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the handler's protocol
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = RemoteSparqlStore(f"http://127.0.0.1:{server.server_address[1]}/q", timeout=5)
        with pytest.raises(StoreError, match="unreadable"):
            list(
                store.query(
                    "SELECT ?s { ?s ?p ?o }" if "results" in media_type else "CONSTRUCT WHERE { ?s ?p ?o }"
                )
            )
        client = create_app(settings, store).test_client()
        query = "SELECT ?s { ?s ?p ?o }" if "results" in media_type else "DESCRIBE <http://a/>"
        answer = client.get("/sparql", query_string={"query": query})
        assert answer.status_code == 502 and "unreadable" in answer.get_data(True)
        page = client.get("/id/village/62.04.06.2020", headers={"Accept": "text/turtle"})
        assert page.status_code == 502
    finally:
        server.shutdown()
        server.server_close()
