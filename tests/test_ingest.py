"""Bad input is refused with file, row and column — every case of the corpus, exactly.

Each folder of ``tests/cases/bad-input/`` overlays files on a copy of the bundled registry and lists
in ``expected.txt`` the problems (file | row | column) that must be reported, no more, no fewer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kkb_lod.checks import check_registry
from kkb_lod.ingest import InputError, Problem, read_registry

CASES = Path(__file__).parent / "cases" / "bad-input"


def collect_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "expected.txt").is_file())


def expected_problems(case: Path) -> set[tuple[str, int | None, str | None]]:
    wanted = set()
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        file, row, column = (part.strip() for part in line.split("|"))
        wanted.add((file, int(row) if row else None, column or None))
    return wanted


def load(folder: Path) -> None:
    check_registry(read_registry(folder))


def test_the_corpus_is_all_there() -> None:
    assert len(collect_cases()) >= 18


def test_bundled_registry_is_clean() -> None:
    registry = read_registry(Path(__file__).parents[1] / "data")
    check_registry(registry)
    assert len(registry.kkb) == 15


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_bad_input_is_refused_with_its_location(case: Path, data_copy: Path) -> None:
    for overlay in case.rglob("*"):
        if overlay.is_file() and overlay.name != "expected.txt":
            shutil.copyfile(overlay, data_copy / overlay.relative_to(case))
    with pytest.raises(InputError) as caught:
        load(data_copy)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert found == expected_problems(case), "\n".join(map(str, caught.value.problems))
    for problem in caught.value.problems:
        assert problem.file in str(problem) and problem.message


def test_problem_reads_as_a_sentence() -> None:
    problem = Problem("registry/kkb.csv", 3, "village_code", "62.04.01.1099", "is unknown")
    assert str(problem) == ("registry/kkb.csv, row 3, column village_code: is unknown "
                            "(value '62.04.01.1099')")


def test_all_problems_are_reported_at_once(data_copy: Path) -> None:
    kkb = data_copy / "registry" / "kkb.csv"
    text = kkb.read_text(encoding="utf-8")
    kkb.write_text(text.replace("62.04.01.1003,", "62.04.01.1099,").replace(
        ",Lehai,62.04.02,", ",Kalanis,62.04.02,"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(data_copy)
    assert {p.column for p in caught.value.problems} >= {"village_code", "village_name"}


def test_missing_table_is_named(data_copy: Path) -> None:
    (data_copy / "registry" / "posts.csv").unlink()
    with pytest.raises(InputError, match=r"registry/posts.csv: file is missing"):
        load(data_copy)


def test_reference_row_with_wrong_kind_is_refused(data_copy: Path) -> None:
    units = data_copy / "regions" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace(
        "62.04.06.2020,Kalahien,village,62.04.06,desa", "62.04.06.2020,Kalahien,village,62.04.06,"
        "kelurahan"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(data_copy)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("regions/units.csv", 95, "kind")]
