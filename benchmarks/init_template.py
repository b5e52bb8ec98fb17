"""`kkb-lod init` for a regency, a province and the country: wall time, peak RSS and the size of
the template workbook; with --build, also `kkb-lod build` of each untouched template (the area's
official units, zero KKB).

    python benchmarks/init_template.py [--areas 62.04,33,all] [--build]

Each command runs in a fresh process, in a scratch folder removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``command``, run under a wrapper process of its own (the
    peak RSS of a process's children is the largest of them all, so each gets a fresh parent)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKB_")}
    env["KKB_BUILD_STORE"] = "none"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", default="62.04,33,all")
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    kkb_lod = [sys.executable, "-m", "kkb_lod"]
    print("| area | init s | init peak RSS MB | registry.xlsx bytes | build s | build peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for area in args.areas.split(","):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "reg"
            seconds, rss = run([*kkb_lod, "init", "--area", area, str(folder)], Path(scratch))
            size = (folder / "registry" / "registry.xlsx").stat().st_size
            built = run([*kkb_lod, "build"], folder) if args.build else None
            shown = f"{built[0]:.1f} | {built[1]:.0f}" if built else "- | -"
            print(f"| {area} | {seconds:.1f} | {rss:.0f} | {size:,} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
