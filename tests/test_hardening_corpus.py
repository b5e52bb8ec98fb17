"""Every case of the bad-input corpus, run through a whole build: refused before anything is
built, and the release being served is left exactly as it was (nothing half-built is published).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kkb_lod.config import Settings
from kkb_lod.ingest import InputError
from kkb_lod.pipeline import BuildResult, build, current_release

from .conftest import BASE
from .test_ingest import apply_case, collect_cases, expected_problems


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
    assert current_release(served) == before
    assert sorted(p.name for p in (served / "releases").iterdir()) == releases
    assert (before / "dumps" / "kkb.nt").read_bytes() == dump
    assert not (served / "failed").exists() or not any((served / "failed").iterdir())
