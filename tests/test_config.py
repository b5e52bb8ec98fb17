"""Settings: declared once, layered defaults → file → environment → options, failing fast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kkb_lod.cli import cli
from kkb_lod.config import DEFAULT_BASE_IRI, Settings, SettingsError, describe, for_release, load_settings
from kkb_lod.reference import units_by_code
from kkb_lod.releases import current_release, read_manifest
from kkb_lod.web import create_app

from .conftest import DATA


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no kkb-lod.toml here (the repository's own names a publisher)
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.base_iri == "https://w3id.org/kkb/"


def test_layers_in_order(tmp_path: Path) -> None:
    config = tmp_path / "kkb.toml"
    config.write_text('port = 7000\nbase_iri = "http://file.test/"\nstore = "disk"\n')
    environ = {"KKB_CONFIG": str(config), "KKB_PORT": "7100"}
    settings = load_settings({"base_iri": "http://option.test/"}, environ=environ)
    assert (settings.port, settings.base_iri, settings.store) == (7100, "http://option.test/", "disk")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"KKB_PORT": "many"}, "KKB_PORT"),
        ({"KKB_PORT": "70000"}, "KKB_PORT"),
        ({"KKB_BASE_IRI": "https://no-slash.test"}, "KKB_BASE_IRI"),
        ({"KKB_STORE": "cloud"}, "KKB_STORE"),
        ({"KKB_VALIDATION_STORE": "cloud"}, "KKB_VALIDATION_STORE"),
        ({"KKB_BUILD_STORE": "memory"}, "KKB_BUILD_STORE"),
        ({"KKB_QUERY_TIMEOUT": "-1"}, "query_timeout"),
        ({"KKB_CONFIG": "/nonexistent/kkb.toml"}, "KKB_CONFIG"),
    ],
)
def test_bad_values_name_the_setting(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ=environ)


def test_unknown_setting_in_file(tmp_path: Path) -> None:
    config = tmp_path / "kkb.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load_settings(environ={"KKB_CONFIG": str(config)})


def test_every_setting_has_help() -> None:
    rows = describe()
    assert len(rows) >= 10
    for name, env, _default, help_text in rows:
        assert env == "KKB_" + name.upper() and len(help_text) > 15


@pytest.mark.parametrize(
    ("area", "codes"),
    [
        ("", ()),
        ("62.04", ("62.04",)),
        (" 62.04 , 63 ,62.04", ("62.04", "63")),
        ("all", ("all",)),
    ],
)
def test_area_codes(area: str, codes: tuple[str, ...]) -> None:
    assert load_settings(environ={"KKB_AREA": area}).area_codes == codes


@pytest.mark.parametrize(
    ("area", "said"),
    [
        ("62.99", "'62.99' is not a province or regency/city code"),
        (
            "62.04.06",
            "62.04.06 ({62.04.06}) is a kecamatan; an area is a whole regency/city or "
            "province: give its regency/city 62.04 ({62.04})",
        ),
        ("62.04.06.2020", "62.04.06.2020 ({62.04.06.2020}) is a desa/kelurahan"),
        ("all, 62", "'all' is the whole country; give it alone"),
    ],
)
def test_a_bad_area_is_named(area: str, said: str) -> None:
    with pytest.raises(SettingsError, match="KKB_AREA") as caught:
        load_settings(environ={"KKB_AREA": area})
    names = {code: unit.name for code, unit in units_by_code().items()}
    assert re.sub(r"\{([0-9.]+)\}", lambda m: names[m[1]], said) in str(caught.value)


def test_an_area_written_as_a_number_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "kkb-lod.toml"
    config.write_text("area = 62.10\n")  # TOML reads 62.1: the trailing zero is lost
    with pytest.raises(SettingsError, match='write the codes as text in quotes, e.g. area = "62.04"'):
        load_settings(environ={"KKB_CONFIG": str(config)})


def test_the_settings_file_is_found_and_its_paths_are_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reg"
    folder.mkdir()
    (folder / "kkb-lod.toml").write_text('data_dir = "."\nbuild_dir = "out"\nport = 7001\n')
    other = tmp_path / "other.toml"
    other.write_text(f'port = 7002\nbuild_dir = "{tmp_path / "abs"}"\n')
    monkeypatch.chdir(folder)  # ./kkb-lod.toml, when nothing else is named
    found = load_settings(environ={})
    assert (found.port, found.data_dir.resolve(), found.build_dir.resolve()) == (
        7001,
        folder.resolve(),
        (folder / "out").resolve(),
    )
    assert load_settings(environ={"KKB_CONFIG": str(other)}).port == 7002  # KKB_CONFIG wins
    chosen = load_settings(environ={"KKB_CONFIG": str(other)}, config=folder / "kkb-lod.toml")
    assert chosen.port == 7001  # and --config over it
    assert load_settings(environ={"KKB_CONFIG": str(other)}).build_dir == tmp_path / "abs"
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}) == Settings()  # no file here: the defaults


def test_settings_follow_the_base_the_release_was_built_with() -> None:
    """Left at the default, the base becomes the release's; set on purpose to another, refused
    naming both; a manifest from before the base was recorded changes nothing."""
    built = {"id": "R", "base_iri": "http://example.test/kkb/"}
    assert for_release(Settings(), built).base_iri == "http://example.test/kkb/"
    same = Settings(base_iri="http://example.test/kkb/")
    assert for_release(same, built) is same
    with pytest.raises(
        SettingsError,
        match=r"is http://other\.test/, but the release R was built "
        r"with base_iri http://example\.test/kkb/",
    ):
        for_release(Settings(base_iri="http://other.test/"), built)
    assert for_release(Settings(), {"id": "old"}).base_iri == DEFAULT_BASE_IRI


def test_a_release_built_under_a_base_is_served_under_it(tmp_path: Path) -> None:
    """A real ``kkb-lod build --base-iri`` and an app opened on it without the setting: the
    pages answer (they were 404 under the default base), the data says the release's base; the
    app is refused when told another base."""
    base = "http://data.example.test/kkb/"
    done = CliRunner().invoke(
        cli,
        ["build", "--data", str(DATA), "--out", str(tmp_path), "--base-iri", base],
        catch_exceptions=False,
    )
    assert done.exit_code == 0, done.output
    assert read_manifest(current_release(tmp_path))["base_iri"] == base
    app = create_app(Settings(build_dir=tmp_path))
    assert app.extensions["kkb"].settings.base_iri == base
    page = app.test_client().get("/id/village/62.04.06.2020", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    served = Graph().parse(data=page.get_data(as_text=True), format="turtle")
    assert (URIRef(base + "id/village/62.04.06.2020"), None, None) in served
    with pytest.raises(SettingsError, match=f"built with base_iri {base}"):
        create_app(Settings(build_dir=tmp_path, base_iri="http://elsewhere.test/"))
