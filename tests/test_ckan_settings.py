"""The settings a harvested catalog depends on: ``publisher`` (chosen among the registry's
organisations, written by ``kkb-lod init``) and ``public_url`` (the links' address)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkb_lod.config import Settings, SettingsError, choose_publisher, load_settings
from kkb_lod.scaffold import init_registry

ORGS = {"dinas": "Dinas X", "pemkab": "Pemerintah Kabupaten X"}


def test_the_publisher_setting_names_an_organisation() -> None:
    assert choose_publisher("pemkab", ORGS) == "pemkab"
    with pytest.raises(SettingsError, match="'nobody' is not an organisation.*dinas, pemkab"):
        choose_publisher("nobody", ORGS)


def test_unset_the_one_organisation_publishes_and_several_are_refused() -> None:
    assert choose_publisher("", {"dinas": "Dinas X"}) == "dinas"
    assert choose_publisher("", {}) == ""  # nobody to name: the catalog names kkb-lod
    with pytest.raises(SettingsError, match="several organisations.*: dinas, pemkab"):
        choose_publisher("", ORGS)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("publisher", "Dinas X"),
        ("publisher", "../x"),
        ("public_url", "data.example.go.id/kkb/"),
        ("public_url", "https://data.example.go.id/kkb"),
        ("public_url", "ftp://x.test/"),
        ("public_url", "https://x.test/?a=1/"),
    ],
)
def test_malformed_values_are_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name} \\(KKB_{name.upper()}\\)"):
        load_settings(environ={f"KKB_{name.upper()}": value})


def test_public_url_and_publisher_from_the_environment() -> None:
    settings = load_settings(
        environ={
            "KKB_PUBLIC_URL": "https://data.example.go.id/kkb/",
            "KKB_PUBLISHER": "dppkbp3a-barito-selatan",
        }
    )
    assert (settings.public_url, settings.publisher) == (
        "https://data.example.go.id/kkb/",
        "dppkbp3a-barito-selatan",
    )
    assert Settings().public_url == Settings().publisher == ""


def test_init_writes_the_publisher_setting(tmp_path: Path) -> None:
    init_registry(tmp_path / "reg", "62.04")
    settings_file = tmp_path / "reg" / "kkb-lod.toml"
    text = settings_file.read_text(encoding="utf-8")
    assert 'publisher = ""' in text and "organisations" in text
    edited = text.replace('publisher = ""', 'publisher = "dinas-kb"')
    settings_file.write_text(edited, encoding="utf-8")
    assert load_settings(environ={}, config=settings_file).publisher == "dinas-kb"
