"""Harvested as a CKAN portal harvests: the real ``ckan`` 2.11.6 and ``ckanext-dcat`` 2.4.4 (in
their own environment, ``.venv-ckan``, made by ``.ci/run`` from ``tests/ckan/requirements.txt``)
parse every RDF format of ``/catalog`` from a real ``kkb-lod serve`` process on loopback, with
the stock licence register and default settings (``tests/ckan/harvest.py``). The harvested
dataset is complete, serialises again with ckanext-dcat's DCAT-AP 3 serializer, stays the same
on a second harvest and is updated, not duplicated, by a new release."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from kkb_lod.config import Settings
from kkb_lod.pipeline import build

from .conftest import BASE, DATA, PUBLISHER, ROOT
from .server import serve_process

CKAN_PYTHON = ROOT / ".venv-ckan" / "bin" / "python"
HARVEST = ROOT / "tests" / "ckan" / "harvest.py"
FORMATS = ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples")
PROFILES = ("euro_dcat_ap_3", "euro_dcat_ap_2")


def harvest(url: str, locale: str = "en", profile: str = "euro_dcat_ap_3") -> dict[str, Any]:
    """What ckanext-dcat makes of ``url`` (a /catalog): the stock licence ids and, per format,
    the datasets, the next page and each dataset serialised again."""
    if not CKAN_PYTHON.is_file():
        pytest.fail(
            f"the CKAN environment is missing ({CKAN_PYTHON}): run `bash .ci/run`, or "
            "python3.11 -m venv .venv-ckan && .venv-ckan/bin/python -m pip install "
            "--no-deps -r tests/ckan/requirements.txt"
        )
    done = subprocess.run(
        [str(CKAN_PYTHON), str(HARVEST), url, locale, profile],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def value(dataset: dict[str, Any], key: str) -> Any:
    """A field of a harvested dataset, at its root or among its extras (as profiles differ)."""
    if key in dataset:
        return dataset[key]
    return next((e["value"] for e in dataset.get("extras", []) if e["key"] == key), None)


def canonical(value: Any) -> Any:
    """A harvested dataset with its lists (and JSON-encoded lists) in one order, since the
    parser follows the graph's unordered statements."""
    if isinstance(value, str) and value.startswith("["):
        try:
            return canonical(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of its own with a copy of the bundled registry, built once."""
    root = tmp_path_factory.mktemp("ckan")
    shutil.copytree(DATA, root / "data")
    build(Settings(data_dir=root / "data", build_dir=root / "build", base_iri=BASE))
    return root


@pytest.fixture(scope="module")
def served(registry: Path) -> Iterator[str]:
    with serve_process(
        "--build", str(registry / "build"), env={"KKB_PUBLISHER": PUBLISHER, "KKB_WORKERS": "1"}
    ) as url:
        yield url + "/catalog"


@pytest.fixture(scope="module")
def manifest(registry: Path, served: str) -> dict[str, Any]:
    return json.loads((registry / "build" / "current" / "manifest.json").read_text())


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("locale", "title", "notes"),
    [
        (
            "en",
            "Quality Family Village (KKB) registry of Barito Selatan Regency",
            "15 Quality Family Villages in 6 districts",
        ),
        (
            "id",
            "Registri Kampung Keluarga Berkualitas Kabupaten Barito Selatan",
            "15 Kampung Keluarga Berkualitas di 6 kecamatan",
        ),
    ],
)
def test_every_format_harvests_a_complete_dataset(
    served: str, manifest: dict[str, Any], profile: str, locale: str, title: str, notes: str
) -> None:
    harvested = harvest(served, locale, profile)
    assert set(harvested["formats"]) == set(FORMATS)
    changes = manifest.get("changes") or {}  # the change set's files, once builds write them
    dumps = {d["name"]: d for d in [*manifest["dumps"], *changes.get("files", [])]}
    for media_type, found in harvested["formats"].items():
        [dataset] = found["datasets"]
        assert (dataset["title"], dataset["notes"][: len(notes)]) == (title, notes), media_type
        assert dataset["license_id"] == "cc-by" and "cc-by" in harvested["licences"]
        assert value(dataset, "uri") == value(dataset, "identifier") == BASE + "catalog#dataset"
        assert value(dataset, "publisher_uri") == f"{BASE}id/org/{PUBLISHER}"
        assert value(dataset, "publisher_name").startswith("Dinas Pengendalian Penduduk")
        assert value(dataset, "contact_name") and value(dataset, "contact_url")
        assert value(dataset, "spatial_uri") == BASE + "id/regency/62.04"
        assert (value(dataset, "temporal_start"), value(dataset, "temporal_end")) == ("2021", "2022")
        first = manifest.get("first_issued") or manifest["created"]  # older manifests: created
        assert str(value(dataset, "issued")).startswith(first[:19])
        assert str(value(dataset, "modified")).startswith(manifest["created"][:19])
        resources = {r["uri"]: r for r in dataset["resources"]}
        assert set(resources) == {f"{BASE}catalog#dump-{n}" for n in dumps} | {BASE + "catalog#sparql"}
        for name, dump in dumps.items():
            resource = resources[f"{BASE}catalog#dump-{name}"]
            assert (
                resource["url"]
                == resource["download_url"]
                == (f"{served[: -len('catalog')]}dumps/{manifest['id']}/{name}")
            )
            assert resource["format"] in ("Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD")
            assert "/" in resource["mimetype"] and "://" not in resource["mimetype"]
            size = dump.get("size", dump.get("bytes"))
            assert (int(resource["size"]), resource["hash"]) == (size, dump["sha256"])
        assert resources[BASE + "catalog#sparql"]["format"] == "SPARQL"
        assert found["next_page"] is None  # one page
        [turtle] = found["serialised"]  # ckanext-dcat's euro_dcat_ap_3 serializer wrote it
        assert len(Graph().parse(data=turtle, format="turtle")) > 50


def test_second_harvest_of_a_release_is_the_same_dataset(served: str) -> None:
    first, second = harvest(served), harvest(served)
    datasets = [canonical(h["formats"][f]["datasets"]) for h in (first, second) for f in FORMATS]
    assert all(d == datasets[0] for d in datasets)  # and alike in every format


def test_new_release_updates_the_same_dataset(registry: Path, served: str) -> None:
    before = harvest(served)["formats"]["text/turtle"]["datasets"][0]
    organisations = registry / "data" / "registry" / "organisations.csv"
    text = organisations.read_text(encoding="utf-8")
    assert "ANTARA news agency" in text
    organisations.write_text(
        text.replace("ANTARA news agency", "ANTARA (news agency)"), encoding="utf-8"
    )  # the registry changed
    rebuilt = build(Settings(data_dir=registry / "data", build_dir=registry / "build", base_iri=BASE))
    with serve_process(
        "--build", str(registry / "build"), env={"KKB_PUBLISHER": PUBLISHER, "KKB_WORKERS": "1"}
    ) as url:
        after = harvest(url + "/catalog")["formats"]["text/turtle"]["datasets"][0]
    assert value(after, "uri") == value(before, "uri") == BASE + "catalog#dataset"
    assert value(after, "identifier") == value(before, "identifier")
    assert after["title"] == before["title"]
    assert value(after, "modified") != value(before, "modified")
    assert value(after, "issued") == value(before, "issued")  # the first release's
    assert (value(before, "version"), value(after, "version")) == ("1", "2")
    assert rebuilt.release.name in json.dumps(value(after, "has_version"))
    notes = value(after, "version_notes")
    assert notes.startswith("Against release ") and " statements added, " in notes, notes
    resources = {r["uri"].rsplit("-", 1)[-1] for r in after["resources"]}
    assert {"added.nq.gz", "removed.nq.gz"} <= resources  # the change set, downloadable
