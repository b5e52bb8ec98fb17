"""A SELECT whose own LIMIT keeps it within ``result_limit`` is written straight by the store in
the format asked (JSON, XML); the answer is the one the other way gives, and the limit holds."""

from __future__ import annotations

import dataclasses
import socket
import threading
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import _query, create_app
from kkb_lod.web._answer import Answer, written

LIMIT = 5
QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT {n}"
FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


@pytest.fixture
def client(settings: Settings, store: OxigraphStore) -> FlaskClient:
    return create_app(dataclasses.replace(settings, result_limit=LIMIT), store).test_client()


@pytest.fixture
def ways(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """The ``direct`` argument of each call of ``written`` by the endpoint, as a 1-tuple."""
    seen: list[tuple[object, ...]] = []

    def spy(*args: Any) -> Answer | None:
        seen.append(args[3:])
        return written(*args)

    monkeypatch.setattr(_query, "written", spy)
    return seen


def rows(body: bytes, fmt: ox.QueryResultsFormat) -> list[list[str]]:
    return [[str(term) for term in row] for row in ox.parse_query_results(body, fmt)]


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("n", [1, LIMIT])
def test_a_bounded_select_is_the_stores_own_answer(
    client: FlaskClient, store: OxigraphStore, ways: list[tuple[object, ...]], name: str, n: int
) -> None:
    query = QUERY.replace("{n}", str(n))
    response = client.get("/sparql", query_string={"query": query, "format": name})
    assert response.status_code == 200 and ways == [(FORMATS[name],)]
    expected = store.query(query)
    assert isinstance(expected, ox.QuerySolutions)
    assert response.data == expected.serialize(format=FORMATS[name])
    assert len(rows(response.data, FORMATS[name])) == n


def test_a_limit_past_result_limit_is_still_refused(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": QUERY.replace("{n}", str(LIMIT + 1))})
    assert response.status_code == 422 and f"more than {LIMIT} rows" in response.get_data(as_text=True)


def test_csv_of_a_bounded_select_stays_spreadsheet_safe(client: FlaskClient) -> None:
    query = 'SELECT ?x WHERE { BIND("=1+1" AS ?x) } LIMIT 1'
    csv = client.get("/sparql", query_string={"query": query, "format": "csv"}).get_data(as_text=True)
    assert csv == "x\r\n'=1+1\r\n"


def test_an_unbounded_select_is_written_the_counted_way(
    client: FlaskClient, ways: list[tuple[object, ...]]
) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 2"
    assert client.get("/sparql", query_string={"query": query.replace("LIMIT 2", "")}).status_code == 422
    assert client.get("/sparql", query_string={"query": query + " ", "format": "tsv"}).status_code == 200
    assert ways == [(None,), (None,)]


def test_the_page_of_a_bounded_select_lists_its_rows(client: FlaskClient) -> None:
    query = 'SELECT ?x WHERE { BIND("tiga" AS ?x) } LIMIT 1'
    page = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "tiga" in page.get_data(as_text=True)


def test_an_abandoned_direct_answer_is_none(store: OxigraphStore) -> None:
    cancelled = threading.Event()
    cancelled.set()
    result = store.query(QUERY.replace("{n}", str(LIMIT)))
    assert written(result, LIMIT, cancelled, ox.QueryResultsFormat.JSON) is None
    finished = written(store.query(QUERY.replace("{n}", "2")), LIMIT, threading.Event(), FORMATS["xml"])
    assert finished is not None and finished.format == FORMATS["xml"]
    assert len(finished.rows) == 2 and finished.variables == ["s", "p", "o"]


def test_a_store_failure_while_the_store_writes_is_not_swallowed() -> None:
    """A query that fails while the store writes it straight (SERVICE to a closed loopback port)
    raises the store's error, never an empty or partial answer."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }} LIMIT 1"
    with pytest.raises(OSError):
        written(ox.Store().query(query), LIMIT, threading.Event(), FORMATS["json"])


def test_a_graph_answer_of_no_triples_is_empty() -> None:
    answer = Answer.of_triples([])
    assert answer.body == b"" and answer.triples == []
