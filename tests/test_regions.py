"""Registries of other areas build with no region file of their own (fixtures: ``tests/cases/regions``).

Each fixture (test data on real places, see its README) is built for real — read, checked, mapped,
validated against the shapes, loaded — and what the store holds is compared by SPARQL with the
bundled official reference: every unit of each covered regency, with its province, and nothing
else, under its official name; the BPS codes the crosswalk has for them.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kkb_lod.config import Settings
from kkb_lod.ingest import InputError
from kkb_lod.pipeline import build
from kkb_lod.reference import (
    WIKIDATA_META,
    national_crosswalk,
    national_units,
    units_csv,
    wikidata_rows,
)
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import KKB, SPARQL_PROLOGUE

CASES = Path(__file__).parent / "cases" / "regions"
BASE = "https://w3id.org/kkb/"
NAMES = ("kota-palangkaraya", "papua-jayapura", "province-kalimantan-tengah")
#: The columns of a fixture's tables that name a region code.
CODE_COLUMNS = {
    "kkb.csv": ("village_code", "district_code"),
    "activities.csv": ("scope_code",),
    "organisations.csv": ("jurisdiction_code",),
    "sources.csv": ("place_code",),
}


def assemble(name: str, folder: Path) -> Path:
    """The fixture ``name`` overlaid on the common files, as a registry folder."""
    shutil.copytree(CASES / "common", folder)
    shutil.copytree(CASES / name, folder, dirs_exist_ok=True)
    assert not (folder / "regions").exists()
    return folder


def expected_units(folder: Path) -> set[tuple[str, str, str]]:
    """(code, name, level) of every official unit the registry's codes cover, read from its CSV
    files: the whole regency of each code, and the province of each."""
    codes = set()
    for file, columns in CODE_COLUMNS.items():
        with (folder / "registry" / file).open(encoding="utf-8", newline="") as f:
            codes |= {row[c] for row in csv.DictReader(f) for c in columns if row[c]}
    regencies = {c[:5] for c in codes if len(c) >= 5}
    provinces = {c[:2] for c in codes}
    return {
        (u.code, u.name, u.level)
        for u in national_units()
        if u.code in provinces or (len(u.code) >= 5 and u.code[:5] in regencies)
    }


def select(store: OxigraphStore, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in store.query(SPARQL_PROLOGUE + query)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, OxigraphStore]]:
    """Each fixture built once (registry folder, store of its release)."""
    found = {}
    for name in NAMES:
        folder = assemble(name, tmp_path_factory.mktemp(name) / "data")
        result = build(Settings(data_dir=folder, build_dir=folder.parent / "build", base_iri=BASE))
        found[name] = folder, OxigraphStore.from_release(result.release, "memory")
    return found


@pytest.fixture(params=NAMES)
def fixture(request: pytest.FixtureRequest, built) -> tuple[str, Path, OxigraphStore]:
    return request.param, *built[request.param]


def test_the_covered_units_are_published_whole_and_nothing_else(fixture) -> None:
    name, folder, store = fixture
    published = set(
        select(
            store,
            """
        SELECT ?code ?name ?level WHERE {
          ?u a kkb:AdministrativeUnit ; kkb:kemendagriCode ?code ; rdfs:label ?name .
          VALUES (?class ?level) { (kkb:Province "province") (kkb:RegencyOrCity "regency")
                                   (kkb:District "district") (kkb:Village "village") }
          ?u a ?class }""",
        )
    )
    expected = expected_units(folder)
    assert published == expected
    levels = Counter(level for _, _, level in expected)
    assert levels["village"] > levels["district"] > levels["regency"] >= 1, levels


def test_every_unit_names_the_official_list_and_its_bps_codes(fixture) -> None:
    _, folder, store = fixture
    codes = {code for code, _, _ in expected_units(folder)}
    derived = select(
        store,
        """SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {
        ?u a kkb:AdministrativeUnit ; prov:wasDerivedFrom ?s .
        FILTER (STRENDS(STR(?s), "/source/kemendagri-2025")) }""",
    )
    assert int(derived[0][0]) == len(codes)
    bps = set(select(store, "SELECT ?code ?bps WHERE { ?u kkb:kemendagriCode ?code ; kkb:bpsCode ?bps }"))
    assert bps == {
        (x.kemendagri_code, x.bps_code) for x in national_crosswalk() if x.kemendagri_code in codes
    }


def test_every_kkb_is_an_official_village_of_the_area(fixture) -> None:
    _, folder, store = fixture
    with (folder / "registry" / "kkb.csv").open(encoding="utf-8", newline="") as f:
        rows = {(r["village_code"], r["village_name"]) for r in csv.DictReader(f)}
    published = set(
        select(
            store,
            """SELECT ?code ?name WHERE {
        ?k a kkb:KKBDesignation ; kkb:village ?v . ?v kkb:kemendagriCode ?code ; rdfs:label ?name }""",
        )
    )
    assert published == rows


def test_a_kota_is_a_city(built) -> None:
    """Kota Palangkaraya's regency is published as a city, its villages kelurahan as the list says."""
    store = built["kota-palangkaraya"][1]
    assert select(
        store,
        "SELECT ?c WHERE { ?u kkb:kemendagriCode '62.71' ; a ?c . FILTER (?c IN (kkb:City, kkb:Regency)) }",
    ) == [(str(KKB.City),)]
    kinds = Counter(u.kind for u in national_units() if u.code.startswith("62.71.") and u.kind)
    published = select(store, "SELECT (COUNT(?v) AS ?n) WHERE { ?v a kkb:Kelurahan }")
    assert int(published[0][0]) == kinds["kelurahan"]


def test_a_papua_regency_with_its_distrik_and_desa_adat(built) -> None:
    """Kabupaten Jayapura: every distrik and every desa adat of the official list."""
    store = built["papua-jayapura"][1]
    official = Counter(
        u.level if u.level == "district" else u.kind for u in national_units() if u.code.startswith("91.03.")
    )
    counts = dict(
        select(
            store,
            """SELECT ?c (COUNT(?u) AS ?n) WHERE {
        VALUES ?c { kkb:District kkb:DesaAdat kkb:Desa kkb:Kelurahan } ?u a ?c } GROUP BY ?c""",
        )
    )
    assert {c.rsplit("#", 1)[1]: int(n) for c, n in counts.items()} == {
        "District": official["district"],
        "DesaAdat": official["desa_adat"],
        "Desa": official["desa"],
        "Kelurahan": official["kelurahan"],
    }
    assert official["desa_adat"] > 0


def test_a_province_wide_registry_with_galinggang(built) -> None:
    """Desa Galinggang (62.06.01.2001, Kabupaten Katingan) builds; the province-level activity
    guides the KKB of all three regencies; the source's dateline covers Kota Palangkaraya."""
    store = built["province-kalimantan-tengah"][1]
    assert select(
        store,
        """SELECT ?name WHERE { ?k a kkb:KKBDesignation ; kkb:village ?v .
        ?v kkb:kemendagriCode "62.06.01.2001" ; kkb:partOf/kkb:partOf/rdfs:label ?name }""",
    ) == [("Kabupaten Katingan",)]
    guided = select(
        store,
        """SELECT (COUNT(?k) AS ?n) WHERE {
        ?a a kkb:GuidanceActivity ; prov:atLocation/kkb:kemendagriCode "62" ; kkb:guides ?k }""",
    )
    assert int(guided[0][0]) == 3
    regencies = {
        code
        for (code,) in select(store, "SELECT ?c WHERE { ?u a kkb:RegencyOrCity ; kkb:kemendagriCode ?c }")
    }
    assert regencies == {"62.01", "62.03", "62.06", "62.71"}


def test_an_unknown_village_is_still_refused(tmp_path: Path) -> None:
    folder = assemble("province-kalimantan-tengah", tmp_path / "data")
    kkb = folder / "registry" / "kkb.csv"
    kkb.write_text(kkb.read_text("utf-8").replace("62.06.01.2001,", "62.06.01.2999,"), "utf-8")
    with pytest.raises(InputError) as caught:
        build(Settings(data_dir=folder, build_dir=tmp_path / "build", base_iri=BASE))
    assert [(p.file, p.row, p.column, p.message) for p in caught.value.problems] == [
        ("registry/kkb.csv", 2, "village_code", "is not a village code in the official list")
    ]


def test_an_own_region_list_wins(tmp_path: Path) -> None:
    """A registry's own regions/units.csv replaces the bundled list: here one without Katingan,
    so Galinggang is refused although the bundled list has it."""
    folder = assemble("province-kalimantan-tengah", tmp_path / "data")
    (folder / "regions").mkdir()
    own = [u for u in national_units() if u.code == "62" or u.code[:5] in ("62.01", "62.03", "62.71")]
    (folder / "regions" / "units.csv").write_text(units_csv(own), "utf-8")
    with pytest.raises(InputError) as caught:
        build(Settings(data_dir=folder, build_dir=tmp_path / "build", base_iri=BASE))
    assert {(p.file, p.row, p.column) for p in caught.value.problems} == {
        ("registry/kkb.csv", 2, "village_code")
    }


def test_provinces_and_regencies_link_to_the_bundled_wikidata_items(fixture) -> None:
    """With no snapshot of its own, a registry's province and regencies are linked (owl:sameAs)
    to the Q-ids the bundled file pairs with their codes, and the linkset names that file."""
    _, folder, store = fixture
    codes = {code for code, _, _ in expected_units(folder)}
    links = set(select(store, "SELECT ?code ?item WHERE { ?u kkb:kemendagriCode ?code ; owl:sameAs ?item }"))
    assert links == {
        (r["code"], f"http://www.wikidata.org/entity/{r['wikidata_qid']}")
        for r in wikidata_rows()
        if r["code"] in codes
    }
    assert {code.count(".") for code, _ in links} == {0, 1}
    assert select(store, "SELECT ?s WHERE { ?l a void:Linkset ; dcterms:source ?s }") == [
        (WIKIDATA_META["source"],)
    ]
