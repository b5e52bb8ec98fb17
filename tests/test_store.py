"""One contract, two stores: the embedded Oxigraph and a remote SPARQL 1.1 server.

The remote one is a real Oxigraph server process (PyPI package ``oxigraph``) on loopback, serving
the session build's on-disk store read-only.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kkb_lod.config import Settings
from kkb_lod.pipeline import BuildResult
from kkb_lod.store import OxigraphStore, RemoteSparqlStore, Store, StoreError, open_store

from .server import free_port, wait_until_up

KALAHIEN = "https://w3id.org/kkb/id/village/62.04.06.2020"
REGISTRY = "https://w3id.org/kkb/graph/registry"


@pytest.fixture(scope="module")
def oxigraph_server(built: BuildResult) -> Iterator[str]:
    beside = Path(sys.executable).with_name("oxigraph")  # the venv's, when it is not on PATH
    binary = str(beside) if beside.is_file() else shutil.which("oxigraph")
    assert binary, "the oxigraph server (pip package 'oxigraph') is a test dependency"
    port = free_port()
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(built.release / "store"),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/query"
        try:
            wait_until_up(f"{url}?query=ASK%7B%7D", proc, 30, output)
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


@pytest.fixture(params=["embedded-memory", "embedded-disk", "remote"])
def any_store(request: pytest.FixtureRequest, built: BuildResult) -> Store:
    if request.param == "remote":
        return RemoteSparqlStore(request.getfixturevalue("oxigraph_server"))
    return OxigraphStore.from_release(built.release, request.param.split("-")[1])


def test_select(any_store: Store) -> None:
    rows = list(any_store.query(
        "SELECT ?name WHERE { ?kkb <https://w3id.org/kkb/def#village> ?v . "
        "?v <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name"))
    assert len(rows) == 15
    assert rows[0]["name"] == ox.Literal("Babai", language="id")


def test_ask(any_store: Store) -> None:
    assert bool(any_store.query(f"ASK {{ <{KALAHIEN}> ?p ?o }}"))
    assert not bool(any_store.query("ASK { <urn:x:nothing> ?p ?o }"))


def test_construct_and_describe(any_store: Store) -> None:
    triples = list(any_store.query(f"CONSTRUCT {{ <{KALAHIEN}> ?p ?o }} WHERE {{ <{KALAHIEN}> ?p ?o }}"))
    assert ox.Triple(ox.NamedNode(KALAHIEN), ox.NamedNode(
        "https://w3id.org/kkb/def#kemendagriCode"), ox.Literal("62.04.06.2020")) in triples
    described = any_store.query(f"DESCRIBE <{KALAHIEN}>")
    assert len(list(described)) == len(triples)
    assert b"62.04.06.2020" in any_store.query(f"DESCRIBE <{KALAHIEN}>").serialize(
        format=ox.RdfFormat.N_TRIPLES)


def test_default_graph_selection(any_store: Store) -> None:
    query = f"ASK {{ <{KALAHIEN}> ?p ?o }}"
    assert not bool(any_store.query(query, default_graphs=[REGISTRY]))
    assert bool(any_store.query(
        "ASK { ?k a <https://w3id.org/kkb/def#KKBDesignation> }", default_graphs=[REGISTRY]))


def test_syntax_error(any_store: Store) -> None:
    with pytest.raises(SyntaxError):
        any_store.query("SELECT WHERE {")


def test_count(any_store: Store, built: BuildResult) -> None:
    assert any_store.count() == built.quads


def test_unreachable_remote_store_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="unreachable"):
        RemoteSparqlStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).query("ASK {}")


def test_open_store_follows_the_settings(settings: Settings) -> None:
    assert isinstance(open_store(settings), OxigraphStore)
    remote = Settings(sparql_url="http://127.0.0.1:9/query")
    assert isinstance(open_store(remote), RemoteSparqlStore)


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
        response = create_app(settings, slow).test_client().get(
            "/sparql", query_string={"query": "ASK {}"})
        assert response.status_code == 504 and "did not answer" in response.get_data(True)
    down = RemoteSparqlStore(f"http://127.0.0.1:{free_port()}/q", timeout=1)
    response = create_app(settings, down).test_client().get(
        "/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502 and "unreachable" in response.get_data(True)
    assert create_app(settings, down).test_client().get("/ready").status_code == 503
