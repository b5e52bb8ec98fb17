"""Validation at scale: time and peak RSS of ``validate_store`` at 1e5/1e6/1e7 triples, pySHACL beside it.

    python benchmarks/validate_scale.py [--sizes 1e5,1e6,1e7] [--pyshacl-sizes 1e5] [--store memory|disk]

SYNTHETIC DATA. The bundled build (``data/``, Barito Selatan) is replicated under synthetic IRIs
(``https://w3id.org/kkb/synthetic/id/c{n}/…``, every copy in the graph
``https://w3id.org/kkb/synthetic/graph/validate-scale``) until the size is reached, plus one copy of
the ontology; only the first copy keeps the Wikidata links (see :func:`write_nquads`). It lives in
a temporary folder and is deleted afterwards; it is never part of the published data. Each copy is
a valid build, so the data conforms and every query runs in full.

Each measurement runs in its own process, so its peak RSS (``ru_maxrss``) is its own: "load" is
bulk loading the N-Quads into pyoxigraph (not part of validation), "validate" is the call alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = "https://w3id.org/kkb/synthetic/"
GRAPH = f"<{SYNTHETIC}graph/validate-scale>"


def write_nquads(size: int, path: Path) -> int:
    """Write about ``size`` synthetic triples (copies of the bundled build) as N-Quads; their number."""
    import pyoxigraph as ox

    from kkb_lod._convert import to_ox
    from kkb_lod.config import Settings
    from kkb_lod.pipeline import LINKS, ONTOLOGY, map_graphs

    graphs = map_graphs(Settings(data_dir=ROOT / "data", base_iri="https://w3id.org/kkb/"))
    ontology = graphs.pop(ONTOLOGY)

    def nquads(names: list[str]) -> str:
        return "".join(
            sorted(
                {
                    str(ox.Triple(to_ox(s), to_ox(p), to_ox(o))) + f" {GRAPH} .\n"
                    for name in names
                    for s, p, o in graphs[name]
                }
            )
        )

    # Only the first copy keeps the Wikidata links: copying them would make thousands of units
    # owl:sameAs one Wikidata item, which no real registry does (and no Q-id is made up).
    first, copy = nquads(list(graphs)), nquads([name for name in graphs if name != LINKS])
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for s, p, o in ontology:
            out.write(f"{ox.Triple(to_ox(s), to_ox(p), to_ox(o))} <{SYNTHETIC}graph/ontology> .\n")
            written += 1
        n = 0
        while written < size:
            text = first if n == 0 else copy
            out.write(text.replace("<https://w3id.org/kkb/id/", f"<{SYNTHETIC}id/c{n}/"))
            written += text.count("\n")
            n += 1
    return written


def _rss_mb() -> float:
    """Resident memory now (Linux), to tell the loaded data from what validation adds."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(engine: str, nquads: Path, store_kind: str) -> dict:
    """One engine on one file, in this process (called in a child process by :func:`main`)."""
    start = time.perf_counter()
    if engine == "pyshacl":
        from rdflib import Dataset, Graph

        from kkb_lod.validate import validate_graph

        dataset = Dataset()
        dataset.parse(nquads, format="nquads")
        union = Graph()
        for graph in dataset.graphs():
            union += graph
        del dataset
        loaded, loaded_rss = time.perf_counter(), _rss_mb()
        report = validate_graph(union, Graph())
    else:
        import pyoxigraph as ox

        from kkb_lod.validate import validate_store

        store = ox.Store(str(nquads.with_suffix(".store"))) if store_kind == "disk" else ox.Store()
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        loaded, loaded_rss = time.perf_counter(), _rss_mb()
        report = validate_store(store)
    done = time.perf_counter()
    return {
        "load_s": loaded - start,
        "validate_s": done - loaded,
        "conforms": report.conforms,
        "results": len(report.results) + report.omitted,
        "rss_loaded_mb": loaded_rss,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "sample": sorted(map(str, report.results))[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7", help="triples, comma-separated")
    parser.add_argument("--pyshacl-sizes", default="1e5", help="sizes also run with pySHACL")
    parser.add_argument(
        "--store",
        choices=["memory", "disk"],
        default="memory",
        help="pyoxigraph store validated: in memory, or on disk (RocksDB)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]), args.child[2])))
        return
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    reference = {int(float(s)) for s in args.pyshacl_sizes.split(",") if s}
    rows = []
    with tempfile.TemporaryDirectory(prefix="kkb-validate-scale-") as tmp:
        for size in sizes:
            nquads = Path(tmp) / f"synthetic-{size}.nq"
            triples = write_nquads(size, nquads)
            runs = {}
            for engine in ["sparql"] + (["pyshacl"] if size in reference else []):
                child = subprocess.run(
                    [sys.executable, __file__, "--child", engine, str(nquads), args.store],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                runs[engine] = json.loads(child.stdout.strip().splitlines()[-1])
                print(f"{triples:>11,} {engine:8} {runs[engine]}", file=sys.stderr)
            rows.append((triples, runs))
            nquads.unlink()
    print(f"\nstore: {args.store}; synthetic copies of the bundled build\n")
    print(
        "| triples | engine | load s | validate s | triples/s | RSS loaded MB | peak RSS MB | conforms "
        "| results | vs pySHACL |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for triples, runs in rows:
        for engine, r in runs.items():
            ratio = (
                f"{runs['pyshacl']['validate_s'] / r['validate_s']:.0f}× faster"
                if engine == "sparql" and "pyshacl" in runs
                else ""
            )
            print(
                f"| {triples:,} | {engine} | {r['load_s']:.1f} | {r['validate_s']:.1f} | "
                f"{triples / r['validate_s']:,.0f} | {r['rss_loaded_mb']:,.0f} | {r['rss_mb']:,.0f} | "
                f"{r['conforms']} | "
                f"{r['results']} | {ratio} |"
            )


if __name__ == "__main__":
    main()
