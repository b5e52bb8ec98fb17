"""What the editor's syntax check as you type (``/sparql/check``) costs, against the store's own
parse of the same text measured in the same run.

    python benchmarks/check.py [--runs 20]

For each example query of the query page and the W3C syntax tests as one batch: the grammar steps
the check takes (``CHECK_STEPS`` is its budget), its median time in process (policy bounds, the
grammar, the rules beyond it), and the store's (pyoxigraph's ``Store.query`` on an empty store:
its parse and plan, the part of a run the check stands for), with the ratio. The check holds the
GIL and a process-wide parse lock for its time: the last line says how many checks a second one
process can answer at most. Not a test; figures from a shared machine vary by tens of percent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kkb_lod.config import Settings  # noqa: E402
from kkb_lod.web import _policy  # noqa: E402
from kkb_lod.web._check import CHECK_STEPS, check  # noqa: E402
from kkb_lod.web._completion import prefixes  # noqa: E402
from kkb_lod.web._examples import EXAMPLES, prologue_for  # noqa: E402
from kkb_lod.web._policy import Limits  # noqa: E402

SUITE = Path(__file__).resolve().parent.parent / "tests" / "conformance" / "sparql11-query"
BASE = "http://example.org/sparql"


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    settings, known = Settings(), prefixes()
    limits, services = Limits.of(settings), list(settings.services)
    store = ox.Store()

    def checked(text: str) -> object:
        return check(text, "en", known, BASE, services, limits)

    def stored(text: str) -> object:
        try:
            return store.query(prologue_for(text, known) + text, base_iri=BASE)
        except (SyntaxError, RuntimeError, OSError):
            return None

    cases = [(e.name, e.text("en")) for e in EXAMPLES]
    checked(cases[0][1])  # the grammar is copied once per process
    print(f"{'query':28} {'chars':>6} {'steps':>7} {'check ms':>9} {'store ms':>9} {'ratio':>7}")
    total = 0.0
    for name, text in cases:
        checked(text)
        steps = CHECK_STEPS - _policy._STEPS.left
        ours, theirs = median_ms(lambda t=text: checked(t), runs), median_ms(lambda t=text: stored(t), runs)
        total += ours
        print(f"{name:28} {len(text):6} {steps:7} {ours:9.2f} {theirs:9.3f} {ours / theirs:7.0f}×")
    texts = [p.read_text(encoding="utf-8") for p in sorted((SUITE / "syntax-query").glob("*.rq"))]
    ours = median_ms(lambda: [checked(t) for t in texts], max(1, runs // 5))
    theirs = median_ms(lambda: [stored(t) for t in texts], max(1, runs // 5))
    print(
        f"{'W3C syntax-query, all':28} {len(texts):6} {'':7} {ours:9.2f} {theirs:9.3f} {ours / theirs:7.0f}×"
    )
    print(
        f"at most {1000 * len(cases) / total:.0f} checks a second per process (the examples, one at a time)"
    )


if __name__ == "__main__":
    main()
