"""Bad input is refused with file, row and column — every case of the corpus, exactly.

Each folder of ``tests/cases/bad-input/`` overlays files on a copy of the bundled registry and lists
in ``expected.txt`` the problems (file | row | column) that must be reported, no more, no fewer; a
fourth field, when given, is a piece of text the problem's message must contain.
Huge inputs are never committed: a case's ``repeat.toml`` names files whose last row is repeated at
test time until the file has the given number of data rows.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkb_lod.checks import check_registry, find_problems, not_a_code
from kkb_lod.ingest import (
    InputError,
    Limits,
    Problem,
    optional,
    read_registry,
    read_table,
    slug,
    text,
)
from kkb_lod.linking import link_units
from kkb_lod.reference import covered_units, units_csv

from .conftest import DATA

CASES = Path(__file__).parent / "cases" / "bad-input"


def collect_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "expected.txt").is_file())


def expected_lines(case: Path) -> list[tuple[str, int | None, str | None, str]]:
    """(file, row, column, text of the message) of every problem ``expected.txt`` lists."""
    wanted = []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        file, row, column, *message = (part.strip() for part in line.split("|", 3))
        wanted.append((file, int(row) if row else None, column or None, "".join(message)))
    return wanted


def expected_problems(case: Path) -> set[tuple[str, int | None, str | None]]:
    return {(file, row, column) for file, row, column, _ in expected_lines(case)}


def assert_messages(case: Path, problems: list[Problem]) -> None:
    """Each problem's message says what ``expected.txt`` says it must."""
    for file, row, column, wanted in expected_lines(case):
        said = [p.message for p in problems if (p.file, p.row, p.column) == (file, row, column)]
        assert said and all(wanted in message for message in said), (file, row, column, said)


def apply_case(case: Path, folder: Path) -> None:
    """Overlay the case's files on ``folder`` (a copy of the registry), then grow the files its
    ``repeat.toml`` names."""
    for overlay in case.rglob("*"):
        if overlay.is_file() and overlay.name not in ("expected.txt", "repeat.toml"):
            (folder / overlay.relative_to(case)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(overlay, folder / overlay.relative_to(case))
    if (case / "repeat.toml").is_file():
        for name, rows in tomllib.loads((case / "repeat.toml").read_text("utf-8")).items():
            lines = (folder / name).read_bytes().splitlines(keepends=True)
            with (folder / name).open("ab") as grown:
                grown.write(lines[-1] * (rows - (len(lines) - 1)))


def load(folder: Path) -> None:
    """Everything a build reads before it maps: the registry, its checks, the Wikidata links."""
    registry = read_registry(folder)
    check_registry(registry)
    link_units(folder, registry.units)


#: Every kind of bad input the hardening issue names, and the cases that show it.
KINDS = {
    "wrong columns": ("missing-column", "extra-column", "ragged-row"),
    "unknown or mismatched codes": (
        "unknown-village-code",
        "code-name-mismatch",
        "wrong-kecamatan",
        "unit-wrong-parent",
        "unknown-programme",
    ),
    "duplicates": ("duplicate-kkb",),
    "bad dates": ("malformed-date", "impossible-date"),
    "wrong encoding": ("latin-1", "bom"),
    "empty file": ("empty-file",),  # a header and no rows is an empty table (issue #16)
    "huge file": ("huge-file", "too-many-rows", "huge-cell"),
    "formula-injection text": (
        "formula-injection",
        "formula-characters",
        "formula-excerpt",
        "formula-second-quotation",
        "formula-every-free-text",
    ),
    "control characters": (
        "control-nul",
        "control-escape",
        "control-c1-and-del",
        "line-break-in-name",
        "overrides-control-note",
    ),
    "digits other than 0-9": (
        "mixed-digit-year",
        "superscript-count",
        "non-ascii-digits-in-dates-and-codes",
        "count-too-long",
    ),
    "documents outside the folder or unchecked": (
        "document-parent-folder",
        "document-absolute-path",
        "document-not-text",
        "excerpt-without-document",
    ),
    "source text not UTF-8": ("document-latin-1", "document-utf-16"),
    "rows as a spreadsheet counts them": ("line-break-in-name", "line-break-in-note-keeps-rows"),
    "wrong kecamatan": ("wrong-kecamatan", "wrong-kecamatan-name"),
    "a KKB's registry entry and yearly records (issue #16)": (
        "kkb-registry-id-duplicate",
        "kkb-registry-id-not-digits",
        "kkb-excerpt-required",
        "kkb-source-columns-without-source",
        "kkb-new-dates-in-the-future",
        "kkb-inauguration-date-day-first",
        "kkb-years-unknown-kkb",
        "kkb-years-names-no-kkb",
        "kkb-years-duplicate-year",
        "kkb-years-two-kkb",
        "kkb-years-future-and-before-inauguration",
        "kkb-years-bad-cells",
        "kkb-years-unknown-source",
    ),
    "bad Wikidata links files": (
        "overrides-bad-qid",
        "overrides-bad-decision",
        "overrides-missing-column",
        "overrides-utf-16",
        "overrides-unknown-unit",
        "snapshot-json-invalid",
        "snapshot-json-bad-values",
        "snapshot-bad-qid",
    ),
}


def test_the_corpus_is_all_there() -> None:
    names = {case.name for case in collect_cases()}
    assert len(names) >= 50
    for kind, cases in KINDS.items():
        assert set(cases) <= names, kind


def test_bundled_registry_is_clean() -> None:
    registry = read_registry(Path(__file__).parents[1] / "data")
    check_registry(registry)
    assert len(registry.kkb) == 15


def test_the_area_widens_the_bundled_reference(data_copy: Path) -> None:
    """``area = 62`` publishes Kalimantan Tengah whole (the rows name Barito Selatan only), with
    the crosswalk rows onto its units; a folder with its own unit list keeps that list."""
    registry = read_registry(DATA, area=("62",))
    assert registry.units == covered_units([], ["62"])
    assert {row.kemendagri_code for row in registry.crosswalk} <= {u.code for u in registry.units}
    assert {row.kemendagri_code[:5] for row in registry.crosswalk if row.kemendagri_code} > {"62.04"}
    assert read_registry(DATA).units == covered_units(["62.04"])
    (data_copy / "regions").mkdir()
    (data_copy / "regions" / "units.csv").write_text(units_csv(covered_units(["62.04"])), encoding="utf-8")
    assert [u.code for u in read_registry(data_copy, area=("62",)).units] == [
        u.code for u in covered_units(["62.04"])
    ]


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_bad_input_is_refused_with_its_location(case: Path, data_copy: Path) -> None:
    apply_case(case, data_copy)
    with pytest.raises(InputError) as caught:
        load(data_copy)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert found == expected_problems(case), "\n".join(map(str, caught.value.problems))
    assert_messages(case, caught.value.problems)
    for problem in caught.value.problems:
        assert problem.file in str(problem) and problem.message


def test_problem_reads_as_a_sentence() -> None:
    problem = Problem("registry/kkb.csv", 3, "village_code", "62.04.01.1099", "is unknown")
    assert str(problem) == (
        "registry/kkb.csv, row 3, column village_code: is unknown (value '62.04.01.1099')"
    )


def test_all_problems_are_reported_at_once(data_copy: Path) -> None:
    kkb = data_copy / "registry" / "kkb.csv"
    text = kkb.read_text(encoding="utf-8")
    kkb.write_text(
        text.replace("62.04.01.1003,", "62.04.01.1099,").replace(",Lehai,62.04.02,", ",Kalanis,62.04.02,"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(data_copy)
    assert {p.column for p in caught.value.problems} >= {"village_code", "village_name"}


def test_missing_table_is_named(data_copy: Path) -> None:
    """The KKB table is the one a registry must have; any other left out has no rows."""
    (data_copy / "registry" / "kkb.csv").unlink()
    with pytest.raises(InputError, match=r"registry/kkb.csv: file is missing"):
        load(data_copy)


def test_a_table_left_out_has_no_rows(data_copy: Path) -> None:
    (data_copy / "registry" / "posts.csv").unlink()
    registry = read_registry(data_copy)
    assert registry.posts == () and len(registry.kkb) == 15


def test_every_other_table_may_be_missing_or_empty(data_copy: Path) -> None:
    """Issue #16: only the kkb table is required; a table left out, or a header without rows,
    has no rows (here: no posts, and a header-only objectives table). The statements are left
    out with the posts: each names the post of who stated it."""
    (data_copy / "registry" / "posts.csv").unlink()
    (data_copy / "registry" / "statements.csv").unlink()
    objectives = data_copy / "registry" / "objectives.csv"
    objectives.write_text(objectives.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    registry = read_registry(data_copy)
    check_registry(registry)
    assert registry.posts == () and registry.objectives == () and len(registry.kkb) == 15


def test_a_registry_of_no_kkb_is_read(tmp_path: Path) -> None:
    """A new registry (``kkb-lod init``) has only the kkb table's header: nothing to refuse."""
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "kkb.csv").write_text(
        "village_code,village_name,district_code,district_name\n", encoding="utf-8"
    )
    registry = read_registry(tmp_path)
    check_registry(registry)
    assert (registry.kkb, registry.sources, registry.units, registry.kkb_years) == ((), (), (), ())


def test_reference_row_with_wrong_kind_is_refused(data_copy: Path) -> None:
    """A registry's own region list (here Barito Selatan's, written from the bundled one) is
    checked like every table."""
    units = data_copy / "regions" / "units.csv"
    units.parent.mkdir()
    units.write_text(
        units_csv(covered_units(["62.04"])).replace(
            "62.04.06.2020,Kalahien,village,62.04.06,desa",
            "62.04.06.2020,Kalahien,village,62.04.06,kelurahan",
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(data_copy)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [("regions/units.csv", 95, "kind")]


@pytest.mark.parametrize(
    ("scope", "refused"),
    [("62.04.01", False), ("62", False), ("62.04.01.2001", True), ("62.04.01.1003", True)],
)
def test_an_activity_must_cover_a_kkb(data_copy: Path, scope: str, refused: bool) -> None:
    """Its scope must be a region above at least one KKB village (a village itself is no scope)."""
    activities = data_copy / "registry" / "activities.csv"
    activities.write_text(
        activities.read_text(encoding="utf-8").replace(
            "6204-pembinaan-2022,62.04,", f"6204-pembinaan-2022,{scope},"
        ),
        encoding="utf-8",
    )
    problems = [(p.file, p.row, p.column) for p in find_problems(read_registry(data_copy))]
    assert problems == ([("registry/activities.csv", 3, "scope_code")] if refused else [])


@pytest.mark.parametrize("how", ["file", "folder"])
def test_a_document_linked_from_outside_is_refused_unread(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A symbolic link (to the file, or to a folder on its path) that leads outside the registry
    folder is refused without the file being opened, though it holds the very text quoted."""
    outside = tmp_path / "outside"
    outside.mkdir()
    text = data_copy / "sources" / "antara-buntok-kkb.txt"
    (outside / text.name).write_bytes(text.read_bytes())
    if how == "file":
        text.unlink()
        text.symlink_to(outside / text.name)
    else:
        shutil.rmtree(data_copy / "sources")
        (data_copy / "sources").symlink_to(outside)
    opened: list[Path] = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or read_bytes(self))
    with pytest.raises(InputError) as caught:
        read_registry(data_copy)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("registry/sources.csv", 2, "document")
    ]
    assert "leads outside the registry folder" in caught.value.problems[0].message
    assert not [p for p in opened if p.is_relative_to(outside)]


def test_a_link_inside_the_folder_is_followed(data_copy: Path) -> None:
    text = data_copy / "sources" / "antara-buntok-kkb.txt"
    text.rename(data_copy / "sources" / "kept.txt")
    text.symlink_to("kept.txt")
    assert "antara-buntok-kkb" in read_registry(data_copy).texts


def test_rows_are_spreadsheet_rows_in_every_message(data_copy: Path) -> None:
    """After a cell with quoted line breaks (a note may have them), a row is still numbered as a
    spreadsheet shows it: for a cell problem, a ragged row, a bad byte and bad CSV alike."""
    sources = data_copy / "registry" / "sources.csv"
    lines = sources.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("neither is recorded.", "neither\nis\nrecorded.")
    for last, row in (("x,y", "ragged"), ('x,"y', "csv")):
        sources.write_text("\n".join([*lines[:3], last, ""]), encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_registry(data_copy)
        assert [(p.file, p.row) for p in caught.value.problems] == [("registry/sources.csv", 4)], row
    sources.write_bytes("\n".join([*lines[:3], ""]).encode() + b"bad,\xe9\n")
    with pytest.raises(InputError) as caught:
        read_registry(data_copy)
    assert [(p.file, p.row) for p in caught.value.problems] == [("registry/sources.csv", 4)]


def test_a_control_character_in_a_column_name_is_not_printed_raw(data_copy: Path) -> None:
    posts = data_copy / "registry" / "posts.csv"
    posts.write_text(
        posts.read_text(encoding="utf-8").replace("holder_name", "holder\x1bname", 1), encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        read_registry(data_copy)
    assert "\x1b" not in str(caught.value) and "'holder\\x1bname'" in str(caught.value)


@given(
    notes=st.lists(
        st.lists(st.sampled_from(["a", "b c", "\n", "\r\n", '""', ","]), max_size=6).map("".join),
        min_size=1,
        max_size=12,
    ),
    data=st.data(),
)
def test_a_row_is_named_as_a_spreadsheet_shows_it(notes: list[str], data: st.DataObject) -> None:
    """Whatever line breaks, quotes and commas the notes hold, the bad id of row ``k`` (header
    = row 1) is reported on row ``k``."""
    bad = data.draw(st.integers(0, len(notes) - 1))
    lines = ["id,note"] + [
        f'{"Not A Slug" if i == bad else f"row-{i}"},"{note}"' for i, note in enumerate(notes)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _, problems = read_table(path, "t.csv", lambda **cells: cells, {"id": slug, "note": optional(text)})
    assert [(p.row, p.column) for p in problems] == [(bad + 2, "id")]


def test_a_document_too_big_is_refused_unread(data_copy: Path) -> None:
    text = data_copy / "sources" / "antara-buntok-kkb.txt"
    text.write_text(text.read_text(encoding="utf-8") + "x" * 10_000, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_registry(data_copy, Limits(file_bytes=10_000))
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("registry/sources.csv", 2, "document")
    ]
    assert "more than a source document may have (10,000)" in caught.value.problems[0].message


def test_a_removed_code_without_successor_is_looked_for_where_it_was() -> None:
    """A village code the editions drop without a successor: the similar names offered come
    first from the kecamatan it was in (12.19.04, still a unit), not from elsewhere."""
    said = not_a_code("12.19.04.2008", "is not a code")
    assert "it was 'Kuala Gunung' until the Kemendagri 2018 edition" in said
    assert said.split("similar: ", 1)[1].startswith("12.19.04.")


def test_optional_columns_are_those_an_empty_cell_suits() -> None:
    """The contract for readers of other formats (issue #16): a column of ``OPTIONAL_COLUMNS`` may
    be left out, and is then read as an empty cell, which its parser takes (giving its default);
    every other column of those tables refuses an empty cell or must be in the header."""
    from kkb_lod.ingest import OPTIONAL_COLUMNS, OPTIONAL_TABLES, TABLES, CellError

    tables = {**TABLES, **OPTIONAL_TABLES}
    assert set(OPTIONAL_COLUMNS) == {"kkb", "kkb_years"}
    for table, columns in OPTIONAL_COLUMNS.items():
        parsers = tables[table][2]
        assert columns < set(parsers), table
        for column in columns:
            parsers[column]("")  # raises CellError if an empty cell were refused
        for column in set(parsers) - columns - {"village_code", "district_code"}:
            with pytest.raises(CellError):
                parsers[column]("")
    assert TABLES["kkb"][2]["programme"]("") == "kampung-keluarga-berkualitas"
    assert TABLES["kkb"][2]["status"]("") == "designated"
    assert TABLES["kkb"][2]["source"]("") is None


def test_a_kkb_table_of_the_four_place_columns_is_read(tmp_path: Path) -> None:
    """Every column but the village's and the kecamatan's may be left out of kkb.csv."""
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "kkb.csv").write_text(
        "district_name,village_name,village_code,district_code\n"
        "Dusun Selatan,Kalahien,62.04.06.2020,62.04.06\n",
        encoding="utf-8",
    )
    registry = read_registry(tmp_path)
    check_registry(registry)
    (row,) = registry.kkb
    assert (row.programme, row.status, row.source, row.source_excerpt, row.registry_id, row.sheet) == (
        "kampung-keluarga-berkualitas",
        "designated",
        None,
        (),
        None,
        None,
    )


def test_dates_and_years_are_bounded_by_today() -> None:
    """``today`` bounds every date and year of the registry entry: the synthetic registry of the
    registry-entry case, checked as of 1 March 2021, gives dates and years that were still to come."""
    import datetime as dt

    case = Path(__file__).parent / "cases" / "mapping" / "registry-entry" / "data"
    registry = read_registry(case)
    check_registry(registry, today=dt.date(2023, 12, 31))  # sound as of its last year
    found = {(p.file, p.row, p.column) for p in find_problems(registry, today=dt.date(2021, 3, 1))}
    assert found == {
        ("registry/kkb.csv", 2, "inauguration_date"),
        ("registry/kkb.csv", 3, "pokja_decree_date"),
        ("registry/kkb_years.csv", 2, "year"),
        ("registry/kkb_years.csv", 3, "year"),
        ("registry/kkb_years.csv", 4, "year"),
    }
