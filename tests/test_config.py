"""Settings: declared once, layered defaults → file → environment → options, failing fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkb_lod.config import Settings, SettingsError, describe, load_settings


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.base_iri == "https://w3id.org/kkb/"


def test_layers_in_order(tmp_path: Path) -> None:
    config = tmp_path / "kkb.toml"
    config.write_text('port = 7000\nbase_iri = "http://file.test/"\nstore = "disk"\n')
    environ = {"KKB_CONFIG": str(config), "KKB_PORT": "7100"}
    settings = load_settings({"base_iri": "http://option.test/"}, environ=environ)
    assert (settings.port, settings.base_iri, settings.store) == (7100, "http://option.test/", "disk")


@pytest.mark.parametrize(("environ", "named"), [
    ({"KKB_PORT": "many"}, "KKB_PORT"),
    ({"KKB_PORT": "70000"}, "KKB_PORT"),
    ({"KKB_BASE_IRI": "https://no-slash.test"}, "KKB_BASE_IRI"),
    ({"KKB_STORE": "cloud"}, "KKB_STORE"),
    ({"KKB_VALIDATION_STORE": "cloud"}, "KKB_VALIDATION_STORE"),
    ({"KKB_BUILD_STORE": "memory"}, "KKB_BUILD_STORE"),
    ({"KKB_QUERY_TIMEOUT": "-1"}, "query_timeout"),
    ({"KKB_CONFIG": "/nonexistent/kkb.toml"}, "KKB_CONFIG"),
])
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
