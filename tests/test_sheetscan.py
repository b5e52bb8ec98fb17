"""The streaming scan of a workbook's XML (kkb_lod.sheetscan) finds every formula, error cell,
hidden row and column at its cell, wherever the chunks it reads the XML in happen to be cut."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kkb_lod import sheetscan
from kkb_lod.sheetscan import column_index, column_letters, scan

from .conftest import examples
from .workbooks import Error, Formula, write_ods, write_xlsx


@given(st.integers(0, 16_383))
def test_column_letters_and_index_agree(index: int) -> None:
    assert column_index(column_letters(index)) == index
    assert column_letters(0) == "A" and column_letters(25) == "Z" and column_letters(26) == "AA"


CELLS = st.tuples(st.integers(2, 40), st.integers(0, 5))


@settings(max_examples=examples(40), deadline=None)
@given(
    formulas=st.sets(CELLS, max_size=6),
    errors=st.sets(CELLS, max_size=3),
    hidden=st.sets(st.integers(2, 40), max_size=4),
    chunk=st.integers(1, 700),
    kind=st.sampled_from(["xlsx", "ods"]),
)
def test_every_mark_is_found_whatever_the_chunks(
    formulas: set[tuple[int, int]], errors: set[tuple[int, int]], hidden: set[int], chunk: int, kind: str
) -> None:
    errors -= formulas
    if kind == "ods":
        errors = set()  # an .ods has no error cells of its own: a formula's result it is
    rows: list[list[object]] = [[f"h{c}" for c in range(6)]]
    rows += [[f"r{r}c{c} & <text>" for c in range(6)] for r in range(2, 41)]
    for r, c in formulas:
        rows[r - 1][c] = Formula(f'"x"&"{r}-{c}"')
    for r, c in errors:
        rows[r - 1][c] = Error("#N/A")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t.{kind}"
        (write_xlsx if kind == "xlsx" else write_ods)(
            path, {"S": rows, "T": rows[:3]}, hidden_rows=sorted(hidden)
        )
        original = sheetscan.CHUNK
        sheetscan.CHUNK = chunk
        try:
            marks = scan(str(path), "S")
        finally:
            sheetscan.CHUNK = original
    assert marks.formulas == {(r, c): f'="x"&"{r}-{c}"' for r, c in formulas}
    assert marks.errors.keys() == errors and not marks.unplaced
    assert {row for run in marks.hidden for row in run} == hidden


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_another_sheets_marks_are_not_this_ones(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"t.{kind}"
    (write_xlsx if kind == "xlsx" else write_ods)(path, {"S": [["a"], ["b"]], "T": [["a"], [Formula("1")]]})
    assert not scan(str(path), "S").formulas and scan(str(path), "T").formulas == {(2, 0): "=1"}


def test_a_formula_in_a_cell_without_reference_is_still_refused(tmp_path: Path) -> None:
    """Cells may leave out their reference (``r``); a formula there is refused without one."""
    import zipfile

    from kkb_lod.ingest import read_table, text

    path = write_xlsx(tmp_path / "t.xlsx", {"S": [["name"], [Formula("1+1")]]})
    unnumbered = tmp_path / "u.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(unnumbered, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b' r="A2"', b"")
            target.writestr(member, data)
    assert scan(str(unnumbered), "S").unplaced == ["the formula =1+1"]
    _, [problem] = read_table(unnumbered, "u.xlsx", lambda **c: c, {"name": text}, sheet="S")
    assert (
        problem.row is None
        and "holds the formula =1+1 in cells or rows the file gives no position" in problem.message
    )
