"""The event stream's shape: four real releases (bundled registry, changed copy, bundled again,
unchanged), each served in turn. The root, the chain of pages and its relations, what each page
holds, the caching headers (a page with a next page is immutable, and stays byte for byte the
same when a later release is served), the retention policy against the releases pruning kept,
the formats, and the 4xx answers to bad requests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kkb_lod import ldes
from kkb_lod.config import Settings
from kkb_lod.iris import IriError, Minter
from kkb_lod.pipeline import build
from kkb_lod.releases import KEEP_RELEASES, kept_lineage, read_manifest
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app

from .conftest import BASE, DATA, PUBLISHER
from .test_changes import CHANGED_ACTIVITY, DROPPED_KKB, changed_registry
from .test_ldes_client import described

TREE = Namespace(ldes.TREE)
LDES = Namespace(ldes.LDES)
DCT = Namespace(ldes.DCT)
HOST = "http://localhost/"
STREAM = URIRef(BASE + "ldes")


@dataclass
class Served:
    """One release of the build folder and a client of a server serving it."""

    path: Path
    made: dict[str, Any]
    client: FlaskClient


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Served]]:
    """Four releases built in turn; after each, a client of the app serving it."""
    root = tmp_path_factory.mktemp("ldes")
    changed = changed_registry(root / "changed")
    found = []
    for data in (DATA, changed, DATA, DATA):
        settings = Settings(data_dir=data, build_dir=root / "build", base_iri=BASE, publisher=PUBLISHER)
        path = build(settings).release
        made = {**read_manifest(path), "path": str(path)}
        app = create_app(settings, OxigraphStore.from_release(path, "memory"), made)
        found.append(Served(path, made, app.test_client()))
    yield found


def fetch(client: FlaskClient, url: str, **headers: str) -> tuple[Dataset, Any]:
    answer = client.get(url.removeprefix(HOST.rstrip("/")), headers={"Accept": "application/trig", **headers})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    found = Dataset()
    found.parse(data=answer.get_data(), format="trig")
    return found, answer


def relation(graph: Dataset, node: str) -> tuple[str, str] | None:
    """The one relation of a node: its target and value (None when it has none)."""
    found = list(graph.objects(URIRef(node), TREE.relation))
    if not found:
        return None
    [rel] = found
    assert (rel, RDF.type, TREE.GreaterThanOrEqualToRelation) in graph
    assert (rel, TREE.path, DCT.created) in graph
    return str(graph.value(rel, TREE.node)), str(graph.value(rel, TREE.value))


def chain(client: FlaskClient) -> list[tuple[str, Dataset, Any]]:
    """Every page of the stream, from the root along the relations."""
    root, _ = fetch(client, "/ldes")
    pages: list[tuple[str, Dataset, Any]] = []
    step = relation(root, HOST + "ldes")
    bounds: list[dt.datetime] = []  # what each relation so far promised of all that follows it
    while step is not None:
        assert step[0] not in [p[0] for p in pages]
        graph, answer = fetch(client, step[0])
        bounds.append(dt.datetime.fromisoformat(step[1]))
        times = [
            t.toPython() for v in graph.objects(STREAM, TREE.member) for t in graph.objects(v, DCT.created)
        ]
        assert all(t >= bound for t in times for bound in bounds)
        pages.append((step[0], graph, answer))
        step = relation(graph, step[0])
    return pages


def versions(graph: Dataset) -> dict[str, tuple[dt.datetime, bool]]:
    """The versions a page holds: member → (time, deleted)."""
    found = {}
    for version in graph.objects(STREAM, TREE.member):
        of = str(graph.value(version, DCT.isVersionOf))
        deleted = (version, RDF.type, URIRef(ldes.DELETE)) in graph
        found[of] = (graph.value(version, DCT.created).toPython(), deleted)
        assert str(version) == f"{of}#version-{ldes.stamp(str(graph.value(version, DCT.created)))}"
        assert deleted == (len(graph.graph(version)) == 0)
    return found


def test_the_root_declares_the_stream_its_view_and_retention(served: list[Served]) -> None:
    last = served[-1]
    root, answer = fetch(last.client, "/ldes")
    assert (STREAM, RDF.type, LDES.EventStream) in root
    assert (STREAM, LDES.timestampPath, DCT.created) in root
    assert (STREAM, LDES.versionOfPath, DCT.isVersionOf) in root
    assert (STREAM, LDES.versionDeleteObject, URIRef(ldes.DELETE)) in root
    assert (STREAM, TREE.view, URIRef(HOST + "ldes")) in root
    view = root.value(URIRef(HOST + "ldes"), TREE.viewDescription)
    policies = {root.value(p, RDF.type): p for p in root.objects(view, LDES.retentionPolicy)}
    assert set(policies) == {LDES.LatestVersionSubset, LDES.PointInTimePolicy}
    assert root.value(policies[LDES.LatestVersionSubset], LDES.amount).toPython() == 1
    # the releases still on disk after pruning are the ones kept: the oldest of them is the point
    kept = sorted(p for p in last.path.parent.iterdir() if not p.name.startswith("."))
    assert len(kept) == KEEP_RELEASES == 3 and served[0].path not in kept
    point = root.value(policies[LDES.PointInTimePolicy], LDES.pointInTime)
    assert str(point) == read_manifest(kept[0])["created"] == served[1].made["created"]
    assert relation(root, HOST + "ldes") == (
        f"{HOST}ldes/{served[1].made['id']}/base/1",
        served[1].made["ldes"]["base"][0]["from"],
    )
    assert "immutable" not in answer.headers["Cache-Control"]
    assert "max-age" in answer.headers["Cache-Control"] and answer.headers["ETag"]


def test_the_chain_is_the_oldest_kept_state_then_each_later_change(served: list[Served]) -> None:
    pages = chain(served[-1].client)
    urls = [url for url, _, _ in pages]
    second, third, fourth = (s.made for s in served[1:])
    assert urls == [
        *(f"{HOST}ldes/{second['id']}/base/{n}" for n in range(1, len(second["ldes"]["base"]) + 1)),
        *(f"{HOST}ldes/{third['id']}/delta/{n}" for n in range(1, len(third["ldes"]["delta"]) + 1)),
        f"{HOST}ldes/{fourth['id']}/delta/1",
    ]
    assert len(second["ldes"]["base"]) > 1  # the base spans pages (PAGE_MEMBERS each)
    held = [versions(graph) for _, graph, _ in pages]
    assert all(len(h) <= ldes.PAGE_MEMBERS for h in held)
    base: dict[str, tuple[dt.datetime, bool]] = {}
    for h in held[: len(second["ldes"]["base"])]:
        base.update(h)
    # the base: every member of the second release, and its tombstone of the dropped KKB
    alive = {m for m, (_, deleted) in base.items() if not deleted}
    assert alive == set(described(served[1].path))
    assert base[f"{BASE}id/kkb/{DROPPED_KKB}"] == (
        dt.datetime.fromisoformat(second["created"]),
        True,
    )
    # a delta: exactly the members whose description the release changed, at its time
    delta = held[-2]
    before, after = described(served[1].path), described(served[2].path)
    changed = {
        m
        for m in set(before) | set(after)
        if before.get(m) is None or after.get(m) is None or not isomorphic(before[m], after[m])
    }
    assert (
        set(delta) == changed
        and {f"{BASE}id/kkb/{DROPPED_KKB}", f"{BASE}id/activity/{CHANGED_ACTIVITY}"} <= changed
    )
    assert all(when == dt.datetime.fromisoformat(third["created"]) and not d for when, d in delta.values())
    assert held[-1] == {}  # an unchanged release: an empty page


def test_a_version_holds_the_members_description_of_its_release(served: list[Served]) -> None:
    url, graph, _ = chain(served[-1].client)[-2]
    expected = described(served[2].path)
    for version in graph.objects(STREAM, TREE.member):
        got = Graph()
        for triple in graph.graph(version):
            got.add(triple)
        assert isomorphic(got, expected[str(graph.value(version, DCT.isVersionOf))]), url


def test_pages_with_a_next_page_are_immutable_and_stay_the_same(served: list[Served]) -> None:
    earlier, later = served[2].client, served[3].client
    pages = chain(earlier)
    for url, _, answer in pages[:-1]:
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        again = later.get(url.removeprefix(HOST.rstrip("/")), headers={"Accept": "application/trig"})
        assert again.status_code == 200 and again.get_data() == answer.get_data(), url
        assert (
            later.get(
                url, headers={"If-None-Match": answer.headers["ETag"], "Accept": "application/trig"}
            ).status_code
            == 304
        )
    newest = pages[-1][2]
    assert "immutable" not in newest.headers["Cache-Control"] and "max-age" in newest.headers["Cache-Control"]
    assert relation(pages[-1][1], pages[-1][0]) is None
    # the page that was the newest gains its next page with the next release, then never changes
    url = pages[-1][0]
    then, _ = fetch(later, url)
    assert relation(then, url) == (f"{HOST}ldes/{served[3].made['id']}/delta/1", served[3].made["created"])


@pytest.mark.parametrize(
    ("name", "media", "fmt"),
    [("nq", "application/n-quads", "nquads"), ("jsonld", "application/ld+json", "json-ld")],
)
def test_every_format_says_the_same(served: list[Served], name: str, media: str, fmt: str) -> None:
    client = served[-1].client
    url = f"/ldes/{served[1].made['id']}/base/1"
    trig, _ = fetch(client, url)
    for answer in (client.get(f"{url}?format={name}"), client.get(url, headers={"Accept": media})):
        assert answer.status_code == 200 and answer.mimetype == media
        other = Dataset()
        other.parse(data=answer.get_data(), format=fmt)
        assert graphs(other) == graphs(trig)
        for name in graphs(trig):
            assert isomorphic(triples(other.graph(name)), triples(trig.graph(name))), name


def graphs(found: Dataset) -> set[str]:
    return {str(g.identifier) for g in found.graphs() if len(g)}


def triples(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


@pytest.mark.parametrize(
    ("url", "headers", "status", "says"),
    [
        ("/ldes/{first}/base/1", {}, 404, "is not in the event stream; its releases are"),
        ("/ldes/nonsense/base/1", {}, 404, "is not in the event stream"),
        ("/ldes/{last}/middle/1", {}, 404, "no page segment 'middle'"),
        ("/ldes/{last}/base/0", {}, 404, "not a page 0"),
        ("/ldes/{last}/base/99", {}, 404, "not a page 99"),
        ("/ldes/{last}/base/-1", {}, 404, "Not Found"),
        ("/ldes?format=turtle", {}, 400, "unknown format 'turtle'"),
        ("/ldes/{last}/base/1?format=x", {}, 400, "unknown format 'x'"),
        ("/ldes", {"Accept": "image/png"}, 406, "the stream comes as application/trig"),
    ],
)
def test_bad_requests_get_a_4xx_saying_why(
    served: list[Served], url: str, headers: dict[str, str], status: int, says: str
) -> None:
    asked = url.format(first=served[0].made["id"], last=served[-1].made["id"])
    answer = served[-1].client.get(asked, headers={"Accept": "text/plain", **headers})
    assert answer.status_code == status
    assert says in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_store_that_may_change_serves_no_stream(app: Any) -> None:
    from kkb_lod.web import kkb

    with app.app_context():
        made = kkb().release
    bare = create_app(
        app.extensions["kkb"].settings,
        app.extensions["kkb"].store,
        {k: v for k, v in made.items() if k != "path"},
    )
    answer = bare.test_client().get("/ldes", headers={"Accept": "text/plain"})
    assert answer.status_code == 404 and "serves no event stream" in answer.get_data(as_text=True)


def test_version_iris_are_minted_from_ours_only() -> None:
    mint = Minter(BASE)
    member = str(mint.kkb("62.04.06.2020"))
    assert str(mint.version(member, "20261205T012923332473Z")) == member + "#version-20261205T012923332473Z"
    assert str(mint.stream()) == BASE + "ldes"
    for bad_member, bad_stamp in [
        (member + "/2024", "20261205T012923332473Z"),
        ("https://example.org/id/kkb/62.04.06.2020", "20261205T012923332473Z"),
        (member, "2026-12-05"),
        (member, "20261205T012923332473Z\n"),
    ]:
        with pytest.raises(IriError):
            mint.version(bad_member, bad_stamp)
    assert ldes.stamp("2026-12-05T08:29:23.332473+07:00") == "20261205T012923332473Z"


def test_page_iris_follow_the_public_address(served: list[Served]) -> None:
    """Behind a proxy (``public_url``) the nodes are named as the client fetches them."""
    last = served[-1]
    public = "https://data.example.go.id/kkb/"
    settings = dataclasses.replace(
        Settings(data_dir=DATA, build_dir=last.path.parents[1], base_iri=BASE), public_url=public
    )
    client = create_app(settings, OxigraphStore.from_release(last.path, "memory"), last.made).test_client()
    root, _ = fetch(client, "/ldes")
    assert (STREAM, TREE.view, URIRef(public + "ldes")) in root
    assert relation(root, public + "ldes") == (
        f"{public}ldes/{served[1].made['id']}/base/1",
        served[1].made["ldes"]["base"][0]["from"],
    )


def test_the_catalog_offers_the_stream_as_a_data_service(served: list[Served]) -> None:
    catalog = Graph().parse(data=served[-1].client.get("/catalog.ttl").data, format="turtle")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    assert (URIRef(BASE + "catalog"), dcat.service, STREAM) in catalog
    assert (STREAM, RDF.type, LDES.EventStream) in catalog
    assert (STREAM, dcat.endpointURL, URIRef(HOST + "ldes")) in catalog
    assert (STREAM, DCT.conformsTo, URIRef("https://w3id.org/ldes/specification")) in catalog
    assert not list(catalog.subjects(dcat.accessService, STREAM))  # no resource for portals


def test_a_page_whose_release_was_just_pruned_is_a_404(
    served: list[Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        ldes, "page_file", lambda release, segment, number: release / "gone" / f"{segment}-{number}.nq"
    )
    answer = served[-1].client.get(f"/ldes/{served[1].made['id']}/base/1", headers={"Accept": "text/plain"})
    assert answer.status_code == 404
    assert "has just left the event stream: start again at /ldes" in answer.get_data(as_text=True)


def test_the_kept_lineage_stops_at_the_limit_and_at_a_release_gone(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    for name, previous in [("r1", None), ("r2", "r1"), ("r3", "r2"), ("r4", "r3"), ("odd", "../r3")]:
        (releases / name).mkdir(parents=True)
        (releases / name / "manifest.json").write_text(json.dumps({"id": name, "previous": previous}))
    assert kept_lineage(releases / "r4", 3) == [releases / "r4", releases / "r3", releases / "r2"]
    assert kept_lineage(releases / "r4", 9) == [releases / n for n in ("r4", "r3", "r2", "r1")]
    assert kept_lineage(releases / "odd", 3) == [releases / "odd"]  # not a release's name
    shutil.rmtree(releases / "r2")
    assert kept_lineage(releases / "r4", 3) == [releases / "r4", releases / "r3"]


def test_a_browser_is_shown_the_trig_as_text(served: list[Served]) -> None:
    answer = served[-1].client.get(
        "/ldes", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    )
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    shown = Dataset()
    shown.parse(data=answer.get_data(), format="trig")
    assert (STREAM, RDF.type, LDES.EventStream) in shown


def test_the_kept_lineage_follows_only_release_names(tmp_path: Path) -> None:
    """A ``previous`` with a slash or a leading dot names no release, even where such a folder
    holds a manifest; a release whose manifest cannot be read is its lineage alone."""
    releases = tmp_path / "releases"
    for name in ("sub/r1", ".r1", "r2"):
        (releases / name).mkdir(parents=True)
        (releases / name / "manifest.json").write_text(json.dumps({"id": name, "previous": None}))
    for before in ("sub/r1", ".r1"):
        (releases / "r2" / "manifest.json").write_text(json.dumps({"id": "r2", "previous": before}))
        assert kept_lineage(releases / "r2", 3) == [releases / "r2"]
    (releases / "r2" / "manifest.json").write_text("{")
    assert kept_lineage(releases / "r2", 3) == [releases / "r2"]
