"""The result limit and the abandoned request, on each way an answer is written.

``_answer.written`` reads the first rows one by one and, when they came fast, leaves the rest to
the store's writer; a slow query is read row by row to the end. Which runs depends on the
machine's speed, so each test here chooses it: ``FAST_ROW = 0`` (no row ever counts as fast:
row by row to the end) or ``FAST_ROW = inf`` (every row counts as fast: the store writes all
after the first rows). Both are exact, whatever the machine's load.
"""

from __future__ import annotations

import dataclasses
import math
import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import _answer, create_app
from kkb_lod.web._answer import FIRST_ROWS, TooLarge, _Writer, written

SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
EMPTY_ROWS = "SELECT ?unbound WHERE { ?s ?p ?o }"  # one row per triple, nothing bound
#: path name → FAST_ROW
PATHS = {"row by row": 0.0, "store after the first rows": math.inf}


def tiny(rows: int) -> ox.Store:
    """A store whose queries above answer ``rows`` rows; the literals hold line breaks, tabs and
    JSON's row marks, none of which may count as a row."""
    store = ox.Store()
    store.extend(
        ox.Quad(
            ox.NamedNode(f"urn:x:{i:04d}"),
            ox.NamedNode("urn:x:p"),
            ox.Literal(f'{i} ,{{"a":1}} [{{"b"\n\t', language="en" if i % 2 else None),
        )
        for i in range(rows)
    )
    return store


@pytest.fixture(params=sorted(PATHS))
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each way of writing, forced."""
    monkeypatch.setattr(_answer, "FAST_ROW", PATHS[request.param])
    yield


def the_same(answer: _answer.Answer, store: ox.Store, query: str) -> None:
    """``answer`` is the store's own answer to ``query``, rows in order."""
    if query == CONSTRUCT:
        assert answer.kind == "graph"
        assert {q.triple for q in ox.parse(answer.body, ox.RdfFormat.N_TRIPLES)} == set(store.query(query))
        return
    assert answer.kind == "results"
    got = ox.parse_query_results(answer.body, ox.QueryResultsFormat.TSV)
    expected = store.query(query)
    assert [v.value for v in got.variables] == [v.value for v in expected.variables]
    assert list(got) == list(expected)


@pytest.mark.parametrize("limit", [10, FIRST_ROWS, 40])  # below, at and past the rows read first
@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
def test_each_way_answers_up_to_the_limit_and_refuses_one_more(path: None, limit: int, query: str) -> None:
    """Exactly ``limit`` rows are answered whole and in order; ``limit + 1`` (or far more: 159,
    the count a slow query once answered under result_limit=10) are refused."""
    for rows in (limit - 1, limit):
        store = tiny(rows)
        answer = written(store.query(query), limit, threading.Event())
        assert answer is not None
        the_same(answer, store, query)
    for rows in (limit + 1, 159):
        with pytest.raises(TooLarge):
            written(tiny(rows).query(query), limit, threading.Event())


def test_rows_with_nothing_bound_count_too(path: None) -> None:
    """Empty rows (an empty line in TSV) count as rows: 40 pass a limit of 40, 41 do not."""
    store = tiny(40)
    answer = written(store.query(EMPTY_ROWS), 40, threading.Event())
    assert answer is not None
    the_same(answer, store, EMPTY_ROWS)
    assert len(answer.rows) == 40 and all(list(row) == [None] for row in answer.rows)
    with pytest.raises(TooLarge):
        written(tiny(41).query(EMPTY_ROWS), 40, threading.Event())


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT, EMPTY_ROWS])
def test_an_abandoned_request_gets_no_answer(path: None, query: str) -> None:
    cancelled = threading.Event()
    cancelled.set()
    assert written(tiny(30).query(query), 100, cancelled) is None


def test_ask_answers_its_boolean(path: None) -> None:
    store = tiny(3)
    for query, expected in (("ASK { ?s ?p ?o }", True), ("ASK { ?s <urn:x:q> ?o }", False)):
        answer = written(store.query(query), 0, threading.Event())
        assert answer is not None and answer.kind == "boolean" and answer.boolean is expected


def test_a_graph_answer_made_in_python_is_n_triples() -> None:
    triple = ox.Triple(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("b"))
    answer = _answer.Answer.of_triples([triple])
    assert answer.kind == "graph" and answer.triples == [triple]
    assert answer.variables == [] and answer.rows == []


def test_a_writer_stops_for_good_once_abandoned() -> None:
    """After the request gave up, every later write fails with the same word, even one the
    store's buffer tries again, and nothing more is kept."""
    cancelled = threading.Event()
    writer = _Writer(10, cancelled)
    assert writer.write(b'[{"a"\n') == 6
    cancelled.set()
    for _ in range(2):
        with pytest.raises(OSError, match="cancelled"):
            writer.write(b"more\n")
    cancelled.clear()
    with pytest.raises(OSError, match="cancelled"):
        writer.write(b"more\n")
    assert writer.parts == [b'[{"a"\n'] and writer.stopped == "cancelled"
    writer.flush()  # the store may flush: nothing to do, nothing raised


def test_the_line_writer_stops_one_line_past_its_limit() -> None:
    writer = _Writer(3, threading.Event())
    assert writer.write(b"a\nb\n") == 4 and writer.write(b"c\n") == 2
    with pytest.raises(OSError, match="too large"):
        writer.write(b"d\n")
    with pytest.raises(OSError, match="too large"):
        writer.write(b"")
    assert b"".join(writer.parts) == b"a\nb\nc\n" and writer.lines == 4


@pytest.mark.parametrize("fast_row", [0.0, math.inf])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "application/n-triples"])
def test_the_endpoint_keeps_result_limit_on_each_way(
    settings: Settings, fast_row: float, accept: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``/sparql`` with result_limit=10: 10 rows answer 200, 11 answer 422, whichever
    way the answer is written."""
    monkeypatch.setattr(_answer, "FAST_ROW", fast_row)
    query = CONSTRUCT if accept == "application/n-triples" else SELECT
    for rows, status in ((10, 200), (11, 422), (159, 422)):
        store = OxigraphStore()
        store.ox.extend(tiny(rows))
        client = create_app(dataclasses.replace(settings, result_limit=10), store).test_client()
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        if status == 200:
            lines = response.get_data(as_text=True).count("urn:x:")
            assert lines == (20 if query == CONSTRUCT else 10)  # N-Triples: subject and predicate
        else:
            assert "more than 10 rows or triples" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
def test_a_large_answer_is_whole_on_each_way(path: None, query: str) -> None:
    """An answer of many of the store's write blocks (8 KB each) comes back whole and in order."""
    store = tiny(600)
    answer = written(store.query(query), 600, threading.Event())
    assert answer is not None and len(answer.body) > 3 * 8192
    the_same(answer, store, query)


def test_a_store_failure_while_writing_is_not_swallowed(path: None) -> None:
    """A query that fails while its rows are written (here: SERVICE to a closed loopback port)
    raises the store's error, never a partial answer."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(OSError):
        written(ox.Store().query(query), 10, threading.Event())
