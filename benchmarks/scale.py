"""National scale: build throughput, memory, SPARQL over HTTP vs raw pyoxigraph, page throughput.

    python benchmarks/scale.py --sizes 1e5,1e6 [--runs 30] [--work /tmp/kkb-scale] [--validate]
                               [--build-store disk|none] [--serve memory:2,disk:2]

For each size: generates a synthetic registry (benchmarks/synth.py, seed 1; not timed), builds it
in a child process (CSV → RDF → on-disk store + dumps, validation excluded unless ``--validate``;
wall time and peak RSS from the kernel), then, for each serving configuration of ``--serve``
(store kind and gunicorn workers), serves it and measures the server's memory (RSS summed over
master and workers, and PSS), the researcher query set through ``/sparql`` and in-process on raw
pyoxigraph opened the same way in the same run (p50/p95 and ratio), and one-village page
throughput (200 and conditional 304, measured alternately, median of 3). Prints tables. With the
in-memory store each worker holds its own copy (``--preload`` does not keep one: Oxigraph writes
reference counts while it reads, so the forked pages are copied; docs/scale.md). Not a test: run
it on a quiet machine; 1e7 with ``memory:2`` needs ~10 GB of RAM free and several minutes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._server import started  # noqa: E402
from benchmarks.queries import time_http, time_raw  # noqa: E402
from kkb_lod.store import OxigraphStore  # noqa: E402
from kkb_lod.vocab import PREFIXES  # noqa: E402

BASE = "https://w3id.org/kkb/synthetic/"
P = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
VILLAGE = BASE + "id/village/62.04.06.2020"  # Kalahien: always among the synthetic units


def queries(series_village: str) -> dict[str, str]:
    """The fixed researcher query set of issue 5 (lists capped below the result limit)."""
    return {
        "lookup": P + 'SELECT ?v WHERE { ?v kkb:kemendagriCode "62.04.06.2020" }',
        "counts per district": P
        + """SELECT ?d (COUNT(?k) AS ?n) WHERE {
            ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d } GROUP BY ?d""",
        "KKB list + labels + Wikidata": P
        + """SELECT ?k ?name ?wd WHERE {
            ?k a kkb:KKBDesignation ; kkb:village ?v . ?v rdfs:label ?name .
            OPTIONAL { ?v kkb:partOf/kkb:partOf ?r . ?r owl:sameAs ?wd } } LIMIT 1000""",
        "indicator by regency/year": P
        + """SELECT ?r ?y (AVG(?v) AS ?mean) (COUNT(?o) AS ?n) WHERE {
            ?o kkb:indicator ?i ; kkb:refArea/kkb:partOf/kkb:partOf ?r ; kkb:refYear ?y ;
               kkb:indicatorValue ?v .
            ?i skos:notation "synthetic-indicator-01" } GROUP BY ?r ?y""",
        "describe": f"DESCRIBE <{VILLAGE}>",
        "label regex": P + 'SELECT ?u WHERE { ?u rdfs:label ?l FILTER regex(?l, "^bintang", "i") }',
        "OPTIONAL-heavy table": P
        + """SELECT ?u ?code ?lat ?long ?post ?bps WHERE {
            ?u a kkb:Village ; kkb:kemendagriCode ?code .
            OPTIONAL { ?u geo:lat ?lat } OPTIONAL { ?u geo:long ?long }
            OPTIONAL { ?u schema:postalCode ?post } OPTIONAL { ?u kkb:bpsCode ?bps } } LIMIT 1000""",
        "part-of path": P + f"SELECT ?u WHERE {{ ?u kkb:partOf+ <{BASE}id/regency/62.04> }}",
        "time series": P
        + f"""SELECT ?y ?i ?v WHERE {{
            ?o kkb:refArea <{series_village}> ; kkb:indicator ?i ; kkb:refYear ?y ;
               kkb:indicatorValue ?v }} ORDER BY ?y ?i""",
    }


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command to completion; (wall seconds, peak RSS in MB of it and its children)."""
    start = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{command[:4]} failed with {proc.returncode}")
    return time.monotonic() - start, usage.ru_maxrss / 1024


def build(size: str, work: Path, validate: bool, reuse: bool, store: str = "disk") -> dict:
    registry = work / f"registry-{size}"
    out = work / (f"build-{size}" if store == "disk" else f"build-{size}-{store}-store")
    if reuse and (out / "current" / "manifest.json").is_file():
        manifest = json.loads((out / "current" / "manifest.json").read_text())
        return {
            "out": out,
            "seconds": sum(manifest["seconds"].values()),
            "rss": float("nan"),
            "manifest": manifest,
        }
    if not (registry / "SYNTHETIC.txt").is_file():
        run_child(
            [sys.executable, "benchmarks/synth.py", "--triples", size, "--seed", "1", "--out", str(registry)]
        )
    code = (
        "import sys; from pathlib import Path; from kkb_lod.config import Settings; "
        "from kkb_lod.pipeline import build; "
        f"build(Settings(data_dir=Path({str(registry)!r}), build_dir=Path({str(out)!r}), "
        f"base_iri={BASE!r}, build_store={store!r}), lambda m: print(m, file=sys.stderr), "
        f"validate={validate})"
    )
    seconds, rss = run_child([sys.executable, "-c", code])
    manifest = json.loads((out / "current" / "manifest.json").read_text())
    return {"out": out, "seconds": seconds, "rss": rss, "manifest": manifest}


def _memory_mb(pids: list[int], file: str, field: str) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                total += int(line.split()[1])
    return total / 1024


def rss_mb(pids: list[int]) -> float:
    """Resident memory of processes, in MB (shared pages counted once per process: an upper
    bound; :func:`pss_mb` shares them out)."""
    return _memory_mb(pids, "status", "VmRSS:")


def pss_mb(pids: list[int]) -> float:
    """Proportional set size: each shared page split among the processes that map it."""
    return _memory_mb(pids, "smaps_rollup", "Pss:")


@contextmanager
def gunicorn(build_dir: Path, store: str, workers: int) -> Iterator[tuple[str, list[int]]]:
    """gunicorn serving ``build_dir`` from a ``store`` kind; its URL and the pids to measure."""
    with (
        open(build_dir / "gunicorn.log", "wb") as log,
        started(
            build_dir,
            store=store,
            workers=workers,
            args=("--timeout", "300"),
            log=log,
            env={"KKB_BASE_IRI": BASE, "KKB_QUERY_TIMEOUT": "120"},
            ready="/ready",
            wait=900,
        ) as (url, proc),
    ):
        children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        print(f"  gunicorn up at {url}, pids {[proc.pid, *children]}", file=sys.stderr)
        yield url, [proc.pid, *children]


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1e3


PAGE = "/id/village/62.04.06.2020"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (``/proc/PID/stat``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def page_rate(
    url: str, seconds: float, clients: int, conditional: bool, pids: list[int]
) -> tuple[float, str, float]:
    """Requests/s for the one-village HTML page over ``clients`` keep-alive connections, the
    client that measured it (``wrk`` when installed: a C load generator, which leaves the two
    cores to the server; else Python processes, one per connection: slower, so a lower bound),
    and the server's CPU microseconds per request (``pids``: its processes). The CPU cost barely
    moves with other jobs on the machine, the rate does."""
    first = urllib.request.urlopen(
        urllib.request.Request(url + PAGE, headers={"Accept": "text/html"}), timeout=60
    )
    headers = {"Accept": "text/html"}
    if conditional:
        headers["If-None-Match"] = first.headers["ETag"]
    first.read()
    expected = 304 if conditional else 200
    host = urllib.parse.urlparse(url)
    check = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    for _ in range(4):  # both workers, drawn once each, answer as expected
        check.request("GET", PAGE, headers=headers)
        answer = check.getresponse()
        answer.read()
        if answer.status != expected:
            raise RuntimeError(f"page answered {answer.status}, not {expected}")
    check.close()
    cpu = cpu_seconds(pids)
    if shutil.which("wrk"):
        requests, client = _wrk(url + PAGE, headers, seconds, clients), "wrk"
    else:
        with multiprocessing.Pool(clients) as pool:
            counts = pool.starmap(_page_client, [(url, headers, expected, seconds)] * clients)
        requests, client = sum(counts), "python"
    return requests / seconds, client, (cpu_seconds(pids) - cpu) / requests * 1e6


def page_rates(
    url: str, pids: list[int], rounds: int = 3, seconds: float = 5, clients: int = 8
) -> dict[str, tuple[float, str, float]]:
    """Full pages (200) and conditional ones (304) measured alternately, ``rounds`` times each:
    the median rate and server CPU per request of each kind (on a shared machine one run of
    each, always in the same order, compared the moments more than the answers)."""
    runs: dict[str, list[tuple[float, float]]] = {"200": [], "304": []}
    client = ""
    for _ in range(rounds):
        for kind in ("200", "304"):
            rate, client, cpu = page_rate(url, seconds, clients, kind == "304", pids)
            runs[kind].append((rate, cpu))
    return {
        kind: (
            statistics.median(r for r, _ in got),
            f"{client}, median of {rounds} × {seconds:g} s",
            statistics.median(c for _, c in got),
        )
        for kind, got in runs.items()
    }


def _wrk(url: str, headers: dict[str, str], seconds: float, clients: int) -> int:
    command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds:g}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    return int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]


def _page_client(url: str, headers: dict[str, str], expected: int, seconds: float) -> int:
    host = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    count, stop = 0, time.monotonic() + seconds
    while time.monotonic() < stop:
        conn.request("GET", PAGE, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != expected:
            raise RuntimeError(f"page answered {response.status}")
        count += 1
    conn.close()
    return count


def serve(result: dict, runs: int, store_kind: str, workers: int) -> dict:
    """One serving configuration: memory, the query set (HTTP vs raw store of the same kind) and
    page rates."""
    release = result["out"] / "current"
    store = OxigraphStore.from_release(release.resolve(), store_kind)
    series = next(iter(store.query("SELECT ?v WHERE { ?o <https://w3id.org/kkb/def#refArea> ?v } LIMIT 1")))[
        "v"
    ].value
    rows = []
    with gunicorn(result["out"], store_kind, workers) as (url, pids):
        memory = {"rss": rss_mb(pids), "pss": pss_mb(pids)}
        for name, query in queries(series).items():
            print(f"  timing {name}", file=sys.stderr, flush=True)
            raw, http = time_raw(store, query, runs), time_http(url, query, runs)
            rows.append((name, pct(raw, 50), pct(raw, 95), pct(http, 50), pct(http, 95)))
        pages = page_rates(url, pids)
        memory["rss after"] = rss_mb(pids)
        memory["pss after"] = pss_mb(pids)
    return {"queries": rows, "memory": memory, "pages": pages}


def serving(value: str) -> list[tuple[str, int]]:
    """``memory:2,disk:2`` → [("memory", 2), ("disk", 2)]; empty: build only."""
    configs = []
    for item in filter(None, value.split(",")):
        kind, _, workers = item.partition(":")
        if kind not in ("memory", "disk") or not workers.isdigit() or int(workers) < 1:
            raise argparse.ArgumentTypeError(f"{item!r}: expected memory:N or disk:N")
        configs.append((kind, int(workers)))
    return configs


def report(size: str, kind: str, workers: int, runs: int, served: dict) -> None:
    mem, pages = served["memory"], served["pages"]
    print(f"\n{size}: serving from the {kind} store, gunicorn {workers} worker(s), MB\n")
    print(
        "| RSS sum at start | PSS at start | RSS sum after | PSS after | ≤ 3.5 GB | "
        "page 200 req/s | page 304 req/s | server CPU µs/request 200 | 304 | client |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    peak = max(mem["rss"], mem["rss after"])
    print(
        f"| {mem['rss']:,.0f} | {mem['pss']:,.0f} | {mem['rss after']:,.0f} | "
        f"{mem['pss after']:,.0f} | {'met' if peak <= 3500 else 'missed'} | "
        f"{pages['200'][0]:,.1f} | {pages['304'][0]:,.1f} | {pages['200'][2]:,.0f} | "
        f"{pages['304'][2]:,.0f} | {pages['200'][1]}, 8 connections |"
    )
    print(f"\n{size}: SPARQL from the {kind} store, {runs} runs per query, ms\n")
    print("| query | raw p50 | raw p95 | HTTP p50 | HTTP p95 | ratio p50 | ≤ 1.2×raw+1 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, r50, r95, h50, h95 in served["queries"]:
        ok = "met" if h50 <= 1.2 * r50 + 1.0 else "missed"
        print(
            f"| {name} | {r50:.2f} | {r95:.2f} | {h50:.2f} | {h95:.2f} | {h50 / r50:.2f}× | {ok} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5,1e6")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kkb-scale"))
    parser.add_argument(
        "--validate",
        action="store_true",
        help="include SHACL validation in the build (timed in the build column)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="serve an existing build of WORK instead of building (no build RSS)",
    )
    parser.add_argument(
        "--build-store",
        choices=["disk", "none"],
        default="disk",
        help="KKB_BUILD_STORE of the build: 'none' leaves the on-disk store out "
        "(then only memory:N can be served)",
    )
    parser.add_argument(
        "--serve",
        type=serving,
        default=None,
        help="serving configurations, STORE:WORKERS comma-separated "
        "(default memory:2,disk:2; empty: build only)",
    )
    args = parser.parse_args()
    if args.serve is None:
        args.serve = serving("memory:2,disk:2" if args.build_store == "disk" else "memory:2")
    if args.build_store == "none" and any(kind == "disk" for kind, _ in args.serve):
        parser.error("--build-store none leaves no on-disk store to serve: --serve memory:N only")
    args.work.mkdir(parents=True, exist_ok=True)
    for size in args.sizes.split(","):
        b = build(size, args.work, args.validate, args.reuse, args.build_store)
        m, s = b["manifest"], b["manifest"]["seconds"]
        print(
            f"\n## {size}: build ({'with' if args.validate else 'without'} validation"
            f"{', without the on-disk store' if args.build_store == 'none' else ''})\n"
        )
        # manifest "seconds"; with the on-disk store the merge ("sort") is timed inside "load"
        stages = ("read", "map", "sort", "load", "validate", "dumps")
        print("| triples | wall s | triples/s | peak RSS MB | " + " | ".join(stages) + " |")
        print("|---|---|---|---|" + "---|" * len(stages))
        print(
            f"| {m['triples']:,} | {b['seconds']:.1f} | {m['triples'] / b['seconds']:,.0f} | "
            f"{b['rss']:,.0f} | "
            + " | ".join(f"{s[name]:.1f}" if name in s else "—" for name in stages)
            + " |",
            flush=True,
        )
        for kind, workers in args.serve:
            served = serve(b, args.runs, kind, workers)
            report(size, kind, workers, args.runs, served)
    print(
        f"\nbenchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}"
        " MB (holds the raw in-memory store)"
    )


if __name__ == "__main__":
    main()
