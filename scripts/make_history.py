"""Make the packaged code and name history (``kkb_lod/data/history/``) from the editions pack.

Reads the six Kemendagri editions (``kemendagri_{year}.csv``: code, name), ``changes.csv`` and the
pack's ``README.md`` (``shared/data/regions/editions/``) and writes what differs from the 2025
edition, which the package already has in full:

* for each 2025 code, the *other* names it had in the earlier editions, with those editions;
* for each code that is not in 2025, every name it had, with the editions, and its successor(s)
  where the pack records one.

A name that differs from another only in case, spacing, punctuation or abbreviation (``KAB. ACEH
SELATAN`` / ``Kabupaten Aceh Selatan``) is the same name in another style
(:func:`kkb_lod.names.normalise_name`): it is stored once, in the spelling of its latest edition.
The edition artefacts the pack's README names (a 2016 district name with a stray number, ``Gn.
Bintang Awai 21``; ``DAERAH ISTIMEWA`` cut short in 2016; ``P A P U A`` in 2020) are not names.

Successors: ``changes.csv`` records a re-coding as a ``removed`` plus an ``added`` row and pairs
nothing. The only pairings the pack states are the 26 regencies its README lists as moved to a new
province (``91.01→93.01`` …); they are read from the README and checked against ``changes.csv``
(removed and added in the same transition, same name). No other successor is inferred.

The output is the same bytes for the same input (sorted rows, a gzip stream without a time stamp).

    python scripts/make_history.py [EDITIONS_DIR] [OUT_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kkb_lod.history import EDITIONS, HISTORY_COLUMNS  # noqa: E402
from kkb_lod.names import name_key  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EDITIONS = ROOT.parent / "shared" / "data" / "regions" / "editions"
DEFAULT_OUT = ROOT / "kkb_lod" / "data" / "history"
#: Artefacts of single editions that the editions README names (code, edition).
ARTEFACTS = {("34", 2016), ("91", 2020)}
STRAY_NUMBER = re.compile(r"^(.*\S) [0-9]+$")
PAIR = re.compile(r"`([0-9]{2}\.[0-9]{2})→([0-9]{2}\.[0-9]{2})`")


def read_edition(folder: Path, year: int) -> dict[str, str]:
    with (folder / f"kemendagri_{year}.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def is_artefact(code: str, year: int, name: str, editions: dict[int, dict[str, str]]) -> bool:
    """A name the README calls an artefact of its edition, not a name the unit had."""
    if (code, year) in ARTEFACTS:
        return True
    stray = STRAY_NUMBER.match(name)
    later = editions[2018].get(code)
    return year == 2016 and code.count(".") == 2 and stray is not None and stray.group(1) == later


def names_by_key(code: str, editions: dict[int, dict[str, str]]) -> dict[str, tuple[str, list[int]]]:
    """Normalised name → (spelling of its latest edition, editions) for one code."""
    found: dict[str, tuple[str, list[int]]] = {}
    for year in EDITIONS:
        name = editions[year].get(code)
        if name is None or is_artefact(code, year, name, editions):
            continue
        key = name_key(name)
        years = found.get(key, (name, []))[1]
        found[key] = (name, [*years, year])
    return found


def successors(folder: Path) -> dict[str, str]:
    """Removed regency code → its successor, as the README lists them, checked against changes.csv."""
    pairs = dict(PAIR.findall((folder / "README.md").read_text(encoding="utf-8")))
    with (folder / "changes.csv").open(encoding="utf-8", newline="") as f:
        changes = {(r["code"], r["change"]): r for r in csv.DictReader(f)}
    for old, new in pairs.items():
        gone, came = changes.get((old, "removed")), changes.get((new, "added"))
        if (
            gone is None
            or came is None
            or gone["edition_to"] != came["edition_to"]
            or name_key(gone["name_before"]) != name_key(came["name_after"])
        ):
            raise SystemExit(f"README pairs {old}→{new}, which changes.csv does not bear out")
    return pairs


def history_rows(folder: Path) -> list[dict[str, str]]:
    editions = {year: read_edition(folder, year) for year in EDITIONS}
    current = editions[EDITIONS[-1]]
    successor = successors(folder)
    rows = []
    for code in sorted(set().union(*editions.values())):
        names = names_by_key(code, editions)
        if code in current:
            names.pop(name_key(current[code]), None)
        for name, years in names.values():
            rows.append(
                {
                    "code": code,
                    "status": "current" if code in current else "removed",
                    "name": name,
                    "editions": ";".join(map(str, years)),
                    "successors": successor.get(code, ""),
                }
            )
    return rows


def write(rows: list[dict[str, str]], out: Path) -> None:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.mkdir(parents=True, exist_ok=True)
    with (
        (out / "history.csv.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as z,
    ):
        z.write(text.getvalue().encode("utf-8"))


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_EDITIONS
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    rows = history_rows(folder)
    write(rows, out)
    current = sum(r["status"] == "current" for r in rows)
    removed = {r["code"] for r in rows if r["status"] == "removed"}
    print(
        f"{len(rows)} rows: {current} earlier names of "
        f"{len({r['code'] for r in rows if r['status'] == 'current'})} current codes, "
        f"{len(rows) - current} names of {len(removed)} removed codes, "
        f"{len({r['code'] for r in rows if r['successors']})} with a successor"
    )


if __name__ == "__main__":
    main(sys.argv)
