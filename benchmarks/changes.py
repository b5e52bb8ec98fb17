"""The change set of a 1 % change (kkb_lod.changes.diff), timed against GNU ``comm`` on the same
two files in the same run (the ratio is what to compare across machines).

    python benchmarks/changes.py --triples 1e6
    python benchmarks/changes.py --nquads /tmp/build-1e7/current/dumps/kkb.nq

``--nquads`` takes a release's sorted ``kkb.nq`` (e.g. a synthetic build: benchmarks/synth.py and
scale.py); without it a synthetic dump of ``--triples`` lines shaped like ours is written. The
"new" release is the old one with ``--change`` of its statements touched: a random half of those
removed, the other half replaced by a changed value of the same resource, and as many statements
again about new activities (untimed: written with GNU sort). The targets are in issue #18: 1e7
triples, 1 % changed, ≤ 60 s.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kkb_lod.changes import diff  # noqa: E402

BASE = "https://w3id.org/kkb/synthetic/"
GRAPH = f"<{BASE}graph/registry>"
SORT = {**os.environ, "LC_ALL": "C"}


def synthetic(path: Path, triples: int, seed: int) -> None:
    """``triples`` lines about KKB designations, villages and activities, sorted."""
    rng = random.Random(seed)
    raw = path.with_suffix(".raw")
    with open(raw, "w", encoding="utf-8") as out:
        for n in range(triples // 8):
            code = f"{11 + n % 80}.{n // 80 % 100:02d}.{n // 8000 % 100:02d}.{2001 + n // 800000}"
            kind = ("kkb", "village", "activity")[n % 3]
            key = f"act-{n}" if kind == "activity" else code
            for p in range(8):
                out.write(
                    f"<{BASE}id/{kind}/{key}> <https://w3id.org/kkb/def#p{p}> "
                    f'"{rng.random():.6f}" {GRAPH} .\n'
                )
    subprocess.run(
        ["sort", "-u", "-S", "512M", "-T", str(path.parent), "-o", str(path), str(raw)], env=SORT, check=True
    )
    raw.unlink()


def changed(old: Path, new: Path, share: float, seed: int) -> tuple[int, int]:
    """``new``: ``old`` with ``share`` of its lines removed or changed, and new ones added."""
    rng = random.Random(seed)
    kept, extra = new.with_suffix(".kept"), new.with_suffix(".extra")
    removed = added = 0
    with open(old, "rb") as src, open(kept, "wb") as keep, open(extra, "wb") as more:
        for line in src:
            if rng.random() >= share:
                keep.write(line)
                continue
            removed += 1
            if rng.random() < 0.5:
                subject = line[: line.index(b" ")]
                more.write(
                    subject
                    + b' <https://w3id.org/kkb/def#changed> "%d" ' % removed
                    + GRAPH.encode()
                    + b" .\n"
                )
                added += 1
            if rng.random() < 0.5:
                more.write(
                    b'<%sid/activity/new-%d> <https://w3id.org/kkb/def#p0> "new" %s .\n'
                    % (BASE.encode(), removed, GRAPH.encode())
                )
                added += 1
    subprocess.run(["sort", "-u", "-o", str(extra), str(extra)], env=SORT, check=True)
    subprocess.run(
        ["sort", "-m", "-u", "-S", "512M", "-o", str(new), str(kept), str(extra)], env=SORT, check=True
    )
    kept.unlink()
    extra.unlink()
    return added, removed


def timed(what: str, run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{what:<40} {seconds:8.2f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=float, default=1e6)
    parser.add_argument("--nquads", type=Path, help="a release's sorted kkb.nq (else synthetic)")
    parser.add_argument("--change", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kkb-changes")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    old = args.nquads or args.work / f"old-{args.triples:.0e}.nq"
    if not old.exists():
        timed(
            f"writing a synthetic dump ({args.triples:.0e})",
            lambda: synthetic(old, int(args.triples), args.seed),
        )
    new = args.work / "new.nq"
    added, removed = changed(old, new, args.change, args.seed)
    lines = sum(1 for _ in open(old, "rb"))
    print(
        f"old: {lines:,} lines ({old.stat().st_size / 1e9:.2f} GB); new: +{added:,} "
        f"-{removed:,} ({args.change:.1%} touched)"
    )
    comm = timed(
        "baseline: LC_ALL=C comm -3 old new",
        lambda: subprocess.run(
            ["comm", "-3", str(old), str(new)], env=SORT, stdout=subprocess.DEVNULL, check=True
        ),
    )
    found = []
    ours = timed(
        "kkb_lod.changes.diff (files, counts)",
        lambda: found.append(diff(old, new, args.work / "added.nq.gz", args.work / "removed.nq.gz", (BASE,))),
    )
    change = found[0]
    if (change.added, change.removed) != (added, removed):
        raise SystemExit(f"wrong change set: +{change.added} -{change.removed}")
    print(f"change set: {change.summary()}")
    print(f"ratio diff / comm: {ours / comm:.2f}")
    new.unlink()


if __name__ == "__main__":
    main()
