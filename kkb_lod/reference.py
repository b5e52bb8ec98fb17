"""The official region reference the package ships: every Kemendagri 2025 unit of Indonesia and the
national BPS crosswalk, so a registry anywhere in the country builds without a region file of its own.

The files (``kkb_lod/reference_data/``, sources in its README) are the shared reference pack's CSV
files unchanged, xz-compressed (2 MB for 91,599 units and 97,328 crosswalk rows). They are written by
``scripts/make_reference.py``, which checks every cell with the parsers of :mod:`kkb_lod.ingest`;
here they are read without re-parsing each cell (that would cost seconds per build), into the very
records a registry's own ``regions/`` files give (the tests check both ways give equal records).
Each list is read once per process.
"""

from __future__ import annotations

import csv
import io
import lzma
from collections.abc import Callable, Container, Iterable
from functools import cache
from pathlib import Path

from kkb_lod.rows import CrosswalkRow, UnitRow

DATA = Path(__file__).with_name("reference_data")
UNITS_FILE = DATA / "units.csv.xz"
CROSSWALK_FILE = DATA / "bps_crosswalk.csv.xz"
WIKIDATA_FILE = DATA / "wikidata_qids.csv.xz"
#: The columns of each file, in order (those of a registry's ``regions/`` files).
UNIT_COLUMNS = ("code", "name", "level", "parent_code", "kind", "latitude", "longitude", "postal_code")
CROSSWALK_COLUMNS = ("bps_code", "bps_name", "kemendagri_code", "kemendagri_name_2025")


def compress(raw: bytes) -> bytes:
    """``raw`` as xz, always the same bytes for the same input (xz keeps no time or name)."""
    return lzma.compress(raw, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=9 | lzma.PRESET_EXTREME)


def shown(path: Path) -> str:
    """How problems and records name a packaged file."""
    return f"kkb_lod/reference_data/{path.name}"


@cache
def text(path: Path) -> str:
    """The text of a packaged file."""
    return lzma.decompress(path.read_bytes()).decode("utf-8")


@cache
def _lines(path: Path, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The data lines of a packaged CSV file whose header is ``columns``: one row per line (no
    cell of the reference holds a line break; ``scripts/make_reference.py`` checks it)."""
    header, *lines = text(path).splitlines()
    if header != ",".join(columns):
        raise ValueError(f"{shown(path)}: header {header!r}, expected {','.join(columns)!r}")
    return tuple(lines)


def _cells(line: str) -> list[str]:
    """The cells of one CSV line; only a quoted cell (two names in the reference hold a comma)
    needs the CSV reader."""
    return line.split(",") if '"' not in line else next(csv.reader([line]))


def _units(keep: Callable[[str], bool] | None = None) -> tuple[UnitRow, ...]:
    """The units whose code ``keep`` accepts (all without it); a record is made only for those
    (the code is each line's first cell, never quoted)."""
    file = shown(UNITS_FILE)
    return tuple(
        _unit(file, row, line)
        for row, line in enumerate(_lines(UNITS_FILE, UNIT_COLUMNS), start=2)
        if keep is None or keep(line[: line.find(",")])
    )


def _unit(file: str, row: int, line: str) -> UnitRow:
    """The unit of one line (the optional cells, from the fourth on, None when empty)."""
    code, name, level, *optional = _cells(line)
    return UnitRow(file, row, code, name, level, *(cell or None for cell in optional))


@cache
def national_units() -> tuple[UnitRow, ...]:
    """All 91,599 units of the Kemendagri 2025 edition, in code order (empty cells are None, as the
    registry reader gives them)."""
    return _units()


@cache
def units_by_code() -> dict[str, UnitRow]:
    """:func:`national_units` by code."""
    return {u.code: u for u in national_units()}


def covers(codes: Iterable[str]) -> Callable[[str], bool]:
    """Whether a unit's code is covered by ``codes``: each regency a code lies in, whole (its
    kecamatan and villages), with its province; a province code covers the province unit only.
    Codes that are not Kemendagri codes cover nothing (the checks name them)."""
    provinces: set[str] = set()
    regencies: set[str] = set()
    for code in codes:
        parts = code.split(".")
        provinces.add(parts[0])
        if len(parts) > 1:
            regencies.add(".".join(parts[:2]))
    return lambda code: code in provinces or code[:5] in regencies


def covered(units: Iterable[UnitRow], codes: Iterable[str]) -> tuple[UnitRow, ...]:
    """The units of ``units`` that ``codes`` cover (:func:`covers`), in their order."""
    keep = covers(codes)
    return tuple(u for u in units if keep(u.code))


def area_covers(area: Iterable[str]) -> Callable[[str], bool]:
    """Whether a unit's code lies in the ``area`` setting's codes: a province whole (its
    regencies, kecamatan and villages), a regency/city whole with its province, ``all`` every
    unit. (The codes are checked by :func:`kkb_lod.config.area_codes`.)"""
    area = tuple(area)
    if "all" in area:
        return lambda code: True
    provinces = {code for code in area if "." not in code}
    regencies = covers(code for code in area if "." in code)
    return lambda code: code[:2] in provinces or regencies(code)


def covered_units(codes: Iterable[str], area: Iterable[str] = ()) -> tuple[UnitRow, ...]:
    """``covered(national_units(), codes)`` plus the units of ``area`` (:func:`area_covers`),
    without making a record of every national unit (a regency's registry needs a few hundred of
    the 91,599)."""
    area = tuple(area)
    if "all" in area:
        return national_units()
    named, whole = covers(codes), area_covers(area)
    return _units(lambda code: named(code) or whole(code))


#: How the bundled Q-ids are described when they stand in for a registry's Wikidata snapshot
#: (:func:`kkb_lod.linking.wikidata_snapshot`; published as the linkset's source and date: the
#: date of the Wikidata extract they come from).
WIKIDATA_META = {
    "retrieved": "2017-01-10",
    "source": "Offline pairing bundled with kkb-lod (kkb_lod/reference_data/wikidata_qids.csv.xz), not a "
    "live query: province and regency Q-ids from the Wikidata extract of the public repository "
    "soluvas/opendata (wikidata/province-ID.csv, wikidata/locality-ID.csv, commit 8860573b, "
    "2017-01-10, data from December 2016, CC0), the country Q252 and six provinces from "
    "SpocWiki/_Standards (commit 06748ac7, CC BY-SA 4.0), paired with Kemendagri 2025 codes. "
    "Nothing below regency level. Refresh with `kkb-lod link --refresh`.",
}


@cache
def wikidata_rows() -> tuple[dict[str, str], ...]:
    """The rows of the bundled Q-id file (``code,name,level,wikidata_qid,source_name,
    source_code_or_iso,source,note``): the country, 38 provinces and 514 regencies."""
    return tuple(csv.DictReader(io.StringIO(text(WIKIDATA_FILE), newline="")))


def units_csv(units: Iterable[UnitRow]) -> str:
    """``units`` as a registry's own ``regions/units.csv`` (to fix a registry to this list, or to
    change it in a test)."""
    return _csv(units, UNIT_COLUMNS)


def crosswalk_csv(rows: Iterable[CrosswalkRow]) -> str:
    """``rows`` as a registry's own ``regions/bps_crosswalk.csv``."""
    return _csv(rows, CROSSWALK_COLUMNS)


def _csv(records: Iterable[UnitRow | CrosswalkRow], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([getattr(r, column) or "" for column in columns] for r in records)
    return out.getvalue()


def national_crosswalk() -> tuple[CrosswalkRow, ...]:
    """All 97,328 rows of the BPS 2018 H1 ↔ Kemendagri crosswalk, in file order."""
    return crosswalk_for(None)


def crosswalk_for(codes: Container[str] | None) -> tuple[CrosswalkRow, ...]:
    """The crosswalk rows mapping a BPS code onto one of the Kemendagri ``codes`` (all rows for
    None): what a build with those units publishes."""
    file = shown(CROSSWALK_FILE)
    rows = []
    for row, line in enumerate(_lines(CROSSWALK_FILE, CROSSWALK_COLUMNS), start=2):
        # The Kemendagri code is the third cell; only a line with a quoted cell needs all cells
        # to find it (most lines are left at that).
        if codes is None or '"' in line or line.split(",", 3)[2] in codes:
            bps, bps_name, kemendagri, name_2025 = _cells(line)
            if codes is None or kemendagri in codes:
                rows.append(CrosswalkRow(file, row, bps, bps_name, kemendagri or None, name_2025 or None))
    return tuple(rows)


__all__ = [
    "WIKIDATA_META",
    "area_covers",
    "covered",
    "covered_units",
    "covers",
    "crosswalk_csv",
    "crosswalk_for",
    "national_crosswalk",
    "national_units",
    "units_by_code",
    "units_csv",
    "wikidata_rows",
]
