"""HTTP latency of a fixed researcher query set, against raw pyoxigraph in the same run.

    python benchmarks/queries.py [--build DIR] [--runs 200]

Builds the bundled registry if DIR has no release, starts gunicorn (2 workers) on loopback, and
times every query N times through ``/sparql`` (a bare keep-alive socket client, JSON results)
and N times in-process on a pyoxigraph store loaded from the same release. Both sides produce the same answer
format: SPARQL JSON for SELECT, Turtle for DESCRIBE (the raw side runs the query and serialises
its result with pyoxigraph's own writer; the HTTP side also parses the request, checks the
query, enforces the limits and writes the response). Prints p50/p95 of each, the ratio, and the
p50 of first-time queries (each run's text made new by a trailing comment, so nothing the server
remembers of a text helps); the target (issue #19): first-time p50 ≤ raw p50 + 1 ms, or ≤ 1.2 ×
raw p50 for queries over 10 ms. Not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._server import gunicorn  # noqa: E402
from kkb_lod.config import Settings  # noqa: E402
from kkb_lod.pipeline import build  # noqa: E402
from kkb_lod.releases import current_release, read_manifest  # noqa: E402
from kkb_lod.store import OxigraphStore  # noqa: E402
from kkb_lod.vocab import PREFIXES  # noqa: E402

P = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
QUERIES = {
    "lookup": P + 'SELECT ?v WHERE { ?v kkb:kemendagriCode "62.04.06.2020" }',
    "counts per district": P
    + """SELECT ?d (COUNT(?k) AS ?n) WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d } GROUP BY ?d""",
    "KKB list + labels + Wikidata": P
    + """SELECT ?k ?name ?wd WHERE {
        ?k a kkb:KKBDesignation ; kkb:village ?v . ?v rdfs:label ?name .
        OPTIONAL { ?v kkb:partOf/kkb:partOf ?r . ?r owl:sameAs ?wd } }""",
    "activity aggregate by regency/year": P
    + """SELECT ?r ?y (COUNT(DISTINCT ?k) AS ?n) WHERE {
        ?a kkb:year ?y ; kkb:guides ?k . ?k kkb:village/kkb:partOf/kkb:partOf ?r }
        GROUP BY ?r ?y""",
    "describe": "DESCRIBE <https://w3id.org/kkb/id/village/62.04.06.2020>",
    "label regex": P + 'SELECT ?u WHERE { ?u rdfs:label ?l FILTER regex(?l, "^bintang", "i") }',
    "OPTIONAL-heavy table": P
    + """SELECT ?u ?code ?lat ?long ?post ?bps WHERE {
        ?u a kkb:Village ; kkb:kemendagriCode ?code .
        OPTIONAL { ?u geo:lat ?lat } OPTIONAL { ?u geo:long ?long }
        OPTIONAL { ?u schema:postalCode ?post } OPTIONAL { ?u kkb:bpsCode ?bps } }""",
    "part-of path": P
    + """SELECT ?u WHERE {
        ?u kkb:partOf+ <https://w3id.org/kkb/id/regency/62.04> }""",
    "time series": P
    + """SELECT ?y (COUNT(?a) AS ?n) WHERE { ?a kkb:year ?y } GROUP BY ?y
        ORDER BY ?y""",
}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def time_http(url: str, query: str, runs: int, fresh: bool = False) -> list[float]:
    """Seconds for each of ``runs`` POSTs of ``query`` to ``/sparql`` on one keep-alive connection,
    from sending the request to the last byte of the answer; ``fresh``: each a text not sent before.

    The client is a bare socket that reads the status line, the headers and the body (by
    Content-Length, or chunked), as wrk does: ``http.client`` parses every answer's headers with
    ``email.parser``, 0.1-0.3 ms an answer here, which is the client's time, not the endpoint's
    (benchmarks/README.md).
    """
    host = urllib.parse.urlparse(url)

    def request(text: str) -> bytes:
        return sparql_post(host.netloc, text, answer_type(query))

    times, same = [], request(query)
    nonce = time.time_ns()
    with socket.create_connection((host.hostname, host.port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        for run in range(runs):
            sent = request(f"{query}\n# run {nonce} {run}") if fresh else same
            start = time.perf_counter()
            sock.sendall(sent)
            status = _read_answer(reader)
            times.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"HTTP {status} for {query[:60]}")
    return times


def answer_type(query: str) -> str:
    """The answer format both sides produce: Turtle for DESCRIBE, SPARQL JSON for the rest."""
    return "text/turtle" if query.lstrip().startswith("DESCRIBE") else ("application/sparql-results+json")


def sparql_post(netloc: str, text: str, accept: str) -> bytes:
    """The bytes of one keep-alive POST of ``text`` to ``/sparql`` on ``netloc``."""
    body = urllib.parse.urlencode({"query": text}).encode()
    return (
        f"POST /sparql HTTP/1.1\r\nHost: {netloc}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nAccept: {accept}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _read_answer(reader) -> int:  # noqa: ANN001 - a socket's binary file
    """Read one HTTP/1.1 answer off ``reader``; its status."""
    status = int(reader.readline().split(b" ", 2)[1])
    length, chunked = 0, False
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    if not chunked:
        reader.read(length)
        return status
    while size := int(reader.readline().split(b";")[0], 16):
        reader.read(size + 2)
    while reader.readline() not in (b"\r\n", b""):  # trailers
        pass
    return status


def time_raw(store: OxigraphStore, query: str, runs: int) -> list[float]:
    """Seconds to run ``query`` in-process and serialise its answer in the format the HTTP side
    asks for (:func:`time_http`: JSON for SELECT, Turtle for DESCRIBE)."""
    import pyoxigraph as ox

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = store.query(query)
        if isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.TURTLE)
        elif isinstance(result, ox.QuerySolutions):
            result.serialize(format=ox.QueryResultsFormat.JSON)
        times.append(time.perf_counter() - start)
    return times


PAGE = "/id/village/62.04.06.2020"


def time_pages(build_dir: Path, release: Path, store: OxigraphStore, runs: int) -> dict[str, list[float]]:
    """Seconds for each of ``runs`` GETs of the village page (HTML) in-process, with the page
    cache and without it (a cache of no entries: every page drawn)."""
    from kkb_lod.web import create_app

    app = create_app(Settings(build_dir=build_dir), store, read_manifest(release))
    client, found = app.test_client(), {}
    for name in ("with page cache", "without page cache"):
        client.get(PAGE, headers={"Accept": "text/html"})  # draws it (and keeps it, with a cache)
        if name == "without page cache":
            app.extensions["kkb"].pages.size = 0  # kept no more: every page drawn
            app.extensions["kkb"].pages.cache.clear()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            if client.get(PAGE, headers={"Accept": "text/html"}).status_code != 200:
                raise RuntimeError(f"{PAGE} did not answer 200")
            times.append(time.perf_counter() - start)
        found[name] = times
    return found


def machinery() -> None:
    """What speed machinery buys on the request path, in process (issue #19): the scan's short
    way against the full tokenizer (kept); 10,000 rows (the default result_limit) as SPARQL JSON
    the way the endpoint writes them (TSV under the row limit, converted by pyoxigraph) against
    pyoxigraph's JSON writer, which has no row limit (docs/scale.md: counting JSON rows in
    Python as they were written cost what the direct writer saved)."""
    import threading
    import timeit

    import pyoxigraph as ox

    from kkb_lod.sparqlscan import full_scan, scan
    from kkb_lod.web._answer import written

    query, runs = QUERIES["time series"], 200
    short, full = (
        timeit.timeit(lambda f=f: f(query, "http://x/sparql"), number=runs) / runs * 1e3
        for f in (scan, full_scan)
    )
    print(
        f"\nscan of a {query.count('PREFIX')}-PREFIX query: short way {short:.3f} ms, "
        f"full tokenizer {full:.3f} ms"
    )
    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), ox.Literal(f"value {i}", language="en"))
        for i in range(10_000)
    )
    rows, results = "SELECT ?s ?o WHERE { ?s ?p ?o }", ox.QueryResultsFormat

    def converted() -> None:
        answer = written(store.query(rows), 10_000, threading.Event())
        assert answer is not None
        ox.parse_query_results(answer.body, results.TSV).serialize(format=results.JSON)

    direct, via_tsv = (
        min(timeit.repeat(f, number=5, repeat=5)) / 5 * 1e3
        for f in (lambda: store.query(rows).serialize(format=results.JSON), converted)
    )
    print(
        f"10,000 rows as SPARQL JSON: the endpoint's way {via_tsv:.1f} ms, pyoxigraph's "
        f"JSON writer alone {direct:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    try:
        release = current_release(args.build)
    except FileNotFoundError:
        release = build(Settings(build_dir=args.build)).release
    store = OxigraphStore.from_release(release, "memory")
    print(f"release {release.name}: {store.count()} quads; {args.runs} runs per query\n")
    print(
        "| query | raw p50 ms | raw p95 ms | HTTP p50 ms | HTTP p95 ms | ratio p50 "
        "| first-time HTTP p50 ms | target |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with gunicorn(args.build) as url:
        for name, query in QUERIES.items():
            raw, http = time_raw(store, query, args.runs), time_http(url, query, args.runs)
            fresh = time_http(url, query, args.runs, fresh=True)
            r50, h50, f50 = (percentile(t, 50) * 1e3 for t in (raw, http, fresh))
            ok = "met" if f50 <= (1.2 * r50 if r50 > 10 else r50 + 1.0) else "MISSED"
            print(
                f"| {name} | {r50:.3f} | {percentile(raw, 95) * 1e3:.3f} | {h50:.3f} | "
                f"{percentile(http, 95) * 1e3:.3f} | {h50 / r50:.1f}× | {f50:.3f} | {ok} |"
            )
    machinery()
    pages = time_pages(args.build, release, store, args.runs)
    base = percentile(pages["without page cache"], 50)
    print("\n| village page (HTML, in-process) | p50 ms | p95 ms | vs drawn every time |")
    print("|---|---|---|---|")
    for name, times in pages.items():
        print(
            f"| {name} | {percentile(times, 50) * 1e3:.3f} | {percentile(times, 95) * 1e3:.3f} "
            f"| {percentile(times, 50) / base:.2f}× |"
        )


if __name__ == "__main__":
    main()
