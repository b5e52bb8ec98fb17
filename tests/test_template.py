"""``kkb-lod init``: the folder it writes, the template workbook's lists and rules (read back with
openpyxl), and the round trip init → fill in by a script → ``kkb-lod build`` → published.

The rows filled in here are synthetic (made up for the test: the kampung names, registry ids,
dates, classifications); every code and official name comes from the packaged reference.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, Store

from kkb_lod.cli import cli
from kkb_lod.config import load_settings
from kkb_lod.headers import HEADERS, fold, lookup
from kkb_lod.ingest import OPTIONAL_TABLES, TABLES
from kkb_lod.reference import covered_units, national_units
from kkb_lod.scaffold import ENGLISH, PLACEHOLDER_BASE
from kkb_lod.template import (
    FIRST_DATE,
    FIRST_YEAR,
    KKB_COLUMNS,
    LAST_DATE,
    LAST_YEAR,
    REFERENCE_SOURCES,
    SHEET_KKB,
    SHEET_LISTS,
    SHEET_SOURCES,
    SHEET_YEARS,
    SOURCE_COLUMNS,
    YEAR_COLUMNS,
)

from .conftest import DATA

KKB = "https://w3id.org/kkb/def#"
SHEETS = {SHEET_KKB: KKB_COLUMNS, SHEET_YEARS: YEAR_COLUMNS, SHEET_SOURCES: SOURCE_COLUMNS}
EVERY = {**TABLES, **OPTIONAL_TABLES}
folded = lookup(HEADERS)


def init(folder: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["init", *args, str(folder)])
    assert result.exit_code == 0, result.output


def villages(area: str) -> list:
    return [u for u in covered_units((), (area,)) if u.level == "village"]


def validations(sheet) -> dict[str, object]:
    """Each data validation of ``sheet``, by the header of the column it covers."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for rule in sheet.data_validations.dataValidation:
        first = str(rule.sqref).split(":")[0]
        assert first.endswith("2") and str(rule.sqref).endswith("1048576"), rule.sqref
        found[headers[first[:-1]]] = rule
    return found


def listed(book, rule) -> list[str]:
    """The values a list validation offers: the range of _daftar it references."""
    assert rule.type == "list"
    sheet_name, cells = rule.formula1.split("!")
    assert sheet_name == f"'{SHEET_LISTS}'"
    first, last = cells.replace("$", "").split(":")
    column = "".join(c for c in first if c.isalpha())
    rows = book[SHEET_LISTS][f"{column}{first[len(column) :]}:{column}{last[len(column) :]}"]
    return [row[0].value for row in rows]


@pytest.fixture(scope="module")
def regency(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "barito-selatan"
    init(folder, "--area", "62.04")
    return folder


def test_init_writes_the_folder(regency: Path) -> None:
    assert sorted(str(p.relative_to(regency)) for p in regency.rglob("*") if p.is_file()) == [
        "README.md",
        "kkb-lod.toml",
        "registry/registry.xlsx",
    ]
    settings = tomllib.loads((regency / "kkb-lod.toml").read_text(encoding="utf-8"))
    assert settings == {
        "area": "62.04",
        "base_iri": PLACEHOLDER_BASE,
        "data_dir": ".",
        "build_dir": "build",
        "publisher": "",
    }
    loaded = load_settings(environ={}, config=regency / "kkb-lod.toml")
    assert (loaded.area_codes, loaded.data_dir, loaded.build_dir) == (("62.04",), regency, regency / "build")
    readme = (regency / "README.md").read_text(encoding="utf-8")
    assert "## Bahasa Indonesia" in readme and "## English" in readme
    assert "Kabupaten Barito Selatan (62.04)" in readme and "base_iri" in readme
    for sheet, columns in SHEETS.items():
        for column in columns:
            assert f"| {column.header} (`{column.name}`) | {column.note} |" in readme
            assert f"| {column.header} (`{column.name}`) | {ENGLISH[(sheet, column.name)]} |" in readme


def test_the_workbook_sheets_headers_and_notes(regency: Path) -> None:
    book = openpyxl.load_workbook(regency / "registry" / "registry.xlsx")
    assert book.sheetnames == [SHEET_KKB, SHEET_YEARS, SHEET_SOURCES, SHEET_LISTS]
    assert [book[name].sheet_state for name in book.sheetnames] == ["visible"] * 3 + ["hidden"]
    for name, columns in SHEETS.items():
        sheet = book[name]
        # each header is the column's first Indonesian name, read back as the canonical column
        assert [c.value for c in sheet[1]] == [HEADERS[c.name][0] for c in columns]
        assert [folded[fold(c.value)] for c in sheet[1]] == [c.name for c in columns]
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == (1 + len(REFERENCE_SOURCES) if name == SHEET_SOURCES else 1)
        for cell, column in zip(sheet[1], columns, strict=True):
            assert cell.comment is not None and column.note in cell.comment.text
            assert sheet.column_dimensions[cell.column_letter].width >= 8
        rules = validations(sheet)
        assert set(rules) == {c.header for c in columns}  # each has at least its input message
        assert all(rule.prompt for rule in rules.values())


def test_the_lists_hold_the_area_units(regency: Path) -> None:
    book = openpyxl.load_workbook(regency / "registry" / "registry.xlsx")
    rules = validations(book[SHEET_KKB])
    official = villages("62.04")
    districts = [u for u in covered_units((), ("62.04",)) if u.level == "district"]
    assert listed(book, rules["Kode Desa/Kelurahan"]) == [v.code for v in official]
    assert listed(book, rules["Desa/Kelurahan"]) == sorted({v.name for v in official})
    assert listed(book, rules["Kode Kecamatan"]) == [d.code for d in districts]
    assert listed(book, rules["Kecamatan"]) == sorted({d.name for d in districts})
    assert listed(book, rules["Jenis Desa menurut Sumber"]) == ["desa", "kelurahan", "desa_adat"]
    # a code off the list is refused; a name off it only warned about (earlier names are accepted)
    assert rules["Kode Desa/Kelurahan"].errorStyle in (None, "stop")
    assert rules["Desa/Kelurahan"].errorStyle == "warning"
    years = validations(book[SHEET_YEARS])
    assert listed(book, years["Klasifikasi"]) == [
        "Dasar",
        "Berkembang",
        "Mandiri",
        "Berkelanjutan",
        "Paripurna",
    ]
    assert listed(book, years["Poktan"]) == ["BKB", "BKR", "BKL", "UPPKA", "PIK-R"]
    assert years["Poktan"].errorStyle == "information"  # a cell may list several
    assert listed(book, years["Rumah DataKu"]) == ["Ya", "Tidak"]
    assert listed(book, years["Kode Desa/Kelurahan"]) == [v.code for v in official]
    # between (the default operator, left out of the file) the first and the last year or date
    tahun = years["Tahun"]
    assert (tahun.type, tahun.operator, tahun.formula1, tahun.formula2) == (
        "whole",
        None,
        str(FIRST_YEAR),
        str(LAST_YEAR),
    )
    serial = {day: str((day - dt.date(1899, 12, 30)).days) for day in (FIRST_DATE, LAST_DATE)}
    for header in ("Tanggal Pencanangan", "Tanggal SK Pokja", "Tanggal Penetapan"):
        rule = rules[header]
        assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
            "date",
            None,
            serial[FIRST_DATE],
            serial[LAST_DATE],
        )
    # the lookup table a user may unhide: each village with its kecamatan
    lookup = book[SHEET_LISTS]
    first = official[0]
    assert [c.value for c in lookup[2][:4]] == [
        first.code,
        first.name,
        first.parent_code,
        {u.code: u.name for u in districts}[first.parent_code],
    ]


def test_every_column_of_the_tables_is_in_the_template() -> None:
    for table, columns in (("kkb", KKB_COLUMNS), ("kkb_years", YEAR_COLUMNS), ("sources", SOURCE_COLUMNS)):
        assert [c.name for c in columns] != [] and {c.name for c in columns} == set(EVERY[table][2]), table


def test_the_sources_sheet_starts_with_the_official_lists(regency: Path) -> None:
    """As the bundled registry describes them (data/registry/sources.csv), publisher aside."""
    with (DATA / "registry" / "sources.csv").open(encoding="utf-8", newline="") as file:
        bundled = {row["source_id"]: row for row in csv.DictReader(file)}
    for row in REFERENCE_SOURCES:
        assert {k: v for k, v in bundled[row["source_id"]].items() if v and k != "publisher"} == row
    sheet = openpyxl.load_workbook(regency / "registry" / "registry.xlsx")[SHEET_SOURCES]
    read = [
        {c.name: v for c, v in zip(SOURCE_COLUMNS, values, strict=True) if v}
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert read == list(REFERENCE_SOURCES)


def test_codes_and_ids_are_text_cells(regency: Path) -> None:
    book = openpyxl.load_workbook(regency / "registry" / "registry.xlsx")
    sheet = book[SHEET_KKB]
    for n, column in enumerate(KKB_COLUMNS, start=1):
        if column.text:
            letter = openpyxl.utils.get_column_letter(n)
            assert sheet.column_dimensions[letter].number_format == "@", column.header


def test_a_province_lists_all_its_villages(tmp_path: Path) -> None:
    init(tmp_path / "kalteng", "--area", "62")
    book = openpyxl.load_workbook(tmp_path / "kalteng" / "registry" / "registry.xlsx", read_only=False)
    codes = listed(book, validations(book[SHEET_KKB])["Kode Desa/Kelurahan"])
    assert codes == [v.code for v in villages("62")]
    assert {c[:5] for c in codes} == {
        u.code for u in national_units() if u.level == "regency" and u.code.startswith("62.")
    }
    assert tomllib.loads((tmp_path / "kalteng" / "kkb-lod.toml").read_text())["area"] == "62"


def test_the_country(tmp_path: Path) -> None:
    init(tmp_path / "indonesia", "--area", "all")
    book = openpyxl.load_workbook(tmp_path / "indonesia" / "registry" / "registry.xlsx", read_only=True)
    lists = book[SHEET_LISTS]
    codes = [row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True) if row[0]]
    assert codes == [u.code for u in national_units() if u.level == "village"]
    book.close()
    assert "Indonesia" in (tmp_path / "indonesia" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("area", "said"),
    [
        ("99.99", "'99.99' is not a province or regency/city code"),
        (
            "62.04.01.2002",
            "is a desa/kelurahan; an area is a whole regency/city or province: give its "
            "regency/city 62.04 (Kabupaten Barito Selatan)",
        ),
        ("62.04.01", "is a kecamatan"),
        ("all,62", "'all' is the whole country"),
        ("", "give the area"),
    ],
)
def test_a_bad_area_is_refused(tmp_path: Path, area: str, said: str) -> None:
    result = CliRunner().invoke(cli, ["init", "--area", area, str(tmp_path / "reg")])
    assert result.exit_code == 2 and said in result.output, result.output
    assert not (tmp_path / "reg").exists()


def test_a_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("kept\n")
    result = CliRunner().invoke(cli, ["init", "--area", "62.04", str(tmp_path)])
    assert result.exit_code == 2 and "is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    init(tmp_path, "--area", "62.04", "--force")  # --force writes beside other files …
    assert (tmp_path / "registry" / "registry.xlsx").is_file()
    (tmp_path / "kkb-lod.toml").write_text('area = "62"\n')
    result = CliRunner().invoke(cli, ["init", "--area", "62.04", "--force", str(tmp_path)])
    assert result.exit_code == 2 and "already exist" in result.output  # … but never over one
    assert (tmp_path / "kkb-lod.toml").read_text() == 'area = "62"\n'
    (tmp_path / "a-file").write_text("")
    result = CliRunner().invoke(cli, ["init", "--area", "62.04", str(tmp_path / "a-file")])
    assert result.exit_code == 2 and "is a file, not a folder" in result.output


# --- the round trip: init → fill in → kkb-lod build → published --------------------------------


def build(folder: Path) -> subprocess.CompletedProcess:
    """``kkb-lod build`` run in ``folder``, as its README says (the settings from kkb-lod.toml)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKB_")}
    env["KKB_BUILD_STORE"] = "none"  # the dumps are enough here
    return subprocess.run(
        [sys.executable, "-m", "kkb_lod", "build"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def published(folder: Path) -> Store:
    store = Store()
    store.bulk_load(path=str(folder / "build" / "current" / "dumps" / "kkb.nq"), format=RdfFormat.N_QUADS)
    return store


def select(store: Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(
        f"PREFIX kkb: <{KKB}>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n{query}",
        use_default_graph_as_union=True,
    )
    return sorted(tuple(term.value if term is not None else "" for term in row) for row in solutions)


def test_the_untouched_template_builds_the_area(tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    init(folder, "--area", "62.04")
    done = build(folder)
    assert done.returncode == 0, done.stderr
    assert f"base_iri is still the placeholder {PLACEHOLDER_BASE}" in done.stderr
    store = published(folder)
    codes = select(
        store,
        "SELECT DISTINCT ?code { ?v a ?kind ; kkb:kemendagriCode ?code "
        "VALUES ?kind { kkb:Desa kkb:Kelurahan kkb:DesaAdat } }",
    )
    assert codes == [(v.code,) for v in villages("62.04")]
    assert select(store, "SELECT (COUNT(?k) AS ?n) { ?k a kkb:KKBDesignation }") == [("0",)]
    assert select(store, "SELECT ?v { ?v kkb:kemendagriCode '62.04' }") == [
        (f"{PLACEHOLDER_BASE}id/regency/62.04",)
    ]


def _unique_in_its_kecamatan(official: list) -> list:
    """Villages whose name no other village of their kecamatan has (a name alone finds them)."""
    seen: dict[tuple[str | None, str], int] = {}
    for v in official:
        seen[(v.parent_code, v.name)] = seen.get((v.parent_code, v.name), 0) + 1
    return [v for v in official if seen[(v.parent_code, v.name)] == 1]


def fill(workbook: Path, rows: list[dict[str, object]], years: list[dict[str, object]]) -> None:
    """Write ``rows`` (by canonical column name) into the template, as a user would."""
    book = openpyxl.load_workbook(workbook)
    for sheet, columns, values in ((SHEET_KKB, KKB_COLUMNS, rows), (SHEET_YEARS, YEAR_COLUMNS, years)):
        where = {c.name: n for n, c in enumerate(columns, start=1)}
        for r, row in enumerate(values, start=2):
            for name, value in row.items():
                book[sheet].cell(r, where[name], value)
    book.save(workbook)


def test_filled_rows_are_published(tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    init(folder, "--area", "62.04")
    official = _unique_in_its_kecamatan(villages("62.04"))
    names = {u.code: u.name for u in covered_units((), ("62.04",))}
    coded, named = official[0], next(v for v in official if v.parent_code != official[0].parent_code)
    fill(
        folder / "registry" / "registry.xlsx",
        [
            {
                "registry_id": "101",
                "kampung_name": "Cempaka",
                "district_name": names[coded.parent_code],
                "district_code": coded.parent_code,
                "village_name": coded.name,
                "village_code": coded.code,
                "inauguration_date": dt.date(2021, 3, 15),
                "inaugurated_by": "Bupati (synthetic)",
                "pokja_decree_number": "SK-1/2021 (synthetic)",
                "pokja_decree_date": dt.date(2021, 2, 1),
            },
            {
                "registry_id": "102",
                "kampung_name": "Melati",
                "district_name": names[named.parent_code],
                "village_name": named.name,
            },
        ],
        [
            {
                "registry_id": "101",
                "year": 2023,
                "classification": "Mandiri",
                "poktan": "BKB; BKR",
                "rumah_dataku": "Ya",
            },
            {"registry_id": "102", "year": 2023, "classification": "Dasar", "rumah_dataku": "Tidak"},
        ],
    )
    done = build(folder)
    assert done.returncode == 0, done.stderr
    store = published(folder)
    found = select(
        store,
        """SELECT ?code ?name ?class {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:kemendagriCode ?code ; kkb:kampungName ?name ;
           kkb:annualRecord ?r . ?r kkb:classification ?class }""",
    )
    assert found == [
        (coded.code, "Cempaka", f"{KKB}klasifikasiMandiri"),
        (named.code, "Melati", f"{KKB}klasifikasiDasar"),
    ]
    cempaka = f"<{PLACEHOLDER_BASE}id/kkb/{coded.code}>"
    assert select(
        store,
        f"""SELECT ?id ?date ?poktan ?dataku ?sheet ?row {{
        {cempaka} kkb:registryId ?id ; kkb:inaugurationDate ?date ;
                  kkb:annualRecord [ kkb:poktan ?poktan ; kkb:hasRumahDataKu ?dataku ] ;
                  prov:wasDerivedFrom [ kkb:recordSheet ?sheet ; kkb:recordRow ?row ] }}""",
    ) == [
        ("101", "2021-03-15", f"{KKB}poktanBKB", "true", SHEET_KKB, "2"),
        ("101", "2021-03-15", f"{KKB}poktanBKR", "true", SHEET_KKB, "2"),
    ]
    # every village of the area is published, not only the two with a KKB
    assert len(select(store, "SELECT DISTINCT ?v { ?v a kkb:Desa }")) + len(
        select(store, "SELECT DISTINCT ?v { ?v a kkb:Kelurahan }")
    ) == len(villages("62.04"))


def test_another_folder_names_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``kkb-lod --config DIR/kkb-lod.toml`` from elsewhere reads DIR's registry (paths in the
    file are relative to it); a settings file that is not there stops the command."""
    folder = tmp_path / "reg"
    init(folder, "--area", "62.04")
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("KKB_")]:
        monkeypatch.delenv(name)
    report = tmp_path / "report.ttl"
    result = CliRunner().invoke(
        cli, ["--config", str(folder / "kkb-lod.toml"), "validate", "--report", str(report)]
    )
    assert result.exit_code == 0 and "Valid:" in result.output, result.output
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.toml"), "validate"])
    assert result.exit_code == 2 and "none.toml" in result.output


def test_a_bad_area_setting_stops_a_command_at_start_up(tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    init(folder, "--area", "62.04")
    (folder / "kkb-lod.toml").write_text('area = "62.04.06"\ndata_dir = "."\n')
    result = CliRunner().invoke(cli, ["--config", str(folder / "kkb-lod.toml"), "build"])
    assert result.exit_code == 2 and "62.04.06" in result.output and "is a kecamatan" in result.output
    assert not (folder / "build").exists()
