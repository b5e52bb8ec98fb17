"""Quality and speed of ``/reconcile`` on name lists no one here wrote.

    python benchmarks/reconcile.py [--build DIR] [--quality-only | --speed-only] [--sample N]

**Quality**, in-process through the service (a Flask test client, batches of ``batchSize``): the
BPS 2018 spellings of the national crosswalk (``kkb_lod/reference_data/bps_crosswalk.csv.xz``):
each BPS unit that has a Kemendagri 2025 name, asked by its BPS name (upper case, BPS's own
spelling), with the BPS names of its BPS parents (kecamatan and kabupaten for a village), and
without them; right = one of the Kemendagri codes the crosswalk maps that BPS code onto. And the
seed article's spellings (the KKB registry's ``source_*`` columns, each checked to occur in the
article), right = the registry's code. Prints, per list and level: precision of ``match: true``,
recall (right and matched / asked), right unit first (/ asked).

**Speed**, over HTTP to gunicorn with 2 workers serving the build (the matcher holds the whole
national reference): 1,000 village queries with their parents (10 batches of 100 on 2
connections), and suggest by prefix (p50 of 200 prefixes); side by side in the same run, a naive
full scan in-process (every village's normalised name compared, then its parents). Not a test:
run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._server import gunicorn  # noqa: E402
from kkb_lod.config import Settings  # noqa: E402
from kkb_lod.names import name_key  # noqa: E402
from kkb_lod.pipeline import build  # noqa: E402
from kkb_lod.reference import national_crosswalk, national_units, units_by_code  # noqa: E402
from kkb_lod.releases import current_release  # noqa: E402
from kkb_lod.store import OxigraphStore  # noqa: E402
from kkb_lod.web import create_app  # noqa: E402
from kkb_lod.web.reconcile import BATCH_SIZE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_70b99ffc18b46658.txt"
LEVELS = {2: "Province", 4: "RegencyOrCity", 7: "District", 10: "Village"}
LEVEL_OF = {2: "province", 4: "regency", 7: "district", 10: "village"}


def crosswalk_queries(with_parents: bool) -> list[tuple[str, str, dict, set[str]]]:
    """(list, level, query, right codes) for every BPS unit with a Kemendagri 2025 name."""
    names: dict[str, str] = {}
    right: dict[str, set[str]] = {}
    for row in national_crosswalk():
        names.setdefault(row.bps_code, row.bps_name)
        if row.kemendagri_code and row.kemendagri_name_2025:
            right.setdefault(row.bps_code, set()).add(row.kemendagri_code)
    out = []
    for bps, codes in right.items():
        if len(bps) not in LEVELS:
            continue
        query: dict = {"query": names[bps], "type": LEVELS[len(bps)], "limit": 5}
        parents = [names[p] for p in (bps[:7], bps[:4], bps[:2]) if len(p) < len(bps) and p in names]
        if with_parents and parents:
            query["properties"] = [{"pid": "parent", "v": p} for p in parents[:2]]
        elif with_parents:
            continue  # a province has no parent: asked once, without
        out.append((LEVEL_OF[len(bps)], query, codes))
    return [("BPS crosswalk" + (" + parents" if with_parents else ", name only"), *q) for q in out]


def seed_queries() -> list[tuple[str, str, dict, set[str]]]:
    """The article's spellings of the KKB villages, with the kecamatan it names."""
    import csv

    article = SEED.read_text(encoding="utf-8")
    out = []
    with open(ROOT / "data" / "registry" / "kkb.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            said = row["source_village_name"]
            assert said in article and row["source_district_name"] in article, said
            query = {
                "query": said,
                "type": "Village",
                "limit": 5,
                "properties": [
                    {"pid": "district", "v": row["source_district_name"]},
                    {"pid": "regency", "v": "Barito Selatan"},
                ],
            }
            out.append(("seed article + kecamatan", "village", query, {row["village_code"]}))
            kind = dict(
                query, properties=[*query["properties"], {"pid": "kind", "v": row["source_village_kind"]}]
            )
            out.append(("seed article + kecamatan + its kind word", "village", kind, {row["village_code"]}))
    return out


def quality(sample: int | None) -> None:
    app = create_app(Settings(), OxigraphStore(), {})
    client = app.test_client()
    asked = crosswalk_queries(True) + crosswalk_queries(False) + seed_queries()
    if sample:
        random.Random(7).shuffle(asked)
        asked = asked[:sample]
    figures: dict[tuple[str, str], list[int]] = {}
    started = time.perf_counter()
    for start in range(0, len(asked), BATCH_SIZE):
        batch = asked[start : start + BATCH_SIZE]
        queries = {f"q{n}": q for n, (_, _, q, _) in enumerate(batch)}
        answer = client.post("/reconcile", data={"queries": json.dumps(queries)}).get_json()
        for n, (name, level, _, right) in enumerate(batch):
            result = answer[f"q{n}"]["result"]
            matched = [c for c in result if c["match"]]
            f = figures.setdefault((name, level), [0, 0, 0, 0])
            f[0] += 1
            f[1] += bool(matched)
            f[2] += bool(matched) and matched[0]["id"] in right
            f[3] += bool(result) and result[0]["id"] in right
    print(f"quality: {len(asked):,} queries in {time.perf_counter() - started:.0f} s\n")
    print("| list | level | asked | match:true | precision | recall | right first |")
    print("|---|---|---|---|---|---|---|")
    for (name, level), (n, matched, right, first) in sorted(figures.items()):
        precision = f"{100 * right / matched:.2f}%" if matched else "-"
        print(
            f"| {name} | {level} | {n:,} | {matched:,} | {precision} | {100 * right / n:.1f}% | "
            f"{100 * first / n:.1f}% |"
        )


def speed(build_dir: Path) -> None:
    units = units_by_code()
    villages = [u for u in national_units() if u.level == "village"]
    chosen = random.Random(11).sample(villages, 1000)
    queries = []
    for u in chosen:
        district = units[u.parent_code]
        regency = units[district.parent_code]
        queries.append(
            {
                "query": u.name.upper(),
                "type": "Village",
                "limit": 3,
                "properties": [
                    {"pid": "district", "v": district.name},
                    {"pid": "regency", "v": regency.name},
                ],
            }
        )
    batches = [
        {f"q{n}": q for n, q in enumerate(queries[i : i + BATCH_SIZE])}
        for i in range(0, len(queries), BATCH_SIZE)
    ]
    prefixes = [u.name[: random.Random(n).randint(3, 6)] for n, u in enumerate(chosen[:200])]
    with gunicorn(build_dir, workers=2) as url:
        service = url + "/reconcile"

        def send(batch: dict) -> dict:
            body = urllib.parse.urlencode({"queries": json.dumps(batch)}).encode()
            with urllib.request.urlopen(service, body, timeout=120) as response:
                return json.load(response)

        with ThreadPoolExecutor(2) as pool:  # warm both workers (each builds its matcher once)
            list(pool.map(send, batches[:8]))
            runs = []
            for _ in range(5):
                t = time.perf_counter()
                answers = list(pool.map(send, batches))
                runs.append(time.perf_counter() - t)
        matched = sum(c["match"] for a in answers for r in a.values() for c in r["result"])
        timings = []
        for prefix in prefixes:
            t = time.perf_counter()
            with urllib.request.urlopen(
                f"{service}/suggest/entity?" + urllib.parse.urlencode({"prefix": prefix})
            ) as response:
                response.read()
            timings.append(time.perf_counter() - t)
    naive_batch, naive_prefix = naive(queries, prefixes)
    http = statistics.median(runs)
    suggest = statistics.median(timings)
    print(f"\nspeed (gunicorn, 2 workers, loopback; {matched} of 1,000 matched for certain)\n")
    print("| what | /reconcile | naive full scan (in-process) | ratio | target |")
    print("|---|---|---|---|---|")
    print(
        f"| 1,000 village queries with parents | {http:.3f} s (median of 5) | {naive_batch:.2f} s | "
        f"{naive_batch / http:.1f}× faster | ≤ 1 s: {'met' if http <= 1 else 'missed'} |"
    )
    print(
        f"| suggest, p50 of 200 prefixes | {1000 * suggest:.1f} ms | {1000 * naive_prefix:.1f} ms | "
        f"{naive_prefix / suggest:.1f}× faster | ≤ 20 ms: {'met' if suggest <= 0.02 else 'missed'} |"
    )


def naive(queries: list[dict], prefixes: list[str]) -> tuple[float, float]:
    """The same work by scanning every village: its normalised name, then its parents' names."""
    units = units_by_code()
    table = [(name_key(u.name, "village"), u) for u in national_units() if u.level == "village"]
    t = time.perf_counter()
    for q in queries:
        key = name_key(q["query"], "village")
        parents = {name_key(p["v"]) for p in q["properties"]}
        for k, u in table:
            if k == key:
                district = units[u.parent_code]
                _ = name_key(district.name) in parents
    batch = time.perf_counter() - t
    every = [(name_key(u.name), u) for u in national_units()]
    timings = []
    for prefix in prefixes:
        t = time.perf_counter()
        key = name_key(prefix)
        hits = sorted((len(k), k, u.code) for k, u in every if k.startswith(key))[:10]
        timings.append(time.perf_counter() - t)
        assert hits is not None
    return batch, statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, default=Path("/tmp/kkb-reconcile-bench"))
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--sample", type=int, default=None, help="ask only N queries (quality)")
    args = parser.parse_args()
    if not args.speed_only:
        quality(args.sample)
    if not args.quality_only:
        settings = Settings(build_dir=args.build)
        if current_release(args.build) is None:
            build(settings)
        speed(args.build)


if __name__ == "__main__":
    main()
