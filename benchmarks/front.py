"""Through the nginx recipe (deploy/nginx) against the Oxigraph server, on the same data.

    python benchmarks/front.py [--size 1e5] [--work /tmp/kkb-front] [--runs 300] [--seconds 5]

Builds the synthetic registry of SIZE as benchmarks/scale.py does (reused when WORK has it),
serves it with gunicorn (2 workers, memory store) behind nginx configured by the recipe's own
site file (started as tests/test_front.py starts it), and serves the release's on-disk store
with the Oxigraph server (``oxigraph serve-read-only --union-default-graph``). Then, engines
alternating, measures issue #19's targets through the front:
- a repeated village page (its Turtle, and its HTML page) against the Oxigraph server's DESCRIBE
  of the village: requests/s with wrk (8 connections) when installed, else one bare keep-alive
  connection; target ≥ 1.5×;
- the researcher query set of benchmarks/scale.py as repeated SPARQL GET requests on one bare
  keep-alive connection: p50 against the Oxigraph server's; target ≤ 1×.
The repeated answers come from nginx's cache, so they need the app's Cache-Control (the cache
contract of issue #19); without it the script stops saying so. Not a test: run it on a quiet
machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._server import started  # noqa: E402
from benchmarks.queries import _read_answer  # noqa: E402
from benchmarks.scale import BASE, VILLAGE, _wrk, build, queries  # noqa: E402
from tests.server import oxigraph_process  # noqa: E402
from tests.test_front import nginx  # noqa: E402

PAGE = "/id/village/62.04.06.2020"
JSON = "application/sparql-results+json"


def get_times(targets: list[tuple[str, str]], accept: str, runs: int) -> list[list[float]]:
    """Seconds of each of ``runs`` GETs of each (base URL, path) of ``targets``, each on a
    keep-alive connection of its own, the targets taking turns request by request (so a moment
    of a busy machine falls on both alike). A bare socket client, as benchmarks/queries.py: the
    client's own parsing is not timed."""
    with contextlib.ExitStack() as stack:
        peers = []
        for url, path in targets:
            where = urllib.parse.urlparse(url)
            sock = stack.enter_context(socket.create_connection((where.hostname, where.port), timeout=120))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request = f"GET {path} HTTP/1.1\r\nHost: {where.netloc}\r\nAccept: {accept}\r\n\r\n"
            peers.append((sock, sock.makefile("rb"), request.encode(), url + path[:80]))
        times: list[list[float]] = [[] for _ in targets]
        for _ in range(runs):
            for (sock, reader, request, what), got in zip(peers, times, strict=True):
                start = time.perf_counter()
                sock.sendall(request)
                status = _read_answer(reader)
                got.append(time.perf_counter() - start)
                if status != 200:
                    raise RuntimeError(f"HTTP {status} for {what}")
    return times


def paired_rates(
    front: str, path: str, accept: str, ox: str, describe: str, rounds: int, seconds: float
) -> tuple[float, float]:
    """Median requests/s of ``path`` through the front and of ``describe`` (Turtle) on the
    Oxigraph server, measured in turn, ``rounds`` times each."""
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(rate(front, path, accept, seconds))
        theirs.append(rate(ox, describe, "text/turtle", seconds))
    return statistics.median(ours), statistics.median(theirs)


def rate(url: str, path: str, accept: str, seconds: float) -> float:
    """Requests/s of repeated GETs of ``path``: wrk (8 connections) if installed, else one
    bare keep-alive connection."""
    if shutil.which("wrk"):
        return _wrk(url + path, {"Accept": accept}, seconds, 8) / seconds
    count, stop = 0, time.monotonic() + seconds
    while time.monotonic() < stop:
        count += len(get_times([(url, path)], accept, 100)[0])
    return count / seconds


def check(url: str, path: str, accept: str) -> dict:
    """Ask twice; the second answer's headers (and body, when JSON)."""
    request = urllib.request.Request(url + path, headers={"Accept": accept})
    for _ in range(2):
        with urllib.request.urlopen(request, timeout=120) as answer:
            body, headers = answer.read(), answer.headers
    return {
        "cache": headers["X-Cache-Status"],
        "rows": len(json.loads(body)["results"]["bindings"]) if accept == JSON else None,
    }


def sparql(prefix: str, query: str) -> str:
    return prefix + "?" + urllib.parse.urlencode({"query": query})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1e5")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kkb-front"))
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    built = build(args.size, args.work, validate=False, reuse=True)
    release = (built["out"] / "current").resolve()
    env = {"KKB_BASE_IRI": BASE, "KKB_TRUSTED_PROXIES": "1", "KKB_QUERY_TIMEOUT": "120"}
    with (
        started(built["out"], env=env, ready="/ready", wait=900) as (app, _),
        tempfile.TemporaryDirectory(prefix="kkb-front-") as tmp,
        nginx(Path(tmp), [app], release.name) as front,
        oxigraph_process("serve-read-only", "--location", str(release / "store")) as ox,
    ):
        describe = sparql("/query", f"DESCRIBE <{VILLAGE}>")
        found = json.loads(
            urllib.request.urlopen(
                ox
                + sparql("/query", ("SELECT ?v WHERE { ?o <https://w3id.org/kkb/def#refArea> ?v } LIMIT 1")),
                timeout=120,
            ).read()
        )
        series = found["results"]["bindings"][0]["v"]["value"]
        if check(front.url, PAGE, "text/turtle")["cache"] != "HIT":
            sys.exit(
                "nginx does not cache the page: the app sends no Cache-Control (the cache "
                "contract of issue #19)"
            )
        print(
            f"{args.size}: release {release.name}, {built['manifest']['triples']:,} triples; "
            f"gunicorn 2 workers behind nginx vs the Oxigraph server; {args.rounds} rounds\n"
        )
        print("| village | front req/s | Oxigraph DESCRIBE req/s | ratio | ≥ 1.5× |")
        print("|---|---|---|---|---|")
        for name, accept in (("Turtle", "text/turtle"), ("HTML page", "text/html")):
            a, b = paired_rates(front.url, PAGE, accept, ox, describe, args.rounds, args.seconds)
            print(
                f"| {name} | {a:,.0f} | {b:,.0f} | {a / b:.2f}× | {'met' if a >= 1.5 * b else 'missed'} |",
                flush=True,
            )
        print(
            f"\nrepeated SPARQL GET, up to {args.runs} runs per query (about 20 s of the "
            "Oxigraph server's at most), engines taking turns, p50 ms\n"
        )
        print("| query | runs | front p50 | Oxigraph p50 | ratio | ≤ 1× | rows equal |")
        print("|---|---|---|---|---|---|---|")
        ratios = []
        for name, query in queries(series).items():
            accept = "text/turtle" if query.lstrip().startswith("DESCRIBE") else JSON
            ours_path, theirs_path = sparql("/sparql", query), sparql("/query", query)
            seen = check(front.url, ours_path, accept)
            same = seen["rows"] == check(ox, theirs_path, accept)["rows"]
            pair = [(front.url, ours_path), (ox, theirs_path)]
            probe = get_times(pair[1:], accept, 1)[0][0]
            get_times(pair if probe < 0.01 else pair[:1], accept, 20)  # untimed warm-up
            each = max(3, min(args.runs, int(20 / probe)))  # ≤ ~20 s for the slow ones
            ours, theirs = get_times(pair, accept, each)
            a, b = statistics.median(ours) * 1e3, statistics.median(theirs) * 1e3
            ratios.append(a / b)
            print(
                f"| {name} ({seen['cache']}) | {len(ours)} | {a:.3f} | {b:.3f} | {a / b:.3f}× | "
                f"{'met' if a <= b else 'missed'} | {'yes' if same else 'NO'} |",
                flush=True,
            )
        print(f"\ngeo-mean ratio {statistics.geometric_mean(ratios):.2f}×")


if __name__ == "__main__":
    main()
