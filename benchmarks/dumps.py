"""The dump writers and the store's loader: ours against pyoxigraph's, measured in the same run.

    python benchmarks/dumps.py [--size 1e6] [--work /tmp/kkb-dumps] [--runs 1]

Builds a synthetic registry once (benchmarks/synth.py, seed 1; not timed), then times, on its
sorted ``kkb.nq``: the hand-written text writers of the build (:mod:`kkb_lod.textdumps`, the
baseline) against pyoxigraph writing the same formats itself (``Store.dump`` for the quad formats,
a CONSTRUCT over every graph for the triple formats: the dumps hold the union), from the release's
on-disk store and from an in-memory store (its load timed apart); and ``Store.bulk_load`` with and
without ``lenient``. Prints wall and CPU seconds (user + system, threads and children included)
and the ratio to the baseline (> 1: slower than it). Best of ``--runs``. Not a test; on a busy
machine compare the CPU columns.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkb_lod import textdumps  # noqa: E402
from kkb_lod.vocab import PREFIXES  # noqa: E402

BASE = "https://w3id.org/kkb/synthetic/"
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Best (wall, CPU) seconds of ``runs`` runs of ``action``."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        before, start = os.times(), time.monotonic()
        action()
        wall, after = time.monotonic() - start, os.times()
        cpu = sum(after[:4]) - sum(before[:4])
        best = min(best, (wall, cpu))
    return best


def release(size: str, work: Path) -> Path:
    """The current release of a build of the synthetic registry of ``size`` (built if missing)."""
    registry, out = work / f"registry-{size}", work / f"build-{size}"
    if not (registry / "SYNTHETIC.txt").is_file():
        subprocess.run(
            [sys.executable, "benchmarks/synth.py", "--triples", size, "--seed", "1", "--out", str(registry)],
            cwd=ROOT,
            check=True,
        )
    if not (out / "current").exists():
        subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "from pathlib import Path; from kkb_lod.config import Settings; "
                    "from kkb_lod.pipeline import build; "
                    f"build(Settings(data_dir=Path({str(registry)!r}), build_dir=Path({str(out)!r}), "
                    f"base_iri={BASE!r}), validate=False)"
                ),
            ],
            cwd=ROOT,
            check=True,
        )
    return (out / "current").resolve()


def store_writers(store: ox.Store, out: Path) -> dict[str, Callable[[], object]]:
    """pyoxigraph writing each dump format from ``store`` into ``out``."""

    def dump(fmt: ox.RdfFormat) -> Callable[[], object]:
        return lambda: store.dump(out / f"kkb.{fmt.file_extension}", fmt, prefixes=PREFIXES)

    def union(fmt: ox.RdfFormat) -> Callable[[], object]:
        return lambda: store.query(UNION).serialize(out / f"kkb.{fmt.file_extension}", fmt)

    return {
        "N-Triples + TriG": lambda: (union(ox.RdfFormat.N_TRIPLES)(), dump(ox.RdfFormat.TRIG)()),
        "Turtle + JSON-LD": lambda: (union(ox.RdfFormat.TURTLE)(), union(ox.RdfFormat.JSON_LD)()),
        "N-Quads": dump(ox.RdfFormat.N_QUADS),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1e6")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kkb-dumps"))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    rel = release(args.size, args.work)
    nq = str(rel / "dumps" / "kkb.nq")
    out = args.work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    ours: dict[str, Callable[[], object]] = {
        "N-Triples + TriG": lambda: textdumps.ntriples_and_trig(nq, str(out / "a.nt"), str(out / "a.trig")),
        "Turtle + JSON-LD": lambda: textdumps.turtle_and_jsonld(
            nq, str(out / "a.ttl"), str(out / "a.jsonld"), PREFIXES
        ),
        "N-Quads": lambda: None,  # kkb.nq is the merge of the sorted parts: no writer of ours
    }
    base = {name: timed(action, args.runs) for name, action in ours.items()}
    memory = ox.Store()
    loaded = timed(lambda: memory.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS, lenient=True), 1)
    disk = ox.Store.read_only(str(rel / "store"))
    theirs = {
        where: {name: timed(action, args.runs) for name, action in store_writers(store, out).items()}
        for where, store in (("disk", disk), ("memory", memory))
    }
    print(f"\n## {args.size}: dump writers, seconds wall / CPU (ratio of CPU to ours)\n")
    print(
        f"in-memory store loaded from kkb.nq in {loaded[0]:.2f} / {loaded[1]:.2f} s "
        "(not in the columns below)\n"
    )
    print("| dumps | ours (textdumps) | pyoxigraph, on-disk store | pyoxigraph, in-memory store |")
    print("|---|---|---|---|")
    for name, (wall, cpu) in base.items():
        cells = [
            f"{w:.2f} / {c:.2f}" + (f" ({c / cpu:.1f}×)" if cpu > 0.01 else "")
            for w, c in (theirs["disk"][name], theirs["memory"][name])
        ]
        print(
            f"| {name} | "
            + (f"{wall:.2f} / {cpu:.2f}" if cpu > 0.01 else "—")
            + " | "
            + " | ".join(cells)
            + " |"
        )

    def load(lenient: bool) -> None:
        shutil.rmtree(out / "store", ignore_errors=True)
        store = ox.Store(str(out / "store"))
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS, lenient=lenient)
        store.flush()

    strict, lenient = timed(lambda: load(False), args.runs), timed(lambda: load(True), args.runs)
    print(f"\n## {args.size}: bulk_load of kkb.nq into an on-disk store, seconds wall / CPU\n")
    print("| strict (baseline) | lenient | CPU ratio |")
    print("|---|---|---|")
    print(
        f"| {strict[0]:.2f} / {strict[1]:.2f} | {lenient[0]:.2f} / {lenient[1]:.2f} "
        f"| {lenient[1] / strict[1]:.2f}× |"
    )
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
