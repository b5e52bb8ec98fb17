"""Older releases served beside the current one (``serve_releases``): what they cost a worker.

    python benchmarks/archive.py [--size 1e5] [--runs 30] [--work /tmp/kkb-archive]

Builds a synthetic registry (benchmarks/synth.py, seed 1) three times in one build folder: the
oldest with ``build_store = "none"`` (served from memory: its dump loaded in each worker that is
asked for it), the next two with the on-disk store (the middle one served from disk, the newest
current, from memory as ``kkb-lod serve`` does by default). Serves it with gunicorn (2 workers,
``serve_releases = 3``) and measures, in the same run: the workers' RSS and PSS at start, after a
full scan of the current release, of the older one on disk and of the older one in memory (each
asked of both workers, several times), and p50 of a one-resource lookup and of a count per
district through each release's ``/sparql``, as a ratio to the current release's. Not a test:
the figures depend on the machine; run it on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scale import BASE, VILLAGE, P, gunicorn, pss_mb, rss_mb, run_child  # noqa: E402

SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
QUERIES = {
    "lookup": f"SELECT ?p ?o WHERE {{ <{VILLAGE}> ?p ?o }}",
    "count per district": P
    + "SELECT ?d (COUNT(?v) AS ?n) WHERE { ?v a kkb:Village ; kkb:partOf ?d } GROUP BY ?d ORDER BY ?d",
}


def builds(size: str, work: Path) -> tuple[Path, list[str]]:
    """The build folder with its three releases (made once; reused), and their ids, oldest first."""
    registry, out = work / f"registry-{size}", work / f"build-{size}"
    if not (registry / "SYNTHETIC.txt").is_file():
        run_child(
            [sys.executable, "benchmarks/synth.py", "--triples", size, "--seed", "1", "--out", str(registry)]
        )
    made = sorted(p.name for p in (out / "releases").iterdir()) if (out / "releases").is_dir() else []
    for store in ("none", "disk", "disk")[len(made) :]:
        code = (
            "from pathlib import Path; from kkb_lod.config import Settings; "
            "from kkb_lod.pipeline import build; "
            f"build(Settings(data_dir=Path({str(registry)!r}), build_dir=Path({str(out)!r}), "
            f"base_iri={BASE!r}, build_store={store!r}), validate=False)"
        )
        seconds, _ = run_child([sys.executable, "-c", code])
        print(f"  built a release with build_store={store} in {seconds:.0f} s", file=sys.stderr)
    return out, sorted(p.name for p in (out / "releases").iterdir())


def ask(url: str, query: str) -> float:
    """Seconds one GET of ``query`` took, its answer read."""
    start = time.perf_counter()
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{url}?{urllib.parse.urlencode({'query': query})}",
            headers={"Accept": "application/sparql-results+json"},
        ),
        timeout=600,
    ) as response:
        json.loads(response.read())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1e5")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kkb-archive"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    out, ids = builds(args.size, args.work)
    endpoints = {
        "current (memory)": "/sparql",
        f"older {ids[1]} (disk)": f"/releases/{ids[1]}/sparql",
        f"older {ids[0]} (memory)": f"/releases/{ids[0]}/sparql",
    }
    with gunicorn(out, "memory", 2) as (url, pids):
        workers = pids[1:]
        memory = [("at start", rss_mb(workers), pss_mb(workers))]
        for name, path in endpoints.items():
            for _ in range(6):  # both workers, whichever answers
                ask(url + path, SCAN)
            memory.append((f"after scans of the {name}", rss_mb(workers), pss_mb(workers)))
        times: dict[str, dict[str, float]] = {}
        for label, query in QUERIES.items():
            runs: dict[str, list[float]] = {name: [] for name in endpoints}
            for _ in range(args.runs):  # in turn, so the machine's noise falls on all alike
                for name, path in endpoints.items():
                    runs[name].append(ask(url + path, query))
            times[label] = {name: statistics.median(r) * 1000 for name, r in runs.items()}
    quads = json.loads((out / "current" / "manifest.json").read_text())["quads"]
    print(f"\nsize {args.size}: {quads:,} quads\n")
    print("| the two workers | RSS sum MB | PSS sum MB |\n|---|---|---|")
    for what, rss, pss in memory:
        print(f"| {what} | {rss:,.0f} | {pss:,.0f} |")
    print(
        "\n| query | "
        + " | ".join(f"{n} p50 ms" for n in endpoints)
        + " | ratio disk / current | ratio memory / current |"
    )
    print("|---|" + "---|" * (len(endpoints) + 2))
    for label, row in times.items():
        values = list(row.values())
        print(
            f"| {label} | "
            + " | ".join(f"{v:.2f}" for v in values)
            + f" | {values[1] / values[0]:.2f}× | {values[2] / values[0]:.2f}× |"
        )


if __name__ == "__main__":
    main()
