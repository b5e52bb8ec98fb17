"""Synthetic national KKB registry, for scale tests and benchmarks only: never real data.

    python benchmarks/synth.py --triples 1e6 --seed 1 --out /tmp/synth-1e6
    kkb-lod build --data /tmp/synth-1e6 --out /tmp/build-1e6 --base-iri https://w3id.org/kkb/synthetic/

The *places* are real: the official Kemendagri list of all 91,599 units
(the package's own reference, ``kkb_lod/reference_data/units.csv.xz``, see its README). Everything else
— which villages are KKB, designation years, organisations, guidance activities, indicators and
their yearly values — is drawn at random from ``--seed`` and attributed to one source,
``synthetic-generator``, whose label and note say it is synthetic. The folder is written in the
registry schema that ``kkb_lod.ingest`` reads, plus a ``SYNTHETIC.txt`` marker: ``kkb-lod build``
refuses such a folder unless the base IRI is a synthetic one (``…/synthetic/``), so synthetic
resources can never be minted in the published IRI space.

With ``--triples`` the size is approximate (within some 15%): the generator picks whole regencies
(Barito Selatan always among them, so its real BPS crosswalk rows and Wikidata snapshot apply),
designates about 30% of their villages, adds one guidance activity per regency and year, and fills
the rest with indicator observations (``registry/observations.csv``, published as an RDF Data Cube).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from kkb_lod.reference import CROSSWALK_COLUMNS, UNIT_COLUMNS, crosswalk_for, national_units

HERE = Path(__file__).resolve().parent
REAL_DATA = HERE.parent / "data"
SOURCE = "synthetic-generator"
YEARS = (2021, 2022, 2023, 2024, 2025)
FUNCTIONS = (
    "keagamaan",
    "sosial-budaya",
    "cinta-kasih",
    "perlindungan",
    "reproduksi",
    "sosialisasi-pendidikan",
    "ekonomi",
    "pembinaan-lingkungan",
)
ALWAYS = "62.04"  # Barito Selatan: the project's real crosswalk rows and snapshot refer to it
#: Triples per row, measured on builds of this generator's output (for sizing only).
PER_UNIT, PER_KKB, PER_GUIDED_YEAR, PER_OBSERVATION = 15.0, 10.7, 1.0, 7.0
KKB_SHARE = 0.3
MARKER = "SYNTHETIC.txt"
#: The one sentence every synthetic row quotes from its source document.
EXCERPT = "SYNTHETIC data, drawn at random by benchmarks/synth.py for benchmarks; not a real registry"


def read_regions() -> list[dict[str, str]]:
    """Every official unit, in code order (the file's order)."""
    return [{column: getattr(u, column) or "" for column in UNIT_COLUMNS} for u in national_units()]


def choose_units(units: list[dict[str, str]], triples: float | None) -> list[dict[str, str]]:
    """All units, or whole regencies (with their province) until ~40% of ``triples``."""
    if triples is None or triples * 0.4 >= PER_UNIT * len(units):
        return units
    by_regency: dict[str, list[dict[str, str]]] = defaultdict(list)
    for u in units:
        if u["level"] in ("regency", "district", "village"):
            by_regency[".".join(u["code"].split(".")[:2])].append(u)
    order = [ALWAYS] + [r for r in by_regency if r != ALWAYS]
    chosen: set[str] = set()
    size = 0
    for regency in order:
        if size and size * PER_UNIT >= triples * 0.4:
            break
        chosen.add(regency)
        size += len(by_regency[regency]) + 1
    provinces = {r.split(".")[0] for r in chosen}
    return [
        u
        for u in units
        if (u["level"] == "province" and u["code"] in provinces)
        or ".".join(u["code"].split(".")[:2]) in chosen
        and u["level"] != "province"
    ]


def generate(
    out: Path, seed: int, triples: float | None = None, kkb: int | None = None, indicators: int | None = None
) -> dict[str, int]:
    """Write a synthetic registry folder into ``out``; return the rows written per table."""
    rng = random.Random(seed)
    units = choose_units(read_regions(), triples if kkb is None else None)
    by_code = {u["code"]: u for u in units}
    villages = [u for u in units if u["level"] == "village"]
    n_kkb = kkb if kkb is not None else max(1, round(len(villages) * KKB_SHARE))
    chosen = sorted(rng.sample(villages, min(n_kkb, len(villages))), key=lambda u: u["code"])
    if indicators is None:
        used = PER_UNIT * len(units) + (PER_KKB + PER_GUIDED_YEAR * len(YEARS)) * len(chosen)
        left = max((triples or 0) - used, 0)
        indicators = max(1, round(left / PER_OBSERVATION / (len(chosen) * len(YEARS))))

    if out.exists():
        shutil.rmtree(out)
    (out / "registry").mkdir(parents=True)
    (out / "regions").mkdir()
    (out / "sources").mkdir()
    (out / "sources" / f"{SOURCE}.txt").write_text(
        f"{EXCERPT} (seed {seed}). Only the administrative units are real.\n", encoding="utf-8"
    )
    (out / MARKER).write_text(
        f"This registry folder is SYNTHETIC (benchmarks/synth.py, seed {seed}). Only the region "
        "list is real. Build it only with a synthetic base IRI; never publish it.\n",
        encoding="utf-8",
    )
    rows: dict[str, int] = {}

    def write(path: str, header: list[str], data: list[list[object]]) -> None:
        with open(out / path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(data)
        rows[path] = len(data)

    unit_cols = ["code", "name", "level", "parent_code", "kind", "latitude", "longitude", "postal_code"]
    write("regions/units.csv", unit_cols, [[u[c] for c in unit_cols] for u in units])
    crosswalk = crosswalk_for({u["code"] for u in units if u["code"][:5] in ("62", ALWAYS)})
    write(
        "regions/bps_crosswalk.csv",
        list(CROSSWALK_COLUMNS),
        [[getattr(x, c) or "" for c in CROSSWALK_COLUMNS] for x in crosswalk],
    )  # Barito Selatan's
    shutil.copytree(REAL_DATA / "links", out / "links")  # the real Wikidata snapshot (Barito Selatan)

    real_sources = _read(REAL_DATA / "registry" / "sources.csv")
    reference = next(r for r in real_sources if r["document"] == "regions/units.csv")
    write(
        "registry/sources.csv",
        list(reference),
        [
            [reference[c] for c in reference],
            [
                SOURCE,
                "registry",
                f"Data sintetis (benchmarks/synth.py, seed {seed}) — bukan data nyata",
                f"Synthetic data (benchmarks/synth.py, seed {seed}) — not real figures",
                "",
                "",
                "",
                "en",
                f"sources/{SOURCE}.txt",
                "",
                "",
                "",
                "SYNTHETIC. Every KKB designation, organisation, activity, indicator and value citing this "
                "source was drawn at random for benchmarks; only the administrative units are real.",
            ],
        ],
    )
    programmes = _read(REAL_DATA / "registry" / "programmes.csv")
    write(
        "registry/programmes.csv",
        list(programmes[0]),
        [[*(p[c] for c in list(p)[:-2]), SOURCE, EXCERPT] for p in programmes],
    )
    objectives = _read(REAL_DATA / "registry" / "objectives.csv")
    write(
        "registry/objectives.csv",
        list(objectives[0]),
        [[*(o[c] for c in list(o)[:-2]), SOURCE, EXCERPT] for o in objectives],
    )

    provinces = sorted({u["code"].split(".")[0] for u in chosen} or {units[0]["code"]})
    org = {p: f"synthetic-agency-{p}" for p in provinces}
    publisher = next(
        o
        for o in _read(REAL_DATA / "registry" / "organisations.csv")
        if o["org_id"] == reference["publisher"]
    )  # the real Kemendagri row
    write(
        "registry/organisations.csv",
        list(publisher),
        [list(publisher.values())]
        + [
            [
                org[p],
                f"Dinas sintetis {by_code[p]['name']}",
                f"Synthetic agency {by_code[p]['name']}",
                "",
                "agency",
                "",
                p,
                SOURCE,
                EXCERPT,
            ]
            for p in provinces
        ],
    )
    write(
        "registry/posts.csv",
        ["post_id", "org_id", "title", "title_en", "holder_id", "holder_name", "source", "source_excerpt"],
        [
            [
                f"synthetic-head-{p}",
                org[p],
                "Kepala dinas sintetis",
                "Synthetic head of agency",
                "",
                "",
                SOURCE,
                EXCERPT,
            ]
            for p in provinces
        ],
    )

    kkb_rows = []
    for v in chosen:
        district = by_code[v["parent_code"]]
        kkb_rows.append(
            [
                v["code"],
                v["name"],
                district["code"],
                district["name"],
                "kampung-keluarga-berkualitas",
                "designated",
                rng.choice(YEARS[:3]),
                org[v["code"].split(".")[0]],
                SOURCE,
                "",
                "",
                "",
                EXCERPT,
            ]
        )
    write(
        "registry/kkb.csv",
        [
            "village_code",
            "village_name",
            "district_code",
            "district_name",
            "programme",
            "status",
            "designation_date",
            "designated_by",
            "source",
            "source_village_name",
            "source_village_kind",
            "source_district_name",
            "source_excerpt",
        ],
        kkb_rows,
    )

    regencies = sorted({".".join(v["code"].split(".")[:2]) for v in chosen})
    write(
        "registry/activities.csv",
        [
            "activity_id",
            "scope_code",
            "year",
            "status",
            "organiser",
            "partners",
            "partner_description",
            "functions",
            "source",
            "source_excerpt",
        ],
        [
            [
                f"synthetic-{r.replace('.', '-')}-{y}",
                r,
                y,
                "completed" if y < 2025 else "planned",
                org[r.split(".")[0]],
                "",
                "",
                ";".join(sorted(rng.sample(FUNCTIONS, 3))),
                SOURCE,
                EXCERPT,
            ]
            for r in regencies
            for y in YEARS
        ],
    )

    ids = [f"synthetic-indicator-{i + 1:02d}" for i in range(indicators)]
    write(
        "registry/indicators.csv",
        ["indicator_id", "label", "label_en", "source"],
        [
            [i, f"Indikator sintetis {n + 1:02d}", f"Synthetic indicator {n + 1:02d}", SOURCE]
            for n, i in enumerate(ids)
        ],
    )
    with open(out / "registry" / "observations.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator", "area_code", "year", "value", "source"])
        for v in chosen:
            for y in YEARS:
                for i in ids:
                    w.writerow([i, v["code"], y, f"{rng.uniform(0, 100):.1f}", SOURCE])
    rows["registry/observations.csv"] = len(chosen) * len(YEARS) * len(ids)
    return rows


def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--triples", type=float, help="approximate size of the build, e.g. 1e6")
    size.add_argument("--kkb", type=int, help="number of KKB villages (all units, few indicators)")
    parser.add_argument("--indicators", type=int, help="indicators per village and year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = generate(
        args.out,
        args.seed,
        args.triples,
        args.kkb,
        args.indicators if args.kkb is None else (args.indicators or 3),
    )
    for path, n in rows.items():
        print(f"{n:>10,}  {path}", file=sys.stderr)
    print(args.out)


if __name__ == "__main__":
    main()
