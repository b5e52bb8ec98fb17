"""The build of a synthetic registry: this tree against a baseline commit, in the same run.

    python benchmarks/build.py [--sizes 1e6] [--baseline 5a2161d] [--runs 1] [--work /tmp/kkb-build]

Generates the synthetic registry of each size once (benchmarks/synth.py, seed 1; not timed),
extracts the baseline commit's ``kkb_lod`` (``git archive``, read-only), then builds the registry
(without validation, with the on-disk store, as ``benchmarks/scale.py``) with the baseline and with
this tree, alternately, each in a child process. Prints per build the wall seconds, the CPU seconds
(user + system of the build and its children, from the kernel), the stage seconds of its manifest,
and the ratio of this tree to the baseline (< 1: faster). Best of ``--runs``. Not a test; on a busy
machine the CPU column is the steadier one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/kkb/synthetic/"
STAGES = ("read", "map", "sort", "load", "dumps")
CODE = (
    "import sys; from pathlib import Path; from kkb_lod.config import Settings; "
    "from kkb_lod.pipeline import build; "
    "build(Settings(data_dir=Path(sys.argv[1]), build_dir=Path(sys.argv[2]), base_iri={base!r}),"
    " validate=False)"
)


def baseline(ref: str, work: Path) -> Path:
    """The baseline commit's package (and the files it reads), extracted under ``work``."""
    tree = work / f"baseline-{ref}"
    if not (tree / "kkb_lod").is_dir():
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", ref, "kkb_lod", "ontology", "shapes"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def build(tree: Path, registry: Path, out: Path) -> dict[str, float]:
    """One build by the package of ``tree``: wall, CPU and stage seconds."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE.format(base=BASE), str(registry), str(out)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"the build by {tree} failed")
    wall = time.monotonic() - start
    manifest = json.loads((out / "current" / "manifest.json").read_text())
    shutil.rmtree(out, ignore_errors=True)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "triples": manifest["triples"],
        **manifest["seconds"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e6")
    parser.add_argument("--baseline", default="5a2161d")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kkb-build"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    trees = {f"baseline {args.baseline}": baseline(args.baseline, args.work), "this tree": ROOT}
    for size in args.sizes.split(","):
        registry = args.work / f"registry-{size}"
        if not (registry / "SYNTHETIC.txt").is_file():
            subprocess.run(
                [
                    sys.executable,
                    "benchmarks/synth.py",
                    "--triples",
                    size,
                    "--seed",
                    "1",
                    "--out",
                    str(registry),
                ],
                cwd=ROOT,
                check=True,
            )
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.runs):
            for name, tree in trees.items():
                got = build(tree, registry, args.work / f"build-{size}")
                if name not in best or got["wall"] < best[name]["wall"]:
                    best[name] = got
        print(f"\n## {size}: build without validation, seconds (best of {args.runs})\n")
        print("| tree | triples | wall | CPU | " + " | ".join(STAGES) + " |")
        print("|---|---|---|---|" + "---|" * len(STAGES))
        for name, got in best.items():
            print(
                f"| {name} | {got['triples']:,.0f} | {got['wall']:.1f} | {got['cpu']:.1f} | "
                + " | ".join(f"{got[s]:.1f}" if s in got else "—" for s in STAGES)
                + " |"
            )
        old, new = best[f"baseline {args.baseline}"], best["this tree"]
        print(
            f"\nthis tree / baseline: wall {new['wall'] / old['wall']:.2f}×, "
            f"CPU {new['cpu'] / old['cpu']:.2f}×",
            flush=True,
        )


if __name__ == "__main__":
    main()
