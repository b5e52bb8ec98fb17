"""Issue #19's serving targets (item 5), each against a baseline measured in the same run.

    python benchmarks/targets.py --size 1e6 [--work /tmp/kkb-targets] [--parts a,b,c | bq]
                                 [--runs 200] [--budget 10] [--seconds 5] [--rounds 3]
                                 [--passes 3] [--threads 8] [--oxigraph memory|disk]
                                 [--nginx-workers auto]

Builds the synthetic registry of SIZE as benchmarks/scale.py does (reused when WORK has it) and
serves its release from memory with gunicorn; the Oxigraph server (``serve-read-only
--union-default-graph``) serves the release's on-disk store; raw pyoxigraph is the release loaded
in memory in this process. Clients are bare keep-alive sockets (benchmarks/queries.py) or wrk
(8 connections); engines take turns request by request or round by round.
(a) through nginx (deploy/nginx recipe, as benchmarks/front.py): the repeated village page
    (Turtle, HTML) ≥ 1.5× the Oxigraph server's DESCRIBE of it in req/s; the researcher query
    set as repeated SPARQL GET, p50 ≤ the Oxigraph server's.
(b) straight to gunicorn (2 workers): each query first-time (a text never sent before), p50 ≤
    raw + 1 ms, or ≤ 1.2× raw over 10 ms; the village page (Turtle, HTML; with the page cache
    and without it, benchmarks/_nocache.py) ≥ 2,500 req/s.
    ``bq``: the (b) queries only, and what writing a bounded SELECT straight buys in process.
(c) the query set run 2-way parallel (two clients, first-time texts, PASSES passes each) by one
    process with THREADS threads against two processes: sets/s (target: ≥ 0.9× as many, "as
    well as two processes"), and the memory of all the
    server's processes (PSS: forked workers share pages) ≤ 3.5 GB; raw pyoxigraph with one and
    two threads shows what the engine itself gains from a second thread.
Prints every target with its figure, baseline, ratio and met/MISSED. Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._server import started  # noqa: E402
from benchmarks.front import JSON, PAGE, check, get_times, paired_rates, rate, sparql  # noqa: E402
from benchmarks.queries import _read_answer, answer_type, sparql_post, time_raw  # noqa: E402
from benchmarks.scale import BASE, VILLAGE, build, cpu_seconds, pss_mb, queries, rss_mb  # noqa: E402
from kkb_lod.store import OxigraphStore  # noqa: E402
from tests import test_front  # noqa: E402
from tests.server import oxigraph_process  # noqa: E402
from tests.test_front import nginx  # noqa: E402

ENV = {"KKB_BASE_IRI": BASE, "KKB_TRUSTED_PROXIES": "1", "KKB_QUERY_TIMEOUT": "120"}
MEMORY_MB = 3500


@dataclass
class Row:
    target: str
    unit: str
    measured: float
    baseline: float
    baseline_is: str
    met: bool

    def line(self) -> str:
        digits = {"ms": 3, "sets/s": 2}.get(self.unit, 0)
        ratio = self.measured / self.baseline if self.baseline else float("nan")
        return (
            f"| {self.target} | {self.measured:,.{digits}f} {self.unit} | "
            f"{self.baseline:,.{digits}f} {self.unit} ({self.baseline_is}) | {ratio:.2f}× | "
            f"{'met' if self.met else 'MISSED'} |"
        )


ROWS: list[Row] = []
NOTES: list[str] = []


def note(row: Row) -> None:
    ROWS.append(row)
    print(row.line(), flush=True)


@contextlib.contextmanager
def gunicorn(
    out: Path, workers: int, threads: int, app: str = "server:app"
) -> Iterator[tuple[str, list[int]]]:
    """gunicorn serving ``out`` from memory; its URL and its processes (master, workers)."""
    with (
        open(out / f"gunicorn-{workers}x{threads}.log", "wb") as log,
        started(
            out,
            workers=workers,
            args=("--threads", str(threads), "--timeout", "300"),
            env=ENV,
            ready="/ready",
            wait=900,
            log=log,
            app=app,
        ) as (url, proc),
    ):
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        yield url, [proc.pid, *map(int, children)]


def budgeted(probe: float, runs: int, budget: float) -> int:
    """Runs of a query that took ``probe`` s: at most ``runs``, about ``budget`` s, at least 3."""
    return max(3, min(runs, int(budget / max(probe, 1e-6))))


def part_a(url: str, ox: str, release: str, series: str, args: argparse.Namespace) -> None:
    """Through nginx (in front of ``url``) against the Oxigraph server ``ox``."""
    with tempfile.TemporaryDirectory(prefix="kkb-targets-") as tmp, nginx(Path(tmp), [url], release) as front:
        if check(front.url, PAGE, "text/turtle")["cache"] != "HIT":
            sys.exit("nginx does not cache the page: the app sends no Cache-Control")
        describe = sparql("/query", f"DESCRIBE <{VILLAGE}>")
        for name, accept in (("Turtle", "text/turtle"), ("HTML", "text/html")):
            a, b = paired_rates(front.url, PAGE, accept, ox, describe, args.rounds, args.seconds)
            note(
                Row(
                    f"(a) village {name} via nginx, wrk ≥ 1.5× Oxigraph DESCRIBE",
                    "req/s",
                    a,
                    b,
                    "Oxigraph DESCRIBE",
                    a >= 1.5 * b,
                )
            )
        for name, query in queries(series).items():
            accept = answer_type(query)
            pair = [(front.url, sparql("/sparql", query)), (ox, sparql("/query", query))]
            if check(*pair[0], accept)["cache"] != "HIT":
                print(f"  note: {name} not answered from nginx's cache", file=sys.stderr)
            if accept == JSON and check(*pair[0], accept)["rows"] != check(*pair[1], accept)["rows"]:
                sys.exit(f"{name}: the front and the Oxigraph server count different rows")
            probe = get_times(pair[1:], accept, 1)[0][0]
            get_times(pair if probe < 0.01 else pair[:1], accept, 20)  # untimed warm-up
            ours, theirs = get_times(pair, accept, budgeted(probe, args.runs, args.budget))
            a, b = statistics.median(ours) * 1e3, statistics.median(theirs) * 1e3
            note(
                Row(
                    f"(a) repeated SPARQL GET via nginx p50 ≤ Oxigraph: {name}",
                    "ms",
                    a,
                    b,
                    "Oxigraph server",
                    a <= b,
                )
            )


@contextlib.contextmanager
def oxigraph_server(release: Path, kind: str) -> Iterator[str]:
    """The Oxigraph server on the release's data: its on-disk store read-only (``disk``), or an
    in-memory server (``memory``, as the app serves) loaded with the release's N-Quads dump."""
    if kind == "disk":
        with oxigraph_process("serve-read-only", "--location", str(release / "store")) as ox:
            yield ox
        return
    with oxigraph_process("serve") as ox, open(release / "dumps" / "kkb.nq", "rb") as dump:
        where = urllib.parse.urlparse(ox)
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=3600)
        conn.request(
            "POST",
            "/store",
            body=dump,
            headers={
                "Content-Type": "application/n-quads",
                "Content-Length": str(os.fstat(dump.fileno()).st_size),
            },
        )
        answer = conn.getresponse()
        if answer.status >= 300:
            raise RuntimeError(f"loading the Oxigraph server: {answer.status} {answer.read()!r}")
        conn.close()
        yield ox


def first_time(url: str, store: OxigraphStore, query: str, runs: int) -> tuple[list[float], list[float]]:
    """Seconds of ``runs`` first-time POSTs of ``query`` to the app and of the same texts on raw
    pyoxigraph (run and serialised), taking turns: (raw, http). A connection idle for longer
    than 2 s (gunicorn closes it after ``keepalive``, 5 s) is opened anew, untimed."""
    host, accept = urllib.parse.urlparse(url), answer_type(query)
    raw, http, nonce = [], [], time.time_ns()
    with contextlib.ExitStack() as stack:
        sock, last = None, 0.0
        for run in range(runs):
            text = f"{query}\n# run {nonce} {run}"
            raw += time_raw(store, text, 1)
            if sock is None or time.monotonic() - last > 2:
                sock = stack.enter_context(socket.create_connection((host.hostname, host.port), timeout=300))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                reader = sock.makefile("rb")
            sent = sparql_post(host.netloc, text, accept)
            start = time.perf_counter()
            sock.sendall(sent)
            status = _read_answer(reader)
            http.append(time.perf_counter() - start)
            last = time.monotonic()
            if status != 200:
                raise RuntimeError(f"HTTP {status} for {query[:60]}")
    return raw, http


def part_b_queries(url: str, store: OxigraphStore, series: str, args: argparse.Namespace) -> None:
    for name, query in queries(series).items():
        probe = time_raw(store, query, 1)[0]
        raw, http = first_time(url, store, query, budgeted(probe, args.runs, args.budget / 2))
        r, h = statistics.median(raw) * 1e3, statistics.median(http) * 1e3
        big = r > 10
        note(
            Row(
                f"(b) first-time p50 {'≤ 1.2× raw' if big else '≤ raw + 1 ms'}: {name}",
                "ms",
                h,
                r,
                "raw pyoxigraph",
                h <= (1.2 * r if big else r + 1),
            )
        )


def direct_or_counted(store: OxigraphStore, series: str, runs: int) -> None:
    """What writing a bounded SELECT straight in JSON buys (``_answer.written(…, direct)``)
    against the counted way (TSV under the limit, then converted), in process, taking turns."""
    from pyoxigraph import QueryResultsFormat

    from kkb_lod.formats import from_media_type
    from kkb_lod.sparqlscan import outer_limit
    from kkb_lod.web._answer import written
    from kkb_lod.web._results import to_bytes

    json_format, limit = from_media_type(JSON, "results"), 10_000
    for name, query in queries(series).items():
        if not query.startswith(("SELECT", "PREFIX")) or outer_limit(query) is None:
            continue
        times: dict[str, list[float]] = {"raw": [], "direct": [], "counted": []}
        for _ in range(runs):
            times["raw"] += time_raw(store, query, 1)
            for way, direct in (("direct", QueryResultsFormat.JSON), ("counted", None)):
                start = time.perf_counter()
                answer = written(store.query(query), limit, threading.Event(), direct)
                assert answer is not None
                to_bytes(answer, json_format)
                times[way].append(time.perf_counter() - start)
        raw, a, b = (statistics.median(times[way]) * 1e3 for way in ("raw", "direct", "counted"))
        NOTES.append(
            f"{name} (own LIMIT, JSON) in process: written straight {a:.2f} ms, counted as TSV and "
            f"converted {b:.2f} ms, raw pyoxigraph {raw:.2f} ms (medians of {runs}, in turn)"
        )


def part_b_pages(url: str, pids: list[int], label: str, args: argparse.Namespace) -> None:
    """The village page's rate, and the server's CPU time a request (steadier than the rate on
    a shared machine: what idle cores could serve at most)."""
    for name, accept in (("Turtle", "text/turtle"), ("HTML", "text/html")):
        cpu = cpu_seconds(pids)
        rates = [rate(url, PAGE, accept, args.seconds) for _ in range(args.rounds)]
        each = (cpu_seconds(pids) - cpu) / (sum(rates) * args.seconds)
        got = statistics.median(rates)
        note(
            Row(
                f"(b) village {name} {label}, 2 workers, wrk ≥ 2,500 req/s",
                "req/s",
                got,
                2500,
                "fixed",
                got >= 2500,
            )
        )
        NOTES.append(
            f"village {name} {label}: server CPU {each * 1e6:,.0f} µs a request → at "
            f"most {(os.cpu_count() or 1) / each:,.0f} req/s on {os.cpu_count()} idle "
            "cores (wrk's own CPU not counted)"
        )


def passes(run: Callable[[str], None], texts: list[str], clients: int, count: int) -> float:
    """Sets per second when ``clients`` threads each run every text ``count`` times in turn."""

    def client(which: int) -> None:
        for n in range(count):
            for text in texts:
                run(f"{text}\n# {nonce} {which} {n}")

    nonce = time.time_ns()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return clients * count / (time.perf_counter() - start)


def http_runner(url: str) -> Callable[[str], None]:
    """A function that POSTs a query to ``url`` on its thread's own keep-alive connection."""
    host, local = urllib.parse.urlparse(url), threading.local()

    def run(text: str) -> None:
        if not hasattr(local, "reader"):
            local.sock = socket.create_connection((host.hostname, host.port), timeout=300)
            local.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            local.reader = local.sock.makefile("rb")
        local.sock.sendall(sparql_post(host.netloc, text, answer_type(text)))
        if (status := _read_answer(local.reader)) != 200:
            raise RuntimeError(f"HTTP {status} for {text[:60]}")

    return run


def parallel(url: str, pids: list[int], texts: list[str], count: int) -> dict[str, float]:
    run = http_runner(url)
    passes(run, texts, 2, 1)  # untimed warm-up of both workers / threads
    one = passes(run, texts, 1, count)
    two = passes(http_runner(url), texts, 2, count)
    return {"one": one, "two": two, "pss": pss_mb(pids), "rss": rss_mb(pids)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1e6")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kkb-targets"))
    parser.add_argument("--parts", default="a,b,c")
    parser.add_argument("--runs", type=int, default=200, help="most runs of one query")
    parser.add_argument("--budget", type=float, default=10, help="about this many s per query")
    parser.add_argument("--seconds", type=float, default=5, help="of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per figure (median)")
    parser.add_argument("--passes", type=int, default=3, help="of the set per parallel client")
    parser.add_argument("--threads", type=int, default=8, help="of the one-process server")
    parser.add_argument("--nginx-workers", default="auto", help="nginx worker_processes")
    parser.add_argument(
        "--oxigraph",
        choices=["memory", "disk"],
        default="memory",
        help="the Oxigraph server's store: in memory (as the app) or on disk",
    )
    args = parser.parse_args()
    # nginx's main file: the test's, with Debian's nginx.conf worker count (one a core) unless
    # told (the test runs one worker process; the site file is the recipe's either way)
    test_front.MAIN = test_front.MAIN.replace(
        "worker_processes 1;", f"worker_processes {args.nginx_workers};"
    )
    parts = set(args.parts.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    built = build(args.size, args.work, validate=False, reuse=True)
    out, release = built["out"], (built["out"] / "current").resolve()
    load = os.getloadavg()
    print(
        f"{args.size}: release {release.name}, {built['manifest']['triples']:,} triples; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} cores\n"
    )
    print("| target | measured | baseline (same run) | ratio | |")
    print("|---|---|---|---|---|")
    found: dict[str, dict[str, float]] = {}
    with gunicorn(out, 2, 8) as (url, pids):
        series = json.loads(
            urllib.request.urlopen(
                url
                + sparql("/sparql", ("SELECT ?v WHERE { ?o <https://w3id.org/kkb/def#refArea> ?v } LIMIT 1")),
                timeout=120,
            ).read()
        )["results"]["bindings"][0]["v"]["value"]
        texts = list(queries(series).values())
        if "a" in parts:
            with oxigraph_server(release, args.oxigraph) as ox:
                part_a(url, ox, release.name, series, args)
        store = OxigraphStore.from_release(release, "memory")  # raw pyoxigraph, after (a)
        if parts & {"b", "bq"}:  # bq: the (b) queries only
            part_b_queries(url, store, series, args)
            direct_or_counted(store, series, 30)
        if "b" in parts:
            part_b_pages(url, pids, "with page cache", args)
        if "c" in parts:
            found["2 processes × 8 threads"] = parallel(url, pids, texts, args.passes)
    if "b" in parts:
        with gunicorn(out, 2, 8, app="benchmarks._nocache:app") as (url, pids):
            part_b_pages(url, pids, "without page cache", args)
    if "c" in parts:
        with gunicorn(out, 1, args.threads) as (url, pids):
            found[f"1 process × {args.threads} threads"] = parallel(url, pids, texts, args.passes)
        raw = {n: passes(lambda t: time_raw(store, t, 1).clear(), texts, n, args.passes) for n in (1, 2)}
        one, two = found[f"1 process × {args.threads} threads"], found["2 processes × 8 threads"]
        note(
            Row(
                f"(c) 2-way parallel sets/s ≥ 0.9×, 1 process × {args.threads} threads vs 2 processes",
                "sets/s",
                one["two"],
                two["two"],
                "2 processes",
                one["two"] >= 0.9 * two["two"],
            )
        )
        for name, got in found.items():
            note(
                Row(
                    f"(c) PSS in all of {name} ≤ 3.5 GB",
                    "MB",
                    got["pss"],
                    MEMORY_MB,
                    "target",
                    got["pss"] <= MEMORY_MB,
                )
            )
        print(
            f"\n{args.passes} passes of the {len(texts)}-query set per client, first-time "
            "texts, sets/s (1 client → 2 clients, gain); memory MB after the load\n"
        )
        print("| server | 1 client | 2 clients | gain | PSS sum | RSS sum |")
        print("|---|---|---|---|---|---|")
        for name, got in found.items():
            print(
                f"| {name} | {got['one']:.2f} | {got['two']:.2f} | {got['two'] / got['one']:.2f}×"
                f" | {got['pss']:,.0f} | {got['rss']:,.0f} |"
            )
        print(
            f"| raw pyoxigraph in this process, 1 → 2 threads | {raw[1]:.2f} | {raw[2]:.2f} | "
            f"{raw[2] / raw[1]:.2f}× | | |"
        )
        fits = [n for n, g in found.items() if g["pss"] <= MEMORY_MB]
        best = max(fits or found, key=lambda n: found[n]["two"])
        print(
            f"\nchoice by the figures: {best} (the fastest 2-way parallel of those within "
            f"{MEMORY_MB:,} MB{'' if fits else ': none is'})"
        )
    print("\nall targets\n\n| target | measured | baseline (same run) | ratio | |\n|---|---|---|---|---|")
    for row in ROWS:
        print(row.line())
    print("".join(f"\n{line}" for line in NOTES))
    print(
        f"\n{sum(r.met for r in ROWS)} of {len(ROWS)} met; load average now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
