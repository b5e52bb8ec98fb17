"""What reading the bundled official reference adds to a build: ``read_registry`` of the bundled
registry (no ``regions/`` folder: the units and crosswalk rows come from the package) against the
same folder with its own ``regions/`` files, each in a fresh process (the reference is read once per
process), ``--runs`` times.

    python benchmarks/reference_read.py --runs 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from kkb_lod.reference import covered_units, crosswalk_csv, crosswalk_for, units_csv

DATA = Path(__file__).resolve().parent.parent / "data"
ONE = (
    "import sys, time; from pathlib import Path; from kkb_lod.ingest import read_registry; "
    "t = time.perf_counter(); read_registry(Path(sys.argv[1])); print(time.perf_counter() - t)"
)


def timed(folder: Path, runs: int) -> list[float]:
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", ONE, str(folder)], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(runs)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        own = Path(scratch) / "data"
        shutil.copytree(DATA, own)
        (own / "regions").mkdir()
        units = covered_units(["62.04"])
        (own / "regions" / "units.csv").write_text(units_csv(units), encoding="utf-8")
        (own / "regions" / "bps_crosswalk.csv").write_text(
            crosswalk_csv(crosswalk_for({u.code for u in units})), encoding="utf-8"
        )
        bundled, files = timed(DATA, runs), timed(own, runs)
    print("| registry folder | read_registry median s | min | max |\n|---|---|---|---|")
    for name, times in (("bundled reference (no regions/)", bundled), ("own regions/ files", files)):
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    print(
        f"\nadded by the bundled reference (medians): "
        f"{statistics.median(bundled) - statistics.median(files):.3f} s"
    )


if __name__ == "__main__":
    main()
