"""Reading a national registry kept as a workbook (.xlsx) against the same rows as CSV.

    python benchmarks/sheets.py [--kkb 30000] [--years 5] [--seed 1] [--out DIR] [--runs 3]

Writes a SYNTHETIC registry (the villages are real: the package's official reference,
:func:`kkb_lod.reference.national_units`; which of them are KKB, and every date, classification
and Poktan, is drawn at random from ``--seed``) twice: as one workbook
``registry/registry-synthetic.xlsx`` with the sheets "Kampung KB" and "Tahunan" (Indonesian
headers, dates as date cells, years as number cells, as a person keeps them), and as
``kkb-synthetic.csv`` and ``kkb_years-synthetic.csv``. Then it times reading each table from each
format with the same reader (:func:`kkb_lod.ingest.read_table`: header matching, every trap
check, every cell parsed) and prints seconds and the XLSX/CSV ratio. Target: the whole XLSX read
in at most 30 s.

The ``kkb_years`` table comes from branch ``model``; where ``ingest`` does not have it yet its
sheet is read with the same reader at the raw-row level (every column a text column), and the
output says so.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from kkb_lod import ingest
from kkb_lod.headers import HEADERS, SHEETS
from kkb_lod.reference import national_units

SOURCE = "synthetic-generator"
CLASSES = ("Dasar", "Berkembang", "Mandiri", "Berkelanjutan", "Paripurna")
POKTAN = ("BKB", "BKR", "BKL", "UPPKA", "PIK-R")
YEARS_COLUMNS = ("registry_id", "village_code", "year", "classification", "poktan",
                 "rumah_dataku", "source", "note")


def kkb_rows(rng: random.Random, n: int, columns: list[str]) -> list[dict[str, Any]]:
    """``n`` KKB rows on real villages drawn at random (one per village), cells as kept."""
    units = national_units()
    names = {u.code: u.name for u in units}
    villages = sorted(rng.sample([u for u in units if u.level == "village"], n), key=lambda u: u.code)
    rows = []
    for i, village in enumerate(villages, start=1):
        values: dict[str, Any] = {
            "registry_id": str(100000 + i), "village_code": village.code, "village_name": village.name,
            "district_code": village.parent_code, "district_name": names[village.parent_code or ""],
            "programme": "kampung-keluarga-berkualitas", "status": "designated",
            "designation_date": dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1000)),
            "source": SOURCE, "kampung_name": f"Kampung KB sintetis {i}",
        }
        rows.append({c: values.get(c, "") for c in columns})
    return rows


def year_rows(rng: random.Random, kkb: list[dict[str, Any]], years: int) -> list[dict[str, Any]]:
    rows = []
    for k in kkb:
        for year in range(2021, 2021 + years):
            rows.append({"registry_id": k.get("registry_id") or "", "village_code": k["village_code"],
                         "year": year, "classification": rng.choice(CLASSES),
                         "poktan": "; ".join(rng.sample(POKTAN, rng.randrange(1, 4))),
                         "rumah_dataku": rng.choice(("Ya", "Tidak", "")), "source": "",
                         "note": "SYNTHETIC"})
    return rows


def text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([text(row[c]) for c in columns] for row in rows)


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    import openpyxl  # the test extra's; only this writer needs it

    book = openpyxl.Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([HEADERS.get(c, (c,))[0] for c in columns])
        for row in rows:
            sheet.append([row[c] if row[c] != "" else None for c in columns])
    book.save(path)


def timed(runs: int, read: Any) -> tuple[float, int]:
    """Median seconds of ``runs`` reads, and the records one read gives."""
    seconds, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        count = read()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kkb", type=int, default=30_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="folder to write (default: a temporary one)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="synthetic-sheets-"))
    registry = out / "registry"
    shutil.rmtree(registry, ignore_errors=True)
    registry.mkdir(parents=True)
    (out / "SYNTHETIC.txt").write_text("SYNTHETIC registry of benchmarks/sheets.py: only the villages "
                                       "are real. Never publish it.\n", encoding="utf-8")
    rng = random.Random(args.seed)
    _, kkb_type, kkb_parsers = ingest.TABLES["kkb"]
    kkb_columns = list(kkb_parsers)
    kkb = kkb_rows(rng, args.kkb, kkb_columns)
    years = year_rows(rng, kkb, args.years)
    known = {**ingest.TABLES, **ingest.OPTIONAL_TABLES}
    if "kkb_years" in known:
        _, years_type, years_parsers = known["kkb_years"]
        years_level = "parsed by the kkb_years table's parsers"
    else:
        years_type = lambda **cells: cells  # noqa: E731
        years_parsers = {c: ingest.optional(ingest.free_text) for c in YEARS_COLUMNS}
        years_level = ("raw rows: ingest has no kkb_years table on this branch (it comes from branch "
                       "model), so every column is read as text, through the same reader")
    years_columns = list(years_parsers)
    start = time.perf_counter()
    workbook = registry / "registry-synthetic.xlsx"
    write_xlsx(workbook, {SHEETS["kkb"][0]: (kkb_columns, kkb),
                          SHEETS["kkb_years"][0]: (years_columns, years)})
    write_csv(registry / "kkb-synthetic.csv", kkb_columns, kkb)
    write_csv(registry / "kkb_years-synthetic.csv", years_columns, years)
    print(f"wrote {len(kkb):,} KKB and {len(years):,} yearly rows in {time.perf_counter() - start:.0f} s "
          f"to {registry} (xlsx {workbook.stat().st_size / 2**20:.1f} MiB)")

    def read(path: Path, sheet: str | None, kind: Any, parsers: dict) -> int:
        records, problems = ingest.read_table(path, path.name, kind, parsers, sheet=sheet,
                                              aliases=HEADERS)
        assert not problems, problems[:5]
        return len(records)

    results = {}
    for fmt in ("xlsx", "csv"):
        for table, kind, parsers in (("kkb", kkb_type, kkb_parsers),
                                     ("kkb_years", years_type, years_parsers)):
            path = workbook if fmt == "xlsx" else registry / f"{table}-synthetic.csv"
            sheet = SHEETS[table][0] if fmt == "xlsx" else None
            results[fmt, table] = timed(args.runs, lambda p=path, s=sheet, k=kind, q=parsers:
                                        read(p, s, k, q))
    print(f"\nkkb_years: {years_level}\n")
    print("| table | rows | XLSX s | CSV s | XLSX/CSV |\n|---|---|---|---|---|")
    for table in ("kkb", "kkb_years"):
        (x, rows), (c, _) = results["xlsx", table], results["csv", table]
        print(f"| {table} | {rows:,} | {x:.2f} | {c:.2f} | {x / c:.1f}× |")
    x = sum(results["xlsx", t][0] for t in ("kkb", "kkb_years"))
    c = sum(results["csv", t][0] for t in ("kkb", "kkb_years"))
    print(f"| both | {len(kkb) + len(years):,} | {x:.2f} | {c:.2f} | {x / c:.1f}× |")
    print(f"\ntarget: XLSX read ≤ 30 s: {'met' if x <= 30 else 'missed'} ({x:.1f} s, median of "
          f"{args.runs})")


if __name__ == "__main__":
    main()
