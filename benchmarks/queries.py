"""HTTP latency of a fixed researcher query set, against raw pyoxigraph in the same run.

    python benchmarks/queries.py [--build DIR] [--runs 200]

Builds the bundled registry if DIR has no release, starts gunicorn (2 workers) on loopback, and
times every query N times through ``/sparql`` (a bare keep-alive socket client, JSON results)
and N times in-process on a pyoxigraph store loaded from the same release. Both sides produce the same answer
format: SPARQL JSON for SELECT, Turtle for DESCRIBE (the raw side runs the query and serialises
its result with pyoxigraph's own writer; the HTTP side also parses the request, checks the
query, enforces the limits and writes the response). Prints p50/p95 of each and the ratio; the
target is HTTP p50 ≤ 1.2 × raw p50 + 1 ms. Then the one-village HTML page in-process (Flask's
test client), drawn every time and from the page cache: what the page cache buys. Not a test: run
it on a quiet machine.
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
    "counts per district": P + """SELECT ?d (COUNT(?k) AS ?n) WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d } GROUP BY ?d""",
    "KKB list + labels + Wikidata": P + """SELECT ?k ?name ?wd WHERE {
        ?k a kkb:KKBDesignation ; kkb:village ?v . ?v rdfs:label ?name .
        OPTIONAL { ?v kkb:partOf/kkb:partOf ?r . ?r owl:sameAs ?wd } }""",
    "activity aggregate by regency/year": P + """SELECT ?r ?y (COUNT(DISTINCT ?k) AS ?n) WHERE {
        ?a kkb:year ?y ; kkb:guides ?k . ?k kkb:village/kkb:partOf/kkb:partOf ?r }
        GROUP BY ?r ?y""",
    "describe": "DESCRIBE <https://w3id.org/kkb/id/village/62.04.06.2020>",
    "label regex": P + 'SELECT ?u WHERE { ?u rdfs:label ?l FILTER regex(?l, "^bintang", "i") }',
    "OPTIONAL-heavy table": P + """SELECT ?u ?code ?lat ?long ?post ?bps WHERE {
        ?u a kkb:Village ; kkb:kemendagriCode ?code .
        OPTIONAL { ?u geo:lat ?lat } OPTIONAL { ?u geo:long ?long }
        OPTIONAL { ?u schema:postalCode ?post } OPTIONAL { ?u kkb:bpsCode ?bps } }""",
    "part-of path": P + """SELECT ?u WHERE {
        ?u kkb:partOf+ <https://w3id.org/kkb/id/regency/62.04> }""",
    "time series": P + """SELECT ?y (COUNT(?a) AS ?n) WHERE { ?a kkb:year ?y } GROUP BY ?y
        ORDER BY ?y""",
}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def time_http(url: str, query: str, runs: int) -> list[float]:
    """Seconds for each of ``runs`` POSTs of ``query`` to ``/sparql`` on one keep-alive connection,
    from sending the request to the last byte of the answer.

    The client is a bare socket that reads the status line, the headers and the body (by
    Content-Length, or chunked), as wrk does: ``http.client`` parses every answer's headers with
    ``email.parser``, 0.1-0.3 ms an answer here, which is the client's time, not the endpoint's
    (benchmarks/README.md).
    """
    host = urllib.parse.urlparse(url)
    accept = "text/turtle" if query.lstrip().startswith("DESCRIBE") else (
        "application/sparql-results+json")
    body = urllib.parse.urlencode({"query": query}).encode()
    request = (f"POST /sparql HTTP/1.1\r\nHost: {host.netloc}\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nAccept: {accept}\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    times = []
    with socket.create_connection((host.hostname, host.port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        for _ in range(runs):
            start = time.perf_counter()
            sock.sendall(request)
            status = _read_answer(reader)
            times.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"HTTP {status} for {query[:60]}")
    return times


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
    while (size := int(reader.readline().split(b";")[0], 16)):
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


def time_pages(build_dir: Path, release: Path, store: OxigraphStore, runs: int
               ) -> dict[str, list[float]]:
    """Seconds for each of ``runs`` GETs of the village page (HTML) in-process, with the page
    cache and without it (a cache of no entries: every page drawn)."""
    from kkb_lod.web import create_app

    app = create_app(Settings(build_dir=build_dir), store, read_manifest(release))
    client, found = app.test_client(), {}
    for name in ("with page cache", "without page cache"):
        client.get(PAGE, headers={"Accept": "text/html"})  # draws it (and keeps it, with a cache)
        if name == "without page cache":
            app.extensions["kkb_pages"].size = 0  # kept no more: every page drawn
            app.extensions["kkb_pages"].cache.clear()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            if client.get(PAGE, headers={"Accept": "text/html"}).status_code != 200:
                raise RuntimeError(f"{PAGE} did not answer 200")
            times.append(time.perf_counter() - start)
        found[name] = times
    return found


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
    print("| query | raw p50 ms | raw p95 ms | HTTP p50 ms | HTTP p95 ms | ratio p50 | target |")
    print("|---|---|---|---|---|---|---|")
    with gunicorn(args.build) as url:
        for name, query in QUERIES.items():
            raw, http = time_raw(store, query, args.runs), time_http(url, query, args.runs)
            r50, h50 = percentile(raw, 50) * 1e3, percentile(http, 50) * 1e3
            ok = "met" if h50 <= 1.2 * r50 + 1.0 else "MISSED"
            print(f"| {name} | {r50:.3f} | {percentile(raw, 95) * 1e3:.3f} | {h50:.3f} | "
                  f"{percentile(http, 95) * 1e3:.3f} | {h50 / r50:.1f}× | {ok} |")
    pages = time_pages(args.build, release, store, args.runs)
    base = percentile(pages["without page cache"], 50)
    print("\n| village page (HTML, in-process) | p50 ms | p95 ms | vs drawn every time |")
    print("|---|---|---|---|")
    for name, times in pages.items():
        print(f"| {name} | {percentile(times, 50) * 1e3:.3f} | {percentile(times, 95) * 1e3:.3f} "
              f"| {percentile(times, 50) / base:.2f}× |")


if __name__ == "__main__":
    main()
