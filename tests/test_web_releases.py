"""``/changes``, ``/releases/<id>`` and the change set files under ``/dumps``: over a first
release (the session build), an unchanged rebuild and a changed registry, and once through a
real ``kkb-lod serve``."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kkb_lod import changes
from kkb_lod.config import Settings
from kkb_lod.pipeline import build
from kkb_lod.releases import read_manifest
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web.releases import ADMS, DCAT, SPDX

from .conftest import BASE, DATA
from .html_tree import parse, table_rows
from .server import serve_process
from .test_changes import CHANGED_ACTIVITY, DROPPED_KKB, changed_registry

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder with three releases: the bundled registry, again, then a changed copy."""
    root = tmp_path_factory.mktemp("web-releases")
    for data in (DATA, DATA, changed_registry(root / "data")):
        build(Settings(data_dir=data, build_dir=root / "build", base_iri=BASE))
    return root / "build"


def app_for(release: Path) -> Flask:
    made = read_manifest(release)
    made["path"] = str(release)
    settings = Settings(data_dir=DATA, build_dir=release.parents[1], base_iri=BASE)
    return create_app(settings, OxigraphStore.from_release(release, "memory"), made)


@pytest.fixture(scope="module")
def served(build_dir: Path) -> list[tuple[dict, FlaskClient]]:
    """(manifest, client) of each release of :func:`build_dir`, oldest first."""
    releases = sorted((build_dir / "releases").iterdir())
    return [(read_manifest(r), app_for(r).test_client()) for r in releases]


def text_of(html: bytes) -> str:
    return " ".join(parse(html.decode()).text().split())


def test_a_first_release_says_so(client: FlaskClient) -> None:
    for lang, said in (("en", "First release"), ("id", "Rilis pertama")):
        response = client.get(f"/changes?lang={lang}", headers=HTML)
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert said in text_of(response.data)
        assert response.headers["ETag"] and "Accept-Language" in response.headers["Vary"]


def test_every_page_links_what_the_release_changed(client: FlaskClient) -> None:
    for path in ("/", "/sparql", "/id/village/62.04.06.2020", "/changes"):
        footer = parse(client.get(path, headers=HTML).data.decode()).one("footer")
        assert "/changes" in [a.attrs.get("href") for a in footer.all("a")], path


def test_an_unchanged_build_says_no_change(served: list[tuple[dict, FlaskClient]]) -> None:
    (first, _), (_, client) = served[0], served[1]
    page = text_of(client.get("/changes?lang=en", headers=HTML).data)
    assert f"No change against release {first['id']}" in page
    assert "Resources" not in page  # no table of zeros
    assert "Tidak ada perubahan" in text_of(client.get("/changes?lang=id", headers=HTML).data)


def test_the_changes_page_counts_and_links(served: list[tuple[dict, FlaskClient]]) -> None:
    (before, _), (made, client) = served[1], served[2]
    response = client.get("/changes?lang=en", headers=HTML)
    html = response.data.decode()
    page = text_of(response.data)
    found = made["changes"]
    assert f"Against release {before['id']}: {found['added']} statements added" in page
    assert f'href="/id/activity/{CHANGED_ACTIVITY}"' in html  # a changed resource, linked
    assert f"{BASE}id/kkb/{DROPPED_KKB}" in page  # a removed one, named but not linked
    assert f'href="/id/kkb/{DROPPED_KKB}"' not in html
    rows = table_rows(parse(html).one("#change-counts"))
    assert ["Quality Family Villages", "0", "1", "0"] in rows
    for entry in found["files"]:
        assert f'href="/dumps/{made["id"]}/{entry["name"]}"' in html
    assert "dihapus" in client.get("/changes?lang=id", headers=HTML).data.decode()


def test_the_changes_in_rdf(served: list[tuple[dict, FlaskClient]]) -> None:
    (before, _), (made, client) = served[1], served[2]
    response = client.get("/changes.ttl")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    node = URIRef(f"{BASE}releases/{made['id']}")
    assert (node, DCAT.previousVersion, URIRef(f"{BASE}releases/{before['id']}")) in graph
    assert (node, DCAT.version, Literal("3")) in graph
    notes = {n.language for n in graph.objects(node, ADMS.versionNotes)}
    assert notes == {"id", "en"}
    by_accept = client.get("/changes", headers={"Accept": "application/ld+json"})
    assert Graph().parse(data=by_accept.data, format="json-ld").isomorphic(graph)
    for entry in made["changes"]["files"]:
        dist = URIRef(f"{BASE}releases/{made['id']}#{entry['name']}")
        assert (node, DCAT.distribution, dist) in graph
        sums = {
            str(v) for c in graph.objects(dist, SPDX.checksum) for v in graph.objects(c, SPDX.checksumValue)
        }
        assert sums == {entry["sha256"]}


def test_the_release_page_and_rdf(served: list[tuple[dict, FlaskClient]]) -> None:
    (before, _), (made, client) = served[1], served[2]
    page = text_of(client.get(f"/releases/{made['id']}?lang=en", headers=HTML).data)
    for fact in (
        made["created"],
        "Version 3",
        f"Previous release {before['id']}",
        made["first_issued"],
        changes.ADDED,
    ):
        assert fact in page
    response = client.get(f"/releases/{made['id']}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["ETag"]
    graph = Graph().parse(data=response.data, format="turtle")
    node = URIRef(f"{BASE}releases/{made['id']}")
    assert (node, DCTERMS.identifier, Literal(made["id"])) in graph
    names = {str(t) for d in graph.objects(node, DCAT.distribution) for t in graph.objects(d, DCTERMS.title)}
    assert names == {d["name"] for d in made["dumps"]} | {changes.ADDED, changes.REMOVED}
    first, first_client = served[0]
    first_graph = Graph().parse(
        data=first_client.get(f"/releases/{first['id']}", headers={"Accept": "text/turtle"}).data,
        format="turtle",
    )
    assert not list(first_graph.objects(None, DCAT.previousVersion))


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/releases/20200101T000000000000Z", b"is not served here; the release served is"),
        ("/releases/nonsense", b"is not served here; the release served is"),
        ("/releases/a%00b", b"is not served here; the release served is"),
        ("/releases/%2E%2E%2Fmanifest.json", b"release '..' is not served here; the release served is"),
        ("/releases/", b"404 Not Found: The requested URL was not found"),
    ],
)
def test_an_unknown_release_is_a_clear_404(
    served: list[tuple[dict, FlaskClient]], path: str, said: bytes
) -> None:
    made, client = served[2]
    response = client.get(path)
    assert response.status_code == 404 and said in response.data
    assert made["id"].encode() in response.data or b"served" not in said
    assert response.headers["Cache-Control"] == "no-store"


def test_a_format_not_offered_is_a_clear_406(served: list[tuple[dict, FlaskClient]]) -> None:
    made, client = served[2]
    response = client.get(f"/releases/{made['id']}?format=bogus")
    assert response.status_code == 406 and b"not offered here" in response.data
    assert client.get("/changes.csv").status_code == 404


def test_the_change_set_files_are_served(served: list[tuple[dict, FlaskClient]], build_dir: Path) -> None:
    made, client = served[2]
    folder = build_dir / "releases" / made["id"] / "dumps"
    for entry in made["changes"]["files"]:
        for path in (f"/dumps/{entry['name']}", f"/dumps/{made['id']}/{entry['name']}"):
            with client.get(path) as response:
                assert response.status_code == 200, path
                assert response.data == (folder / entry["name"]).read_bytes()
                assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        other = client.get(f"/dumps/{served[0][0]['id']}/{entry['name']}")
        assert other.status_code == 404 and b"not served here" in other.data
    assert client.get("/dumps/changes.json").status_code == 404  # beside the manifest: not a dump


def test_a_real_server_answers_with_the_change_set(build_dir: Path) -> None:
    made = read_manifest((build_dir / "current").resolve())
    with serve_process("--build", str(build_dir), env={"KKB_WORKERS": "1"}) as url:
        request = urllib.request.Request(url + "/changes?lang=en", headers=HTML)
        with urllib.request.urlopen(request, timeout=30) as response:
            page = text_of(response.read())
        assert f"{made['changes']['added']} statements added" in page
        request = urllib.request.Request(url + f"/releases/{made['id']}", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=30) as response:
            graph = Graph().parse(data=response.read(), format="turtle")
        assert (URIRef(f"{BASE}releases/{made['id']}"), DCAT.version, Literal("3")) in graph
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "/releases/nope", timeout=30)
        assert missing.value.code == 404
        assert b"is not served here" in missing.value.read()


def test_long_lists_show_their_first_resources_and_the_count(
    tmp_path: Path, served: list[tuple[dict, FlaskClient]], store: OxigraphStore
) -> None:
    made = {**served[2][0], "path": str(tmp_path)}
    made["changes"] = {**made["changes"], "resources": {"units": {"added": 0, "removed": 0, "changed": 500}}}
    shown = [f"{BASE}id/village/62.04.06.20{n:02d}" for n in range(10, 13)]
    (tmp_path / changes.LISTING).write_text(json.dumps({"listed": {"units": {"changed": shown}}}))
    client = create_app(Settings(data_dir=DATA, base_iri=BASE), store, made).test_client()
    html = client.get("/changes?lang=en", headers=HTML).data.decode()
    items = parse(html).one("#list-units-changed").all("li")
    assert [li.text() for li in items] == shown
    assert "The first 3 of 500" in text_of(html.encode())
    assert ["Administrative units", "0", "0", "500"] in table_rows(parse(html).one("#change-counts"))


def test_a_server_without_a_release_of_its_own_says_so(store: OxigraphStore) -> None:
    client = create_app(Settings(data_dir=DATA, base_iri=BASE), store, {}).test_client()
    for path in ("/changes", "/releases/20260101T000000000000Z"):
        response = client.get(path)
        assert response.status_code == 404 and b"serves no release of its own" in response.data


def sitemap_dates(client: FlaskClient) -> dict[str, str]:
    """Path → lastmod of every URL of a release's sitemap."""
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    found = re.findall(r"<loc>http://localhost(/[^<]*)</loc><lastmod>([^<]+)</lastmod>", xml)
    assert found and len(found) == xml.count("<url>")
    return dict(found)


def second(stamp: str) -> str:
    return dt.datetime.fromisoformat(stamp).replace(microsecond=0).isoformat()


def test_the_sitemap_dates_each_page_by_the_release_it_last_changed_in(
    served: list[tuple[dict, FlaskClient]], build_dir: Path
) -> None:
    (first, _), (unchanged, again), (latest, changed) = served
    kept = sitemap_dates(again)  # nothing changed: every page as in the first release
    assert kept.pop("/") == second(unchanged["created"])
    assert set(kept.values()) == {second(first["created"])}
    dates = sitemap_dates(changed)
    assert dates["/"] == second(latest["created"])
    assert dates[f"/id/activity/{CHANGED_ACTIVITY}"] == second(latest["created"])
    assert f"/id/kkb/{DROPPED_KKB}" not in dates and f"/id/kkb/{DROPPED_KKB}/pokja" not in dates
    assert dates["/id/regency/62.04"] == second(first["created"])  # untouched since the first
    default, dated = changes.read_lastmod(build_dir / "releases" / latest["id"])
    assert default == first["created"] and dated[f"{BASE}id/activity/{CHANGED_ACTIVITY}"] == latest["created"]
    assert f"{BASE}id/kkb/{DROPPED_KKB}" not in dated and unchanged["created"] not in dated.values()


def test_a_damaged_lastmod_file_costs_only_the_dates_it_damages(
    served: list[tuple[dict, FlaskClient]], build_dir: Path, tmp_path: Path
) -> None:
    latest = served[2][0]
    copy = tmp_path / latest["id"]
    shutil.copytree(build_dir / "releases" / latest["id"], copy)
    activity = f"{BASE}id/activity/{CHANGED_ACTIVITY}"
    text = (copy / changes.LASTMOD).read_text(encoding="utf-8")
    (copy / changes.LASTMOD).write_text(text.replace(f"{activity}\t", f"{activity}\t<not a date>"))
    response = app_for(copy).test_client().get("/sitemap.xml")
    xml = response.get_data(as_text=True)
    assert response.status_code == 200 and "not a date" not in xml
    assert f"<loc>http://localhost/id/activity/{CHANGED_ACTIVITY}</loc></url>" in xml  # no lastmod
    assert xml.count("<lastmod>") == xml.count("<url>") - 1
