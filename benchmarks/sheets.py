"""Reading a national registry kept as a workbook (.xlsx) against the same rows as CSV.

    python benchmarks/sheets.py [--kkb 30000] [--years 5] [--seed 1] [--out DIR] [--runs 3] [--build]

Writes a SYNTHETIC registry (the villages are real: the package's official reference,
:func:`kkb_lod.reference.national_units`; which of them are KKB, and every date, classification
and Poktan, is drawn at random from ``--seed``) twice: as one workbook
``xlsx/registry/registry-synthetic.xlsx`` with the sheets "Kampung KB" and "Tahunan" (Indonesian
headers, dates as date cells, years as number cells, as a person keeps them; text in the
shared-strings table, as Excel writes it), and as
``csv/registry/kkb.csv`` and ``kkb_years.csv``; the rows cite no source (each is its own
registry record, as a data office's rows are). Then it times reading each table from each
format with the same reader (:func:`kkb_lod.ingest.read_table`: header matching, every trap
check, every cell parsed) and prints seconds and the XLSX/CSV ratio. Target: the whole XLSX read
in at most 30 s. With ``--build``, each folder is then built whole (``kkb-lod build``, SHACL
validation included) and the two builds' seconds and peak RSS printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from kkb_lod import ingest
from kkb_lod.headers import HEADERS, SHEETS
from kkb_lod.reference import national_units
from kkb_lod.sheetscan import column_letters

CLASSES = ("Dasar", "Berkembang", "Mandiri", "Berkelanjutan", "Paripurna")
POKTAN = ("BKB", "BKR", "BKL", "UPPKA", "PIK-R")
EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's date serials
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def kkb_rows(rng: random.Random, n: int, columns: list[str]) -> list[dict[str, Any]]:
    """``n`` KKB rows on real villages drawn at random (one per village), cells as kept."""
    units = national_units()
    names = {u.code: u.name for u in units}
    villages = sorted(rng.sample([u for u in units if u.level == "village"], n), key=lambda u: u.code)
    rows = []
    for i, village in enumerate(villages, start=1):
        values: dict[str, Any] = {
            "registry_id": str(100000 + i),
            "village_code": village.code,
            "village_name": village.name,
            "district_code": village.parent_code,
            "district_name": names[village.parent_code or ""],
            "programme": "kampung-keluarga-berkualitas",
            "status": "designated",
            "designation_date": dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(1400)),
            "kampung_name": f"Kampung KB sintetis {i}",  # no source: each row is its own record
        }
        rows.append({c: values.get(c, "") for c in columns})
    return rows


def year_rows(rng: random.Random, kkb: list[dict[str, Any]], years: int) -> list[dict[str, Any]]:
    rows = []
    for k in kkb:
        for year in range(2021, 2021 + years):
            rows.append(
                {
                    "registry_id": k.get("registry_id") or "",
                    "village_code": k["village_code"],
                    "year": year,
                    "classification": rng.choice(CLASSES),
                    "poktan": "; ".join(rng.sample(POKTAN, rng.randrange(1, 4))),
                    "rumah_dataku": rng.choice(("Ya", "Tidak", "")),
                    "source": "",
                    "note": "SYNTHETIC",
                }
            )
    return rows


def text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([text(row[c]) for c in columns] for row in rows)


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    """An .xlsx as Excel writes one: text in the shared-strings table (each distinct text once,
    cells pointing to it), numbers as numbers, dates as serials styled as dates (number format
    14). Written here, not with openpyxl, whose inline strings python-calamine reads otherwise."""
    strings: dict[str, int] = {}
    parts: dict[str, str] = {}
    for n, (columns, rows) in enumerate(sheets.values(), start=1):
        lines = []
        for r, row in enumerate([{c: HEADERS.get(c, (c,))[0] for c in columns}, *rows], start=1):
            cells = []
            for i, column in enumerate(columns):
                value, ref = row[column], f"{column_letters(i)}{r}"
                if isinstance(value, dt.date):
                    cells.append(f'<c r="{ref}" s="1"><v>{(value - EPOCH).days}</v></c>')
                elif isinstance(value, int | float):
                    cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                elif value != "":
                    index = strings.setdefault(str(value), len(strings))
                    cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
            lines.append(f'<row r="{r}">{"".join(cells)}</row>')
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet '
            f'xmlns="{MAIN}"><sheetData>{"".join(lines)}'
            f"</sheetData></worksheet>"
        )
    names = list(sheets)
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    parts |= {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
        '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.'
            f'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(names) + 1)
        )
        + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>",
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" '
        f'xmlns:r="{DOC}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(names, start=1)
        )
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships '
        f'xmlns="{PKG}">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(names) + 1)
        )
        + f'<Relationship Id="rId{len(names) + 1}" Type="{DOC}/sharedStrings" '
        f'Target="sharedStrings.xml"/><Relationship Id="rId{len(names) + 2}" Type="{DOC}/styles" '
        f'Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}" '
        f'uniqueCount="{len(strings)}">{shared}</sst>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN}"><fonts '
        'count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/>'
        '</borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


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
    parser.add_argument(
        "--build", action="store_true", help="also run the whole `kkb-lod build` of each (minutes, ~2 GB)"
    )
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="synthetic-sheets-"))
    for kind in ("xlsx", "csv"):
        shutil.rmtree(out / kind, ignore_errors=True)
        (out / kind / "registry").mkdir(parents=True)
    (out / "SYNTHETIC.txt").write_text(
        "SYNTHETIC registry of benchmarks/sheets.py: only the villages are real. Never publish it.\n",
        encoding="utf-8",
    )
    rng = random.Random(args.seed)
    _, kkb_type, kkb_parsers = ingest.TABLES["kkb"]
    kkb_columns = list(kkb_parsers)
    kkb = kkb_rows(rng, args.kkb, kkb_columns)
    years = year_rows(rng, kkb, args.years)
    _, years_type, years_parsers = {**ingest.TABLES, **ingest.OPTIONAL_TABLES}["kkb_years"]
    years_columns = list(years_parsers)
    start = time.perf_counter()
    workbook = out / "xlsx" / "registry" / "registry-synthetic.xlsx"
    write_xlsx(
        workbook, {SHEETS["kkb"][0]: (kkb_columns, kkb), SHEETS["kkb_years"][0]: (years_columns, years)}
    )
    csv_folder = out / "csv" / "registry"
    write_csv(csv_folder / "kkb.csv", kkb_columns, kkb)
    write_csv(csv_folder / "kkb_years.csv", years_columns, years)
    print(
        f"wrote {len(kkb):,} KKB and {len(years):,} yearly rows in {time.perf_counter() - start:.0f} s "
        f"to {out}/xlsx and {out}/csv (xlsx {workbook.stat().st_size / 2**20:.1f} MiB)"
    )

    def read(path: Path, sheet: str | None, kind: Any, parsers: dict) -> int:
        records, problems = ingest.read_table(path, path.name, kind, parsers, sheet=sheet, aliases=HEADERS)
        assert not problems, problems[:5]
        return len(records)

    results = {}
    for fmt in ("xlsx", "csv"):
        for table, kind, parsers in (
            ("kkb", kkb_type, kkb_parsers),
            ("kkb_years", years_type, years_parsers),
        ):
            path = workbook if fmt == "xlsx" else csv_folder / f"{table}.csv"
            sheet = SHEETS[table][0] if fmt == "xlsx" else None
            results[fmt, table] = timed(
                args.runs, lambda p=path, s=sheet, k=kind, q=parsers: read(p, s, k, q)
            )
    print()
    print("| table | rows | XLSX s | CSV s | XLSX/CSV |\n|---|---|---|---|---|")
    for table in ("kkb", "kkb_years"):
        (x, rows), (c, _) = results["xlsx", table], results["csv", table]
        print(f"| {table} | {rows:,} | {x:.2f} | {c:.2f} | {x / c:.1f}× |")
    x = sum(results["xlsx", t][0] for t in ("kkb", "kkb_years"))
    c = sum(results["csv", t][0] for t in ("kkb", "kkb_years"))
    print(f"| both | {len(kkb) + len(years):,} | {x:.2f} | {c:.2f} | {x / c:.1f}× |")
    print(f"\ntarget: XLSX read ≤ 30 s: {'met' if x <= 30 else 'missed'} ({x:.1f} s, median of {args.runs})")
    if args.build:
        builds(out)


def builds(out: Path) -> None:
    """``kkb-lod build`` (validation included) of the registry as .xlsx and as CSV, one after the
    other in this run: wall seconds and peak RSS of each (GNU time), and the triples published."""
    print("\n| registry | build s | peak RSS MB | triples | exit |\n|---|---|---|---|---|")
    stages: dict[str, list[str]] = {}
    for fmt in ("xlsx", "csv"):
        build = out / f"build-{fmt}"
        shutil.rmtree(build, ignore_errors=True)
        timing = out / f"time-{fmt}.txt"
        done = subprocess.run(
            [
                "/usr/bin/time",
                "-f",
                "%e %M",
                "-o",
                str(timing),
                sys.executable,
                "-m",
                "kkb_lod",
                "build",
                "--data",
                str(out / fmt),
                "--out",
                str(build),
            ],
            capture_output=True,
            text=True,
        )
        seconds, peak_kb = timing.read_text().split()[-2:]
        manifest = build / "current" / "manifest.json"
        triples = json.loads(manifest.read_text())["triples"] if manifest.is_file() else 0
        print(
            f"| {fmt} | {float(seconds):.0f} | {int(peak_kb) / 1024:,.0f} | {triples:,} | {done.returncode} |"
        )
        stages[fmt] = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("[")]
        if done.returncode:
            print(done.stderr[-2000:])
    for fmt, lines in stages.items():  # the build's own stage times
        print(f"\n{fmt} build stages:\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
