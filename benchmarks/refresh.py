"""Time ``kkb-lod link --refresh --reference all`` against the loopback stand-in for the Wikidata
Query Service (``tests/wdqs.py``: SYNTHETIC Q-ids, made in memory; the snapshot goes to a
temporary copy of the bundled registry and is deleted with it).

    python benchmarks/refresh.py [--delay 0]

Prints the wall time, the requests, and the time the same requests would take at least against the
real service with the default ``refresh_delay`` (requests × delay, before any query time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkb_lod.config import Settings  # noqa: E402
from kkb_lod.reference import national_units  # noqa: E402
from tests.wdqs import World, serve  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.0, help="refresh_delay for this run (s)")
    args = parser.parse_args(argv)
    world = World(national_units())
    with tempfile.TemporaryDirectory() as tmp, serve(world) as standin:
        registry = Path(tmp) / "registry"
        shutil.copytree(ROOT / "data", registry)
        env = {
            **os.environ,
            "KKB_REFRESH_DELAY": str(args.delay),
            "KKB_REFRESH_CONTACT": "benchmark@example.org",
        }
        start = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kkb_lod",
                "link",
                "--refresh",
                "--reference",
                "all",
                "--data",
                str(registry),
                "--out",
                str(Path(tmp) / "build"),
                "--endpoint",
                standin.url,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.monotonic() - start
        if done.returncode:
            sys.exit(done.stderr)
        stages = [line for line in done.stderr.splitlines() if "requests answered" not in line]
        print("\n".join(stages))
        print(done.stdout.strip())
        requests = len(standin.log)
        delay = Settings().refresh_delay
        print(f"| wall time | requests | entities | at refresh_delay={delay:g} s, the pauses alone |")
        print("|---|---|---|---|")
        entities = (registry / "links" / "wikidata-snapshot.csv").read_text().count("\n") - 1
        print(f"| {wall:.1f} s | {requests:,} | {entities:,} | {requests * delay / 60:.1f} min |")


if __name__ == "__main__":
    main()
