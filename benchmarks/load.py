"""Bounded mixed load on loopback: 60 s of pages, SPARQL, catalog and dumps at 2 gunicorn workers.

    python benchmarks/load.py [--build DIR] [--seconds 60] [--clients 8]

Only 127.0.0.1, a fixed number of client threads, and it stops by itself after the given time.
Reports requests, errors (anything but the expected status of each kind and the documented 503 and
429), and p50/p99 latency per kind of request. Exits non-zero if there was any error.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._server import gunicorn  # noqa: E402
from kkb_lod.config import Settings  # noqa: E402
from kkb_lod.pipeline import build  # noqa: E402
from kkb_lod.releases import current_release  # noqa: E402

Q = urllib.parse.quote
MIX: list[tuple[str, str, dict[str, str]]] = [
    ("page", "/id/village/62.04.06.2020", {"Accept": "text/html"}),
    ("page", "/id/district/62.04.05", {"Accept": "text/html"}),
    ("rdf", "/id/kkb/62.04.01.2002.ttl", {}),
    ("rdf", "/id/regency/62.04", {"Accept": "application/ld+json"}),
    (
        "sparql",
        "/sparql?query=" + Q("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        {"Accept": "application/sparql-results+json"},
    ),
    (
        "sparql",
        "/sparql?query="
        + Q(
            "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
            "FILTER regex(?l, 'a', 'i') } LIMIT 50"
        ),
        {"Accept": "text/csv"},
    ),
    ("sparql-bad", "/sparql?query=" + Q("SELECT WHERE {"), {}),
    ("catalog", "/catalog", {"Accept": "text/turtle"}),
    ("dump", "/dumps/kkb.nt.gz", {}),
    ("missing", "/id/village/99.99.99.2999", {"Accept": "text/html"}),
]
EXPECTED = {"sparql-bad": {400}, "missing": {404}}


def client(url: str, stop: float, seed: int, results: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    while time.monotonic() < stop:
        kind, path, headers = rng.choice(MIX)
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
            status = 0
        elapsed = time.perf_counter() - start
        ok = status in EXPECTED.get(kind, {200, 304}) or status in (503, 429)
        with lock:
            results[kind].append((elapsed, status, ok))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    try:
        current_release(args.build)
    except FileNotFoundError:
        build(Settings(build_dir=args.build))
    results: dict[str, list[tuple[float, int, bool]]] = defaultdict(list)
    lock = threading.Lock()
    with gunicorn(args.build) as url:
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=client, args=(url, stop, i, results, lock)) for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    total = sum(len(v) for v in results.values())
    errors = sum(not ok for v in results.values() for _, _, ok in v)
    busy = sum(s == 503 for v in results.values() for _, s, _ in v)
    limited = sum(s == 429 for v in results.values() for _, s, _ in v)
    print(
        f"{total} requests in {args.seconds:.0f} s ({total / args.seconds:.0f} req/s) from "
        f"{args.clients} clients, 2 workers: {errors} errors, {busy} busy (503), "
        f"{limited} rate-limited (429)\n"
    )
    print("| kind | requests | p50 ms | p99 ms | statuses |")
    print("|---|---|---|---|---|")
    for kind, rows in sorted(results.items()):
        times = [t for t, _, _ in rows]
        q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
        statuses = ", ".join(
            f"{s}×{n}" for s, n in sorted({s: sum(r[1] == s for r in rows) for _, s, _ in rows}.items())
        )
        print(f"| {kind} | {len(rows)} | {q[49] * 1e3:.2f} | {q[98] * 1e3:.2f} | {statuses} |")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
