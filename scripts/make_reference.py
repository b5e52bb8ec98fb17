"""Write the official reference the package ships (``kkb_lod/reference_data/``) from the shared pack.

    python scripts/make_reference.py ../shared/data

reads ``regions/indonesia_regions.csv`` (all 91,599 Kemendagri 2025 units),
``regions/bps_kemendagri_crosswalk_2018.csv`` (the national BPS crosswalk) and
``wikidata/indonesia_wikidata_qids.csv`` (Wikidata Q-ids of the country, provinces and regencies)
and the simplified boundaries of ``boundaries/`` (:data:`kkb_lod.geometry.BOUNDARY_FILES`) under
the given folder, checks every cell with the parsers a registry's own files go through
(:mod:`kkb_lod.ingest`), and writes each file unchanged, xz-compressed. The output is deterministic
(xz stores no time or file name), so running it twice gives the same bytes: a changed file in a
diff is a changed source.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
from pathlib import Path

from kkb_lod.geometry import BOUNDARY_FILES
from kkb_lod.ingest import TABLES, read_table
from kkb_lod.iris import is_code
from kkb_lod.reference import CROSSWALK_FILE, UNITS_FILE, WIKIDATA_FILE, compress

#: Each packaged file: its source under the shared data folder, the table whose parsers check it
#: (None: checked by its own reader), and how many data rows it must have.
FILES = (
    (UNITS_FILE, "regions/indonesia_regions.csv", "units", 91_599),
    (CROSSWALK_FILE, "regions/bps_kemendagri_crosswalk_2018.csv", "crosswalk", 97_328),
    (WIKIDATA_FILE, "wikidata/indonesia_wikidata_qids.csv", None, 553),
)


def make(shared: Path) -> list[str]:
    """Write every packaged file from ``shared``; return what is wrong with the sources (nothing
    is written then)."""
    problems: list[str] = []
    out: list[tuple[Path, bytes]] = []
    for target, source, table, rows in FILES:
        path = shared / source
        raw = path.read_bytes()
        if table is not None:
            shown, record_type, parsers = TABLES[table]
            records, found = read_table(path, source, record_type, parsers)
            problems += [str(p) for p in found]
            count = len(records)
        else:
            count = raw.count(b"\n") - 1
        if count != rows:
            problems.append(f"{source}: {count:,} data rows, expected {rows:,}")
        lines = raw.count(b"\n") - 1
        if lines != rows:  # the package reads one row per line
            problems.append(f"{source}: {lines:,} lines for {rows:,} rows (a cell holds a line break)")
        out.append((target, raw))
    for boundary in BOUNDARY_FILES:
        source = f"boundaries/{boundary.source_name}"
        raw = (shared / source).read_bytes()
        problems += boundary_problems(source, raw, boundary.features)
        out.append((boundary.path, raw))
    if problems:
        return problems
    for target, raw in out:
        target.write_bytes(compress(raw))
        assert lzma.decompress(target.read_bytes()) == raw
        print(f"{target.name}: {len(raw):,} bytes -> {target.stat().st_size:,}")
    return []


def boundary_problems(source: str, raw: bytes, features: int) -> list[str]:
    """What is wrong with a boundary file: not one GeoJSON feature a line, a feature count other
    than the pack's, a code that is no Kemendagri code, a geometry other than a (Multi)Polygon."""
    lines = raw.decode("utf-8").splitlines()
    found = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    problems = [] if len(found) == features else [f"{source}: {len(found)} features, expected {features}"]
    for n, feature in enumerate(found, start=2):
        code, kind = feature["properties"].get("code", ""), feature["geometry"]["type"]
        if not is_code(code) or kind not in ("Polygon", "MultiPolygon"):
            problems.append(f"{source} line {n}: code {code!r}, geometry {kind!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "shared", type=Path, help="the shared data folder (holding regions/, wikidata/, boundaries/)"
    )
    problems = make(parser.parse_args(argv).shared)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
