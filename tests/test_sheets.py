"""Registry tables kept in .xlsx and .ods workbooks are read as kept (kkb_lod.sheets, tables,
headers): the same graphs as from CSV, and every spreadsheet trap refused with its place.

The bad-input corpus of spreadsheets is tests/cases/sheets/ (test_sheet_cases.py)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kkb_lod.config import Settings
from kkb_lod.headers import HEADERS, SHEETS, fold, lookup, names
from kkb_lod.ingest import (
    TABLES,
    InputError,
    Limits,
    Problem,
    code,
    date,
    optional,
    read_registry,
    read_table,
    slug,
    text,
    year,
)
from kkb_lod.pipeline import map_graphs
from kkb_lod.sheets import find_tables

from .conftest import BASE, DATA, examples
from .workbooks import csv_rows, registry_to_workbooks, write_ods, write_xlsx


@pytest.fixture(scope="module")
def csv_graphs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return map_graphs(Settings(data_dir=DATA, build_dir=tmp_path_factory.mktemp("csv"), base_iri=BASE))


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_registry_in_workbooks_builds_the_same_graphs(
    csv_graphs: dict, data_copy: Path, tmp_path: Path, kind: str
) -> None:
    """The bundled registry as one workbook (Indonesian sheet and column names, dates as date
    cells, counts as number cells) or as one .ods per table gives graphs isomorphic to the CSV's."""
    registry_to_workbooks(data_copy, kind)
    assert not list((data_copy / "registry").glob("*.csv"))
    graphs = map_graphs(Settings(data_dir=data_copy, build_dir=tmp_path / "build", base_iri=BASE))
    assert graphs.keys() == csv_graphs.keys()
    for name, graph in graphs.items():
        assert len(graph) == len(csv_graphs[name]) and isomorphic(graph, csv_graphs[name]), name


def test_records_name_the_workbook_and_sheet(data_copy: Path) -> None:
    registry_to_workbooks(data_copy, "xlsx")
    registry = read_registry(data_copy)
    first = registry.kkb[0]
    assert (first.file, first.sheet, first.row) == ("registry/registry.xlsx", "Kampung KB", 2)
    assert first.written and first.written["village_code"] == "Kode Desa/Kelurahan"


def test_problem_names_file_sheet_row_and_column_as_written() -> None:
    problem = Problem("registry/registry.xlsx", 3, "Kode Desa", "62.1", "is a number", "Kampung KB")
    assert str(problem) == (
        "registry/registry.xlsx, sheet \"Kampung KB\", row 3, column Kode Desa: is a number (value '62.1')"
    )


def test_a_cross_table_problem_names_the_header_as_written(data_copy: Path) -> None:
    """The checks after reading (here: a village code not in the official list) name the sheet and
    the column as the workbook writes it."""
    kkb = data_copy / "registry" / "kkb.csv"
    kkb.write_text(
        kkb.read_text(encoding="utf-8").replace("62.04.01.1003,", "62.04.01.1099,"), encoding="utf-8"
    )
    registry_to_workbooks(data_copy, "xlsx")
    with pytest.raises(InputError) as caught:
        map_graphs(Settings(data_dir=data_copy, build_dir=data_copy / "b", base_iri=BASE))
    assert [(p.file, p.sheet, p.row, p.column) for p in caught.value.problems] == [
        ("registry/registry.xlsx", "Kampung KB", 2, "Kode Desa/Kelurahan")
    ]


@pytest.mark.parametrize("table", [HEADERS, SHEETS], ids=["HEADERS", "SHEETS"])
def test_every_name_names_one_column_or_table(table: dict[str, tuple[str, ...]]) -> None:
    seen: dict[str, str] = {}
    for canonical in table:
        for name in names(canonical, table):
            assert seen.setdefault(fold(name), canonical) == canonical, name
    assert lookup(table, table) == seen


def test_every_column_of_every_table_has_an_indonesian_header() -> None:
    columns = {c for _, _, parsers in TABLES.values() for c in parsers}
    assert not columns - HEADERS.keys()


@pytest.mark.parametrize(
    "header", ["Desa / Kelurahan", "  desa/KELURAHAN ", "village name", "Nama\u00a0Desa"]
)
def test_headers_are_compared_folded(data_copy: Path, header: str) -> None:
    kkb = data_copy / "registry" / "kkb.csv"
    kkb.write_text(kkb.read_text(encoding="utf-8").replace("village_name", header, 1), "utf-8")
    assert len(read_registry(data_copy).kkb) == 15


def test_an_optional_column_may_be_left_out(data_copy: Path) -> None:
    rows = csv_rows(data_copy / "registry" / "kkb.csv")
    keep = [i for i, c in enumerate(rows[0]) if c not in ("designated_by", "designation_date")]
    write_xlsx(data_copy / "registry" / "kkb.xlsx", {"Kampung KB": [[r[i] for i in keep] for r in rows]})
    (data_copy / "registry" / "kkb.csv").unlink()
    registry = read_registry(data_copy)
    assert len(registry.kkb) == 15 and {k.designated_by for k in registry.kkb} == {None}


def test_a_table_with_a_header_only_has_no_rows(data_copy: Path) -> None:
    posts = data_copy / "registry" / "posts.csv"
    write_ods(data_copy / "registry" / "posts.ods", {"Jabatan": csv_rows(posts)[:1]})
    posts.unlink()
    assert read_registry(data_copy).posts == ()


def test_sheets_starting_with_underscore_are_not_read(data_copy: Path) -> None:
    """The template keeps its drop-down lists on hidden sheets named _…: never read, even hidden."""
    rows = csv_rows(data_copy / "registry" / "kkb.csv")
    write_xlsx(
        data_copy / "registry" / "registry.xlsx",
        {"Kampung KB": rows, "_daftar": [["Dasar"], ["Mandiri"]]},
        hidden_sheets=["_daftar"],
    )
    (data_copy / "registry" / "kkb.csv").unlink()
    assert len(read_registry(data_copy).kkb) == 15


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_trailing_blank_rows_and_a_title_free_sheet_from_b3_are_read(data_copy: Path, kind: str) -> None:
    """Data may start in any cell; blank rows above the header and under the last row carry
    nothing and are ignored. Rows keep the numbers the spreadsheet shows."""
    rows = csv_rows(data_copy / "registry" / "kkb.csv")
    shifted = [[], [], *[["", *r] for r in rows], [], [" "], []]
    (write_xlsx if kind == "xlsx" else write_ods)(data_copy / "registry" / f"kkb.{kind}", {"Sheet1": shifted})
    (data_copy / "registry" / "kkb.csv").unlink()
    registry = read_registry(data_copy)
    assert [k.row for k in registry.kkb] == list(range(4, 19))
    assert registry.kkb[0].sheet == "Sheet1"


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_typed_cells_become_the_text_a_csv_would_hold(data_copy: Path, kind: str) -> None:
    """A date cell in a date column is YYYY-MM-DD; a whole number (a year, a count) has no .0."""
    rows = csv_rows(data_copy / "registry" / "kkb.csv")
    date = rows[0].index("designation_date")
    rows[1][date], rows[2][date] = dt.date(2021, 3, 17), 2021.0  # type: ignore[call-overload]
    sources = csv_rows(data_copy / "registry" / "sources.csv")
    count = sources[0].index("stated_kkb_count")
    sources[1][count] = 15.0  # type: ignore[call-overload]
    write = write_xlsx if kind == "xlsx" else write_ods
    write(data_copy / "registry" / f"registry.{kind}", {"Kampung KB": rows, "sources": sources})
    (data_copy / "registry" / "kkb.csv").unlink()
    (data_copy / "registry" / "sources.csv").unlink()
    registry = read_registry(data_copy)
    assert registry.kkb[0].designation_date == dt.date(2021, 3, 17)
    assert registry.kkb[1].designation_date == 2021
    assert registry.sources[0].stated_kkb_count == 15


def test_a_table_in_two_places_is_refused_naming_both(data_copy: Path) -> None:
    rows = csv_rows(data_copy / "registry" / "kkb.csv")
    write_xlsx(data_copy / "registry" / "registry.xlsx", {"Kampung KB": rows})
    with pytest.raises(InputError) as caught:
        read_registry(data_copy)
    [problem] = caught.value.problems
    assert (problem.file, problem.sheet) == ("registry/registry.xlsx", "Kampung KB")
    assert "registry/kkb.csv holds too" in problem.message


def test_an_unknown_sheet_is_refused_with_the_known_names(data_copy: Path) -> None:
    write_xlsx(data_copy / "registry" / "registry.xlsx", {"Sheet2": [["x"]]})
    with pytest.raises(InputError) as caught:
        read_registry(data_copy)
    [problem] = caught.value.problems
    assert problem.sheet == "Sheet2" and '"Kampung KB"' in problem.message
    assert "start its name with _" in problem.message


def test_excel_lock_files_are_not_read(data_copy: Path) -> None:
    (data_copy / "registry" / "~$registry.xlsx").write_bytes(b"owner")
    assert len(read_registry(data_copy).kkb) == 15


def test_a_missing_kkb_table_is_refused(data_copy: Path) -> None:
    shutil.move(data_copy / "registry" / "kkb.csv", data_copy / "kkb.csv")
    with pytest.raises(InputError, match="registry/kkb.csv: file is missing"):
        read_registry(data_copy)


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_line_break_is_refused_where_csv_refuses_it(data_copy: Path, kind: str) -> None:
    """A line break is text only in ``note`` and ``source_excerpt``, in a workbook as in CSV."""
    rows = csv_rows(data_copy / "registry" / "sources.csv")
    note = rows[0].index("note")
    rows[1][note] = rows[1][note].replace(" neither", "\nneither")
    kkb = csv_rows(data_copy / "registry" / "kkb.csv")
    kkb[3][kkb[0].index("village_name")] = "Kalanis\nbaru"
    write = write_xlsx if kind == "xlsx" else write_ods
    write(data_copy / "registry" / f"registry.{kind}", {"Sumber": rows, "Kampung KB": kkb})
    (data_copy / "registry" / "sources.csv").unlink()
    (data_copy / "registry" / "kkb.csv").unlink()
    with pytest.raises(InputError) as caught:
        read_registry(data_copy)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Kampung KB", 4, "village_name")
    assert "U+000A" in problem.message


@settings(max_examples=examples(25), deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            st.text("ab-Z 1=\t", min_size=1, max_size=6).filter(str.strip),
            st.text(
                st.characters(exclude_categories=("Cc", "Cs"))
                | st.sampled_from(["\n", "\t", "=", "+", "-", "@", "\u0085"]),
                max_size=8,
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_workbook_and_a_csv_file_obey_the_same_rules(cells: list[tuple[str, str]]) -> None:
    """Whatever text the cells hold, a sheet gives the records and the problems (row, column,
    message) a CSV file of the same rows gives."""
    parsers = {"id": slug, "note": optional(text)}
    rows = [["id", "note"], *[list(pair) for pair in cells]]
    with tempfile.TemporaryDirectory() as folder:
        csv_path, xlsx_path = Path(folder) / "t.csv", Path(folder) / "t.xlsx"
        with csv_path.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, lineterminator="\n").writerows(rows)
        write_xlsx(xlsx_path, {"S": rows})
        read = [
            read_table(path, "t", lambda **c: c, parsers, sheet=sheet)
            for path, sheet in ((csv_path, None), (xlsx_path, "S"))
        ]
    (csv_records, csv_problems), (xlsx_records, xlsx_problems) = read
    assert [(p.row, p.column, p.message) for p in xlsx_problems] == [
        (p.row, p.column, p.message) for p in csv_problems
    ]
    assert [(r["row"], r["id"], r["note"]) for r in xlsx_records] == [
        (r["row"], r["id"], r["note"]) for r in csv_records
    ]


#: The headers issue #16's spec fixes (SPEC-16.md), which the template and branch model rely on.
SPEC_HEADERS = {
    "village_code": ["Kode Desa/Kelurahan", "Kode Desa"],
    "village_name": ["Desa/Kelurahan", "Nama Desa/Kelurahan", "Nama Desa"],
    "district_code": ["Kode Kecamatan"],
    "district_name": ["Kecamatan", "Nama Kecamatan"],
    "programme": ["Program"],
    "status": ["Status"],
    "designation_date": ["Tanggal Penetapan"],
    "designated_by": ["Ditetapkan Oleh"],
    "source": ["Sumber"],
    "source_excerpt": ["Kutipan Sumber"],
    "source_village_name": ["Nama Desa menurut Sumber"],
    "source_village_kind": ["Jenis Desa menurut Sumber"],
    "source_district_name": ["Nama Kecamatan menurut Sumber"],
    "registry_id": ["ID Kampung", "ID Kampung KB", "Nomor Registrasi"],
    "kampung_name": ["Nama Kampung", "Nama Kampung KB"],
    "sub_village": ["Dusun/RW", "Wilayah Dusun/RW"],
    "inauguration_date": ["Tanggal Pencanangan"],
    "inaugurated_by": ["Dicanangkan Oleh"],
    "pokja_decree_number": ["Nomor SK Pokja", "No. SK Pokja"],
    "pokja_decree_date": ["Tanggal SK Pokja"],
    "year": ["Tahun"],
    "classification": ["Klasifikasi"],
    "poktan": ["Poktan"],
    "rumah_dataku": ["Rumah DataKu"],
    "note": ["Catatan"],
}
SPEC_SHEETS = {
    "kkb": "Kampung KB",
    "kkb_years": "Tahunan",
    "activities": "Kegiatan",
    "organisations": "Organisasi",
    "posts": "Jabatan",
    "programmes": "Program",
    "objectives": "Sasaran",
    "sources": "Sumber",
    "indicators": "Indikator",
    "observations": "Nilai Indikator",
}


def test_the_spec_headers_and_sheet_names_are_there() -> None:
    for column, spelled in SPEC_HEADERS.items():
        assert all(lookup([column])[fold(name)] == column for name in spelled), column
    assert {stem: SHEETS[stem][0] for stem in SPEC_SHEETS} == SPEC_SHEETS


TYPED = st.one_of(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=5),
    st.integers(-(10**17), 10**17),
    st.booleans(),
    st.floats(-1e20, 1e20, allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 3, 1), dt.date(2200, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 1, 1)),
    st.times(),
)


@settings(max_examples=examples(40), deadline=None)
@given(
    rows=st.lists(st.lists(TYPED, min_size=4, max_size=4), max_size=5), kind=st.sampled_from(["xlsx", "ods"])
)
def test_any_typed_cell_is_read_or_refused_never_a_crash(rows: list[list[object]], kind: str) -> None:
    """Text, numbers of any size, booleans, dates, dates with times, times: in a code, a date, a
    year or a text column, each cell is read or refused with its place."""
    parsers = {
        "village_code": optional(code),
        "designation_date": optional(date),
        "year": optional(year),
        "village_name": optional(text),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t.{kind}"
        (write_xlsx if kind == "xlsx" else write_ods)(path, {"S": [list(parsers), *rows]})
        records, problems = read_table(path, "t", lambda **c: c, parsers, sheet="S", empty_ok=True)
    assert all(p.sheet == "S" and p.message for p in problems)
    assert all(isinstance(r["village_name"], str | None) for r in records)


def test_a_workbook_too_big_packed_or_unpacked_is_refused_unread(tmp_path: Path) -> None:
    """A workbook is bounded like any registry file, and so is what it unpacks to (a zip bomb)."""
    (tmp_path / "registry").mkdir()
    path = write_xlsx(
        tmp_path / "registry" / "registry.xlsx", {"Kampung KB": [["x"], *[["a" * 4000] for _ in range(300)]]}
    )
    size = path.stat().st_size
    _, [packed] = find_tables(tmp_path, ["kkb"], Limits(file_bytes=size - 1))
    assert f"is {size:,} bytes, more than a registry file may have" in packed.message
    _, [unpacked] = find_tables(tmp_path, ["kkb"], Limits(file_bytes=size + 1))
    assert "unpacks to" in unpacked.message
    own = {"kkb": Limits(file_bytes=10**7)}  # a table's own limits: for a workbook named after it
    _, [still] = find_tables(tmp_path, ["kkb"], Limits(file_bytes=size + 1), own)
    assert "unpacks to" in still.message
    path.rename(path.with_name("kkb.xlsx"))
    places, problems = find_tables(tmp_path, ["kkb"], Limits(file_bytes=size + 1), own)
    assert not problems and places["kkb"].sheet == "Kampung KB"
