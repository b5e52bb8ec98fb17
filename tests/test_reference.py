"""The official reference the package ships: complete, parsed as a registry's own files are, and
restricted to what a registry covers."""

from __future__ import annotations

import lzma
import tomllib
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

import pytest

from kkb_lod import reference
from kkb_lod.checks import check_units
from kkb_lod.ingest import TABLES, read_table

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = (reference.UNITS_FILE, reference.CROSSWALK_FILE, reference.WIKIDATA_FILE)


@pytest.mark.parametrize(
    ("table", "path", "read"),
    [
        ("units", reference.UNITS_FILE, reference.national_units),
        ("crosswalk", reference.CROSSWALK_FILE, reference.national_crosswalk),
    ],
)
def test_the_records_are_those_the_registry_parsers_give(
    table: str, path: Path, read, tmp_path: Path
) -> None:
    """Read without per-cell parsing, the records equal those :func:`read_table` makes of the same
    file with every column's parser: the checks of a registry's own files hold for them."""
    plain = tmp_path / "plain.csv"
    plain.write_bytes(lzma.decompress(path.read_bytes()))
    _, record_type, parsers = TABLES[table]
    parsed, problems = read_table(plain, reference.shown(path), record_type, parsers)
    assert problems == []
    assert read() == parsed


def test_every_unit_of_the_edition_is_there_and_consistent() -> None:
    """The counts the edition states (38 / 514 / 7,285 / 83,762; 416 kabupaten and 98 kota), and
    every unit's level, parent and kind agree with its code."""
    units = reference.national_units()
    assert Counter(u.level for u in units) == {
        "province": 38,
        "regency": 514,
        "district": 7_285,
        "village": 83_762,
    }
    assert Counter(u.kind for u in units if u.level == "regency") == {"kabupaten": 416, "kota": 98}
    assert list(check_units(units, reference.units_by_code())) == []


def test_the_crosswalk_is_national() -> None:
    """Every province of 2018 is bridged (BPS numbers Papua Barat 91 and Papua 94, Kemendagri 92
    and 91); the four Papua provinces formed in 2022 (93-96) are after BPS 2018 H1."""
    rows = reference.national_crosswalk()
    assert len(rows) == 97_328
    bridged = {x.kemendagri_code for x in rows if len(x.bps_code) == 2}
    provinces = {u.code for u in reference.national_units() if u.level == "province"}
    assert provinces - bridged == {"93", "94", "95", "96"}
    assert {x.bps_code: x.kemendagri_code for x in rows if x.bps_code in ("91", "94")} == {
        "91": "92",
        "94": "91",
    }


def test_a_village_covers_its_regency_whole_with_its_province() -> None:
    """Kalahien (62.04.06.2020) covers Barito Selatan: province 62, regency 62.04, its 6 kecamatan
    and 93 villages (86 desa, 7 kelurahan), as the shared pack's extract describes it."""
    units = reference.covered_units(["62.04.06.2020"])
    assert units == reference.covered(reference.national_units(), ["62.04.06.2020"])
    assert Counter((u.level, u.kind) for u in units) == {
        ("province", None): 1,
        ("regency", "kabupaten"): 1,
        ("district", None): 6,
        ("village", "desa"): 86,
        ("village", "kelurahan"): 7,
    }
    assert {u.code for u in units if u.level != "village" and u.level != "district"} == {"62", "62.04"}


def test_a_province_code_covers_the_province_only() -> None:
    assert [u.code for u in reference.covered_units(["62"])] == ["62"]
    assert reference.covered_units(["not-a-code", ""]) == ()


def test_the_crosswalk_rows_of_covered_units_map_onto_them() -> None:
    units = reference.covered_units(["62.04.06.2020", "62.06.01.2001"])
    codes = {u.code for u in units}
    rows = reference.crosswalk_for(codes)
    assert rows and {x.kemendagri_code for x in rows} <= codes
    assert rows == tuple(x for x in reference.national_crosswalk() if x.kemendagri_code in codes)


@pytest.mark.parametrize("path", PACKAGED, ids=lambda p: p.name)
def test_the_packaged_files_are_what_the_script_writes(path: Path) -> None:
    """Compressing a file's content again gives its bytes: the script's output is deterministic,
    and the file is unchanged source text (one row per line, a header first)."""
    raw = lzma.decompress(path.read_bytes())
    assert reference.compress(raw) == path.read_bytes()
    assert raw.startswith(b"code," if path != reference.CROSSWALK_FILE else b"bps_code,")


def test_the_packaged_files_are_package_data() -> None:
    """A non-editable install has them: pyproject declares them as package data."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["kkb_lod"]
    for path in (*PACKAGED, reference.DATA / "README.md"):
        relative = path.relative_to(ROOT / "kkb_lod").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in declared), relative


def test_an_area_covers_provinces_whole_and_regencies_with_their_province() -> None:
    """The ``area`` setting: a province whole (unlike a province a row names), a regency whole
    with its province, ``all`` the country; added to what the rows name."""
    national = reference.national_units()
    province = reference.covered_units([], ["62"])
    assert province == tuple(u for u in national if u.code == "62" or u.code.startswith("62."))
    assert {u.level for u in province} == {"province", "regency", "district", "village"}
    assert reference.covered_units([], ["62.04"]) == reference.covered_units(["62.04.06.2020"])
    both = reference.covered_units(["63.01.01.2001"], ["62"])
    assert both == tuple(
        u for u in national if u.code in ("62", "63") or u.code[:3] == "62." or u.code[:5] == "63.01"
    )
    assert reference.covered_units([], ["all"]) == national
    keep = reference.area_covers(["62.04", "63"])
    assert [keep(c) for c in ("62", "62.04.01", "62.05", "63.01.01.2001", "6")] == [
        True,
        True,
        False,
        True,
        False,
    ]
