"""Fixture chain: settings → build (once per session, from data/) → store → app → client.

Web tests get a real embedded store of the real bundled data; tests that need a broken registry
copy ``data/`` into ``tmp_path`` and edit the copy.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings

from kkb_lod.config import Settings
from kkb_lod.pipeline import BuildResult, Dump, build  # noqa: E402
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BASE = "https://w3id.org/kkb/"
#: The organisation publishing the bundled registry (it has several: the setting must name one).
PUBLISHER = "dppkbp3a-barito-selatan"
# and servers started as processes (tests/server.py) inherit it
os.environ.setdefault("KKB_PUBLISHER", PUBLISHER)

# A few examples per property test, for mutation runs (docs/mutation.md), where each mutant runs
# the tests again: selected with KKB_HYPOTHESIS_PROFILE=mutation. Unset, tests run their own count.
hypothesis_settings.register_profile("mutation", max_examples=25)
hypothesis_settings.load_profile(os.environ.get("KKB_HYPOTHESIS_PROFILE", "default"))


def examples(full: int) -> int:
    """``full``, or the selected profile's count when a profile is selected."""
    if hypothesis_settings.get_current_profile_name() == "default":
        return full
    return hypothesis_settings.default.max_examples


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the bundled registry, shared by the session (read-only for tests)."""
    out = tmp_path_factory.mktemp("build")
    if os.environ.get("KKB_TEST_BUILD"):
        return copied_build(Path(os.environ["KKB_TEST_BUILD"]), out)
    return build(Settings(data_dir=DATA, build_dir=out, base_iri=BASE))


#: Where :func:`save_build` writes what ``build`` returned, beside the build folder it made.
BUILD_RESULT = "build-result.json"


def save_build(folder: Path) -> None:
    """Build the bundled registry into ``folder`` once, for runs that set ``KKB_TEST_BUILD`` to it:
    mutation runs of modules the build does not use, where each mutant would build again
    (docs/mutation.md). ``python -c 'from tests.conftest import save_build as s; s(PATH)'``."""
    result = build(Settings(data_dir=DATA, build_dir=folder, base_iri=BASE))
    saved = dataclasses.asdict(result) | {"release": result.release.name}
    (folder / BUILD_RESULT).write_text(json.dumps(saved), encoding="utf-8")


def copied_build(saved: Path, out: Path) -> BuildResult:
    """A copy in ``out`` of the build :func:`save_build` made in ``saved``, and its result."""
    shutil.copytree(saved, out, symlinks=True, dirs_exist_ok=True)
    fields = json.loads((out / BUILD_RESULT).read_text(encoding="utf-8"))
    fields["release"] = out / "releases" / fields["release"]
    fields["dumps"] = [Dump(**dump) for dump in fields["dumps"]]
    return BuildResult(**fields)


@pytest.fixture(scope="session")
def settings(built: BuildResult) -> Settings:
    return Settings(data_dir=DATA, build_dir=built.release.parents[1], base_iri=BASE, publisher=PUBLISHER)


@pytest.fixture(scope="session")
def store(built: BuildResult) -> OxigraphStore:
    """The session build, loaded in memory as the server does by default."""
    return OxigraphStore.from_release(built.release, "memory")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled registry folder, to break on purpose."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


@pytest.fixture(scope="session")
def release(built: BuildResult) -> dict:
    """The session build's manifest, as the server reads it (with the release's path)."""
    manifest = json.loads((built.release / "manifest.json").read_text(encoding="utf-8"))
    manifest["path"] = str(built.release)
    return manifest


@pytest.fixture(scope="session")
def app(settings: Settings, store: OxigraphStore, release: dict) -> Flask:
    """The app over the session build, in memory, as ``kkb-lod serve`` would open it."""
    return create_app(settings, store, release)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
