"""The query checks against a real 2-worker ``kkb-lod serve`` on loopback.

Every known SERVICE bypass gets 400 over GET, form POST and direct POST, and the loopback listener
it aims at sees no connection. Every query shape that crashes pyoxigraph 0.5.13 (docs/
pyoxigraph-crash.md), at its measured crash point and deeper, gets 400 naming the limit, and no
worker process dies (their pids stay the same); queries at the limits still answer.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from kkb_lod.config import Settings
from kkb_lod.web._policy import Limits, shape

from .server import children, server_process
from .test_query_policy import Listener, bypasses

A = "<urn:a>"
#: Query shapes and where each crashed pyoxigraph 0.5.13 in a process of its own on the machine
#: the report was written on (docs/pyoxigraph-crash.md).
SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "FILTER EXISTS": (lambda n: "ASK { " + "FILTER EXISTS { " * n + "}" * n + " }", 848),
    "group": (lambda n: "SELECT * WHERE " + "{" * n + "}" * n, 2240),
    "OPTIONAL nested": (lambda n: "SELECT * WHERE { " + "OPTIONAL { " * n + "}" * n + " }", 2944),
    "UNION nested": (lambda n: "SELECT * WHERE " + "{ {} UNION " * n + "{}" + " }" * n, 2240),
    "MINUS nested": (lambda n: "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o " * n + "}" * n + " }", 2624),
    "GRAPH nested": (lambda n: "SELECT * WHERE { " + "GRAPH ?g { " * n + "}" * n + " }", 2944),
    "subquery": (lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE " * n + "{}" + " }" * n + " }", 2560),
    "parentheses": (lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }", 4736),
    "function calls": (lambda n: "ASK { FILTER(" + "STR(" * n + "1" + ")" * n + ") }", 960),
    "path groups": (lambda n: "ASK { ?s " + "(" * n + A + ")" * n + " ?o }", 13824),
    "blank nodes": (lambda n: "ASK { ?s ?p " + f"[ {A} " * n + "1" + " ]" * n + " }", 3456),
    "collections": (lambda n: "ASK { ?s ?p " + "( " * n + "1" + " )" * n + " }", 9984),
    "unary !": (lambda n: "ASK { FILTER(" + "!" * n + "true) }", 9472),
    "OPTIONAL flat": (lambda n: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * n + "}", 6656),
    "UNION flat": (lambda n: "SELECT * WHERE { {} " + "UNION {} " * n + "}", 6656),
    "path sequence": (lambda n: f"ASK {{ ?s {A}" + f"/{A}" * n + " ?o }", 8192),
    "path alternative": (lambda n: f"ASK {{ ?s {A}" + f"|{A}" * n + " ?o }", 11008),
    "&& chain": (lambda n: "ASK { FILTER(true" + "&&true" * n + ") }", 9472),
    "+ chain": (lambda n: "ASK { FILTER(1" + "+1" * n + ") }", 6912),
    "triple patterns": (lambda n: "SELECT * WHERE { " + "?s ?p ?o . " * n + "}", 8192),
    "objects": (lambda n: "ASK { ?s ?p " + ", ".join(["1"] * n) + " }", 8192),
    "collection items": (lambda n: "ASK { ?s ?p ( " + "1 " * n + ") }", 4096),
    "MINUS flat": (lambda n: "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * n + "}", 2624),
    "BIND flat": (
        lambda n: "SELECT * WHERE { " + "".join(f"BIND(1 AS ?v{i}) " for i in range(n)) + "}",
        2624,
    ),
    "FILTER flat": (lambda n: "SELECT * WHERE { ?s ?p ?o " + "FILTER(?o) " * n + "}", 9472),
    "brackets in strings": (lambda n: "ASK { FILTER(" + 'CONCAT("))", ' * n + "1" + ")" * n + ") }", 960),
    "closers after an IRI with #": (
        lambda n: "ASK { FILTER(?a <x#> 1 ))\n" + "(" * n + "1" + ")" * n + ") }",
        4736,
    ),
}


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[tuple[str, set[int]]]:
    """A 2-worker server of the session build; its URL and a function giving its workers."""
    with server_process("--build", str(settings.build_dir), env={"KKB_WORKERS": "2", "KKB_THREADS": "4"}) as (
        url,
        process,
    ):
        deadline = time.monotonic() + 60
        while len(children(process.pid)) != 2:
            assert time.monotonic() < deadline, "the server never had two workers"
            time.sleep(0.1)
        yield url, process  # type: ignore[misc]


def ask(url: str, query: str, how: str) -> tuple[int, str]:
    """Send ``query`` to ``url``/sparql by GET, form POST or direct POST."""
    endpoint = url + "/sparql"
    encoded = urllib.parse.urlencode({"query": query})
    if how == "GET":
        request = urllib.request.Request(f"{endpoint}?{encoded}")
    elif how == "form":
        request = urllib.request.Request(
            endpoint, data=encoded.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    else:
        request = urllib.request.Request(
            endpoint, data=query.encode("utf-8"), headers={"Content-Type": "application/sparql-query"}
        )
    request.add_header("Accept", "application/sparql-results+json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode("utf-8")


HOW = ("GET", "form", "direct")


def test_service_bypasses_get_400_and_call_nobody(server: tuple[str, object]) -> None:
    url, _ = server
    listener = Listener()
    try:
        for query in bypasses(listener.url):
            for how in HOW:
                status, body = ask(url, query, how)
                assert status == 400 and body.startswith("400 Bad Request: "), (query, how, body)
        time.sleep(0.3)
        assert listener.seen == []
    finally:
        listener.close()


@pytest.mark.parametrize("query", ["ASK { ?s ?p <\\U99999999> }", 'ASK { ?s ?p "\\uD800" }'])
def test_escapes_of_no_character_get_400(server: tuple[str, object], query: str) -> None:
    url, _ = server
    for how in HOW:
        status, body = ask(url, query, how)
        assert status == 400 and "stands for no character" in body


def test_crashing_shapes_get_400_and_no_worker_dies(server: tuple[str, object]) -> None:
    url, process = server
    before = children(process.pid)  # type: ignore[attr-defined]
    for name, (make, crash) in SHAPES.items():
        for n in (crash, 2 * crash):
            status, body = ask(url, make(n), "direct")
            assert status == 400, (name, n, body[:200])
            assert any(
                f"(query_max_{limit})" in body for limit in ("bytes", "depth", "operators", "patterns")
            ), (name, body[:200])
    status, _ = ask(url, "ASK {}", "GET")
    assert status == 200
    assert children(process.pid) == before  # type: ignore[attr-defined]


#: Shapes whose planning alone, uninterruptible by query_timeout, took tens of seconds on an
#: empty store (docs/pyoxigraph-crash.md, "Slow to plan"): refused by query_max_patterns.
SLOW_TO_PLAN = {
    "star of 200 patterns": "SELECT * WHERE { ?s ?p ?o . "
    + " ".join(f"?s ?p{i} ?o{i} ." for i in range(200))
    + " }",
    "150 OPTIONALs": "SELECT * WHERE { ?s ?p ?o "
    + " ".join(f"OPTIONAL {{ ?s ?p{i} ?o{i} }}" for i in range(150))
    + " }",
    "200 objects": "SELECT * WHERE { ?s ?p " + ", ".join(f"?o{i}" for i in range(200)) + " }",
    "200 predicates": "SELECT * WHERE { ?s " + "; ".join(f"?p{i} ?o{i}" for i in range(200)) + " }",
}


def chain(n: int) -> str:
    """``n`` triple patterns joined subject to object: cheap to plan, for the limit itself."""
    return "ASK { " + " ".join(f"?x{i} ?p{i} ?x{i + 1} ." for i in range(n)) + " }"


def test_slow_to_plan_shapes_get_400_naming_the_limit(server: tuple[str, object]) -> None:
    url, process = server
    before = children(process.pid)  # type: ignore[attr-defined]
    for name, query in SLOW_TO_PLAN.items():
        status, body = ask(url, query, "direct")
        assert status == 400 and "(query_max_patterns)" in body, (name, body[:200])
    patterns = Settings().query_max_patterns
    assert ask(url, chain(patterns), "direct")[0] == 200
    status, body = ask(url, chain(patterns + 1), "direct")
    assert status == 400 and "(query_max_patterns)" in body
    assert children(process.pid) == before  # type: ignore[attr-defined]


def test_queries_at_the_limits_answer(server: tuple[str, object]) -> None:
    url, _ = server
    limits = Settings()
    depth = limits.query_max_depth
    for make in (SHAPES["group"][0], SHAPES["parentheses"][0], SHAPES["function calls"][0]):
        at_limit = next(
            n
            for n in range(depth, 0, -1)
            if make(n).count("(") + make(n).count("{") + make(n).count("[") <= depth
        )
        status, body = ask(url, make(at_limit), "GET")
        assert status == 200, body[:300]
        status, body = ask(url, make(at_limit + 1), "GET")
        assert status == 400 and "query_max_depth" in body
    make = SHAPES["+ chain"][0]
    at_limit = next(
        n
        for n in range(limits.query_max_operators, 0, -1)
        if shape(make(n), Limits(10**9, depth, limits.query_max_operators, 10**9))[1]
        <= limits.query_max_operators
    )
    status, body = ask(url, make(at_limit), "direct")
    assert status == 200, body[:300]
    status, body = ask(url, make(at_limit + 1), "direct")
    assert status == 400 and "query_max_operators" in body
    padded = "ASK {}\n#" + "x" * (limits.query_max_bytes - len("ASK {}\n#"))
    assert len(padded.encode()) == limits.query_max_bytes
    assert ask(url, padded, "direct")[0] == 200
    status, body = ask(url, padded + "x", "direct")
    assert status == 400 and "query_max_bytes" in body


def test_invalid_utf8_gets_400(server: tuple[str, object]) -> None:
    url, _ = server
    requests = [
        urllib.request.Request(url + "/sparql?query=ASK%20%7B%7D%FF"),
        urllib.request.Request(
            url + "/sparql",
            data=b"query=ASK%20%7B%7D%C3%28",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        urllib.request.Request(
            url + "/sparql",
            data=b"ASK {} #\xed\xa0\x80",
            headers={"Content-Type": "application/sparql-query"},
        ),  # an encoded surrogate
    ]
    for request in requests:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        with refused.value as answer:
            assert answer.code == 400 and b"UTF-8" in answer.read()
