"""Every spreadsheet trap is refused with file, sheet, row and column header, exactly.

Each folder of ``tests/cases/sheets/`` is one case of a trap (:data:`kkb_lod.sheets.TRAPS`; the
folder is named after it, ``formula`` or ``formula-ods``): its ``make.py`` turns a copy of the
bundled registry into workbooks at test time (no binary is committed), and ``expected.txt`` lists
the problems (file | sheet | row | column | a piece of text of the message) that must be reported,
no more, no fewer.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkb_lod.checks import check_registry
from kkb_lod.cli import EXIT_INPUT, cli
from kkb_lod.ingest import InputError, read_registry
from kkb_lod.sheets import TRAPS

CASES = Path(__file__).parent / "cases" / "sheets"
Expected = tuple[str, str | None, int | None, str | None]


def collect_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "expected.txt").is_file())


def expected_lines(case: Path) -> list[tuple[Expected, str]]:
    wanted = []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        file, sheet, row, column, text = (part.strip() for part in line.split("|", 4))
        wanted.append(((file, sheet or None, int(row) if row else None, column or None), text))
    return wanted


def make(case: Path, folder: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"sheet_case_{case.name}", case / "make.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make(folder)


def test_every_trap_has_its_case() -> None:
    """The corpus cannot shrink silently: a case per trap, at least as many cases as traps."""
    names = [case.name for case in collect_cases()]
    assert len(names) >= len(TRAPS) >= 19
    missing = [trap for trap in TRAPS if not any(n == trap or n.startswith(f"{trap}-") for n in names)]
    assert not missing
    assert all(any(n == trap or n.startswith(f"{trap}-") for trap in TRAPS) for n in names)


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_a_trap_is_refused_with_its_place(case: Path, data_copy: Path) -> None:
    make(case, data_copy)
    with pytest.raises(InputError) as caught:
        check_registry(read_registry(data_copy))
    problems = caught.value.problems
    said = "\n".join(map(str, problems))
    assert {(p.file, p.sheet, p.row, p.column) for p in problems} == {
        where for where, _ in expected_lines(case)
    }, said
    for where, text in expected_lines(case):
        assert all(text in p.message for p in problems if (p.file, p.sheet, p.row, p.column) == where), said


@pytest.mark.parametrize("case", collect_cases()[::4], ids=lambda p: p.name)
def test_the_command_names_file_sheet_row_and_column(case: Path, data_copy: Path, tmp_path: Path) -> None:
    make(case, data_copy)
    result = CliRunner().invoke(cli, ["build", "--data", str(data_copy), "--out", str(tmp_path / "b")])
    assert result.exit_code == EXIT_INPUT and "Traceback" not in result.output, result.output
    for (file, sheet, row, column), text in expected_lines(case):
        where = ", ".join(
            [
                file,
                *([f'sheet "{sheet}"'] if sheet else []),
                *([f"row {row}"] if row else []),
                *([f"column {column}"] if column else []),
            ]
        )
        assert re.search(rf"^error: {re.escape(where)}: .*{re.escape(text)}", result.output, re.MULTILINE), (
            where,
            text,
            result.output,
        )


#: The cases whose messages data/README.md shows, verbatim.
DOCUMENTED = (
    "code-as-number",
    "date-serial",
    "date-text",
    "formula",
    "merged-cells",
    "hidden-row",
    "title-row",
)


def test_the_messages_shown_in_the_docs_are_the_ones_given(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- sheet-messages", 1)[1].split("```\n", 1)[1].split("\n```", 1)[0]
    given = []
    for name in DOCUMENTED:
        folder = tmp_path / name / "data"
        shutil.copytree(Path(__file__).parents[1] / "data", folder)
        make(CASES / name, folder)
        with pytest.raises(InputError) as caught:
            check_registry(read_registry(folder))
        given += [str(problem) for problem in caught.value.problems]
    assert shown.splitlines() == given
