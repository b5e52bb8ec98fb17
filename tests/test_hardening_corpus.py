"""Every case of the bad-input corpus, run through a whole build: refused before anything is
built, and the release being served is left exactly as it was (nothing half-built is published);
run through the command, it exits 2 with one line per problem naming file, row and column, and
never a traceback.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkb_lod.cli import EXIT_INPUT, cli
from kkb_lod.config import Settings
from kkb_lod.ingest import InputError
from kkb_lod.pipeline import BuildResult, build
from kkb_lod.releases import current_release

from .conftest import BASE
from .test_ingest import apply_case, assert_messages, collect_cases, expected_lines, expected_problems


@pytest.fixture(scope="module")
def served(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the session build folder (its ``current`` link included)."""
    out = tmp_path_factory.mktemp("served") / "build"
    shutil.copytree(built.release.parents[1], out, symlinks=True)
    return out


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_a_bad_registry_publishes_nothing(case: Path, served: Path, data_copy: Path) -> None:
    before = current_release(served)
    releases = sorted(p.name for p in (served / "releases").iterdir())
    dump = (before / "dumps" / "kkb.nt").read_bytes()
    apply_case(case, data_copy)
    with pytest.raises(InputError) as caught:
        build(Settings(data_dir=data_copy, build_dir=served, base_iri=BASE))
    assert {(p.file, p.row, p.column) for p in caught.value.problems} == expected_problems(case)
    assert_messages(case, caught.value.problems)
    assert current_release(served) == before
    assert sorted(p.name for p in (served / "releases").iterdir()) == releases
    assert (before / "dumps" / "kkb.nt").read_bytes() == dump
    assert not (served / "failed").exists() or not any((served / "failed").iterdir())


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_the_command_names_each_problem(case: Path, data_copy: Path, tmp_path: Path) -> None:
    apply_case(case, data_copy)
    result = CliRunner().invoke(cli, ["build", "--data", str(data_copy), "--out", str(tmp_path / "build")])
    assert result.exit_code == EXIT_INPUT and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", result.output), "raw control character"
    for file, row, column, text in expected_lines(case):
        where = ", ".join([file, *([f"row {row}"] if row else []), *([f"column {column}"] if column else [])])
        assert re.search(rf"^error: {re.escape(where)}: .*{re.escape(text)}", result.output, re.MULTILINE), (
            where,
            text,
            result.output,
        )
    assert not (tmp_path / "build" / "current").exists()
