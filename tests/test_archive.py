"""Older releases served read-only under ``/releases/<id>/`` (``serve_releases``): three real
builds in one build folder (the bundled registry, again, then a copy that drops a KKB), the app a
server makes of it, and a real ``kkb-lod serve`` while builds run beside it."""

from __future__ import annotations

import gc
import hashlib
import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, VOID, Namespace

from kkb_lod.config import Settings, SettingsError, load_settings
from kkb_lod.pipeline import build
from kkb_lod.releases import archive_mode, keep, read_manifest, served_lineage
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web.archive import ARCHIVE_MAX_AGE, EXTENSION
from kkb_lod.web.releases import DCAT

from .conftest import BASE, DATA, PUBLISHER
from .html_tree import parse
from .server import children, serve_process, server_process
from .test_changes import DROPPED_KKB, changed_registry
from .test_hardening_workers import wait_for
from .test_serve_releases import reload_command, workers_of

HTML = {"Accept": "text/html"}
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
KKB = f"{BASE}id/kkb/{DROPPED_KKB}"
ASK = f"ASK {{ <{KKB}> ?p ?o }}"
COUNT = "SELECT (COUNT(?k) AS ?n) WHERE { ?k a <https://w3id.org/kkb/def#KKBDesignation> }"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three releases: the bundled registry, the same again, then a copy without one KKB."""
    root = tmp_path_factory.mktemp("archive")
    for data in (DATA, DATA, changed_registry(root / "data")):
        build(Settings(data_dir=data, build_dir=root / "build", base_iri=BASE))
    return root / "build"


@pytest.fixture(scope="module")
def ids(build_dir: Path) -> list[str]:
    """The release ids, oldest first (the last one is current)."""
    return sorted(p.name for p in (build_dir / "releases").iterdir())


def server_app(build_dir: Path, **given: object) -> Flask:
    """The app a server makes of the build folder: it opens the current release itself."""
    return create_app(
        Settings(data_dir=DATA, build_dir=build_dir, base_iri=BASE, publisher=PUBLISHER, **given)
    )  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client(build_dir: Path) -> FlaskClient:
    return server_app(build_dir).test_client()


def sparql(client: FlaskClient, path: str, query: str, post: bool = False) -> dict:
    accept = {"Accept": "application/sparql-results+json"}
    if post:
        response = client.post(
            path, data=query, headers={**accept, "Content-Type": "application/sparql-query"}
        )
    else:
        response = client.get(path, query_string={"query": query}, headers=accept)
    assert response.status_code == 200, response.data
    return json.loads(response.data)


def test_an_older_release_shows_its_own_data(client: FlaskClient, ids: list[str], build_dir: Path) -> None:
    assert client.get(f"/id/kkb/{DROPPED_KKB}", headers=HTML).status_code == 404  # dropped now
    for old in ids[:2]:
        response = client.get(f"/releases/{old}/id/kkb/{DROPPED_KKB}?lang=en", headers=HTML)
        assert response.status_code == 200 and response.headers["X-KKB-Release"] == old
        assert KKB in response.data.decode()
        note = parse(response.data.decode()).one("#archived")
        assert old in note.text() and "served read-only" in note.text()
        turtle = client.get(f"/releases/{old}/id/kkb/{DROPPED_KKB}", headers={"Accept": "text/turtle"})
        assert turtle.headers["Content-Location"] == f"/releases/{old}/id/kkb/{DROPPED_KKB}.ttl"
        for link in turtle.headers["Link"].split(", "):
            assert link.startswith(f"</releases/{old}/id/kkb/{DROPPED_KKB}."), link
        alone = old_app(build_dir / "releases" / old).test_client()
        expected = alone.get(f"/id/kkb/{DROPPED_KKB}", headers={"Accept": "text/turtle"})
        assert (
            Graph()
            .parse(data=turtle.data, format="turtle")
            .isomorphic(Graph().parse(data=expected.data, format="turtle"))
        )


def old_app(release: Path) -> Flask:
    """An app of ``release`` alone, as a server of it would have been."""
    made = {**read_manifest(release), "path": str(release)}
    settings = Settings(data_dir=DATA, build_dir=release.parents[1], base_iri=BASE)
    return create_app(settings, OxigraphStore.from_release(release, "disk"), made)


def test_the_older_sparql_endpoint_answers_from_the_older_data(client: FlaskClient, ids: list[str]) -> None:
    assert sparql(client, "/sparql", ASK)["boolean"] is False
    now = int(sparql(client, "/sparql", COUNT)["results"]["bindings"][0]["n"]["value"])
    for old in ids[:2]:
        for post in (False, True):
            assert sparql(client, f"/releases/{old}/sparql", ASK, post)["boolean"] is True
        then = sparql(client, f"/releases/{old}/sparql", COUNT)["results"]["bindings"][0]["n"]["value"]
        assert int(then) == now + 1


def test_the_older_sparql_endpoint_has_the_same_policy(client: FlaskClient, ids: list[str]) -> None:
    path = f"/releases/{ids[0]}/sparql"
    update = client.post(path, data={"update": f"DELETE WHERE {{ <{KKB}> ?p ?o }}"})
    assert update.status_code == 403 and update.headers["Cache-Control"] == "no-store"
    service = client.get(
        path, query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
    )
    assert service.status_code in (400, 403) and b"SERVICE" in service.data
    deep = client.get(path, query_string={"query": "ASK {" + "{" * 300 + "}" * 300 + "}"})
    assert deep.status_code == 400
    assert sparql(client, path, ASK)["boolean"] is True  # and the data is still there


def test_the_older_endpoint_describes_itself_and_answers_preflights(
    client: FlaskClient, ids: list[str]
) -> None:
    endpoint = f"http://localhost/releases/{ids[0]}/sparql"
    described = Graph().parse(data=client.get(endpoint, headers={"Accept": "text/turtle"}).data)
    assert (URIRef(f"{BASE}sparql"), SD.endpoint, URIRef(endpoint)) in described
    void = Graph().parse(
        data=client.get(f"/releases/{ids[0]}/.well-known/void", headers={"Accept": "text/turtle"}).data
    )
    assert set(void.objects(None, VOID.sparqlEndpoint)) == {URIRef(endpoint)}
    preflight = client.options(
        f"/releases/{ids[0]}/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_the_older_dumps_are_the_older_files(client: FlaskClient, ids: list[str], build_dir: Path) -> None:
    sums = {}
    for old in ids:
        made = read_manifest(build_dir / "releases" / old)
        entry = next(d for d in made["dumps"] if d["name"] == "kkb.nt")
        sums[old] = entry["sha256"]
        paths = [f"/dumps/{old}/kkb.nt"] + ([f"/releases/{old}/dumps/kkb.nt"] if old != ids[-1] else [])
        for path in paths:
            with client.get(path) as response:
                assert response.status_code == 200, path
                assert hashlib.sha256(response.data).hexdigest() == entry["sha256"], path
                assert "max-age=31536000" in response.headers["Cache-Control"], path
    assert sums[ids[0]] != sums[ids[2]]  # the dropped KKB: the files do differ


def page_links(html: str) -> set[str]:
    """The root-relative links of a page (href, src, action), but those of the note atop an
    older release's page."""
    html = re.sub(r'<p id="archived".*?</p>', "", html, flags=re.S)
    found = {e.attrs.get(n) or "" for e in parse(html).iter() for n in ("href", "src", "action")}
    return {link for link in found if link.startswith("/")}


def test_links_on_an_older_page_stay_under_its_prefix(client: FlaskClient, ids: list[str]) -> None:
    old = ids[1]
    links = set()
    for path in (f"/id/village/{DROPPED_KKB}", "/", "/changes", "/sparql"):
        html = client.get(f"/releases/{old}{path}?lang=en", headers=HTML).data.decode()
        links |= page_links(html)
        note = parse(html).one("#archived").all("a")
        assert [a.attrs["href"] for a in note] == [f"/releases/{old}", f"{path}?lang=en"]
    assert len(links) > 30
    for link in links:  # under the prefix, or a release's own page (served at the top for all)
        assert link.startswith(f"/releases/{old}/") or link.removeprefix("/releases/") in ids, link
    for link in sorted(links):
        if "SERVICE" in urllib.parse.unquote_plus(link):  # an example asking Wikidata: not from tests
            continue
        with client.get(link.split("#")[0], headers=HTML) as response:
            assert response.status_code == 200, link


def test_older_answers_are_cached_long_and_not_indexed(client: FlaskClient, ids: list[str]) -> None:
    for path in ("/", f"/id/village/{DROPPED_KKB}", "/catalog", "/changes"):
        old = client.get(f"/releases/{ids[0]}{path}", headers=HTML)
        assert old.status_code == 200, path
        assert old.headers["Cache-Control"] == f"public, max-age={ARCHIVE_MAX_AGE}", path
        assert old.headers["X-Robots-Tag"] == "noindex"
        assert (
            parse(old.data.decode()).one(lambda e: e.attrs.get("name") == "robots").attrs["content"]
            == "noindex"
        )
        now = client.get(path, headers=HTML)
        assert "X-Robots-Tag" not in now.headers and b'name="robots"' not in now.data
        assert now.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(
        f"/releases/{ids[0]}/",
        headers={**HTML, "If-None-Match": client.get(f"/releases/{ids[0]}/").headers["ETag"]},
    )
    assert again.status_code == 304


def test_the_release_page_describes_every_served_release(client: FlaskClient, ids: list[str]) -> None:
    old, current = ids[0], ids[2]
    html = client.get(f"/releases/{old}?lang=en", headers=HTML).data.decode()
    hrefs = {a.attrs.get("href") for a in parse(html).all("a")}
    assert {f"/releases/{old}/", f"/releases/{old}/sparql", f"/releases/{old}/changes"} <= hrefs
    assert f"/releases/{old}/dumps/kkb.nt.gz" in hrefs and f"/releases/{current}" in hrefs
    assert "An older release, served read-only" in parse(html).one("#release-archived").text()
    newer = client.get(f"/releases/{ids[1]}?lang=en", headers=HTML).data.decode()
    assert f'href="/releases/{old}"' in newer  # its previous release, served: linked
    now = client.get(f"/releases/{current}", headers=HTML).data.decode()
    assert 'href="/sparql"' in now and f'href="/dumps/{current}/kkb.nt.gz"' in now
    graph = Graph().parse(data=client.get(f"/releases/{old}", headers={"Accept": "text/turtle"}).data)
    node = URIRef(f"{BASE}releases/{old}")
    assert (node, DCTERMS.identifier, None) in graph
    for url in graph.objects(None, DCAT.downloadURL):
        with client.get(urllib.parse.urlsplit(str(url)).path) as response:
            assert response.status_code == 200 and response.headers["X-KKB-Release"] == old, url


def test_the_current_release_under_its_path_sends_to_the_usual_paths(
    client: FlaskClient, ids: list[str]
) -> None:
    current = ids[2]
    response = client.get(f"/releases/{current}/id/kkb/62.04.05.2020?lang=en")
    assert response.status_code == 307 and response.headers["Location"] == "/id/kkb/62.04.05.2020?lang=en"
    assert client.post(f"/releases/{current}/sparql", data={"query": ASK}).headers["Location"] == "/sparql"
    assert client.get(f"/releases/{current}/").headers["Location"] == "/"
    merged = client.get(f"/releases/{current}//evil.example/x")  # werkzeug merges the slashes
    assert merged.status_code == 308
    assert urllib.parse.urlsplit(merged.headers["Location"]).path == f"/releases/{current}/evil.example/x"
    off = client.get(f"/releases/{current}/evil.example/x")
    assert off.headers["Location"] == "/evil.example/x"


@pytest.mark.parametrize(
    "path",
    [
        "/releases/nope",
        "/releases/nope/",
        "/releases/nope/sparql?query=ASK%7B%7D",
        "/releases/20200101T000000000000Z/id/kkb/62.04.06.2020",
        "/releases/%2E%2E/manifest.json",
        "/releases/a%00b/x",
        "/releases/" + "9" * 5000 + "/",
    ],
)
def test_an_unknown_release_is_a_404_naming_those_served(
    client: FlaskClient, ids: list[str], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store"
    assert b"is not served here; the releases served are" in response.data
    assert all(i.encode() in response.data for i in ids)


def test_the_metrics_and_sitemap_are_not_under_a_release(client: FlaskClient, ids: list[str]) -> None:
    assert client.get("/metrics").status_code == 200
    response = client.get(f"/releases/{ids[0]}/metrics")
    assert response.status_code == 404 and b"metrics are not served under a release" in response.data
    assert client.get(f"/releases/{ids[0]}/health").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200
    for path in ("/sitemap.xml", "/sitemap-1.xml"):
        response = client.get(f"/releases/{ids[0]}{path}")
        assert response.status_code == 404 and b"has no sitemap" in response.data


def test_a_bad_dump_path_is_a_404(client: FlaskClient, ids: list[str]) -> None:
    for path in (
        "/dumps/nope/kkb.nt",
        f"/releases/{ids[0]}/dumps/manifest.json",
        f"/releases/{ids[0]}/dumps/",
    ):
        response = client.get(path)
        assert response.status_code == 404 and b"404 Not Found" in response.data, path


def test_serve_releases_1_serves_only_the_current(build_dir: Path, ids: list[str]) -> None:
    for count in (0, 1):
        client = server_app(build_dir, serve_releases=count).test_client()
        for path in (f"/releases/{ids[0]}/", f"/releases/{ids[1]}", f"/dumps/{ids[0]}/kkb.nt"):
            response = client.get(path)
            assert response.status_code == 404 and b"is not served here" in response.data, path
            assert ids[2].encode() in response.data and b"releases served are" not in response.data
    two = server_app(build_dir, serve_releases=2).test_client()
    assert two.get(f"/releases/{ids[1]}/").status_code == 200
    assert two.get(f"/releases/{ids[0]}/").status_code == 404


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().serve_releases == 3
    assert load_settings(environ={"KKB_SERVE_RELEASES": "5"}).serve_releases == 5
    with pytest.raises(SettingsError, match="serve_releases"):
        load_settings(environ={"KKB_SERVE_RELEASES": "-1"})
    assert keep(1) == 3 and keep(7) == 7


def test_an_older_release_without_an_on_disk_store_is_served_from_memory(
    build_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "build"
    shutil.copytree(build_dir, folder, symlinks=True)
    releases = sorted((folder / "releases").iterdir())
    shutil.rmtree(releases[1] / "store")
    assert archive_mode(releases[0]) == "disk" and archive_mode(releases[1]) == "memory"
    client = server_app(folder).test_client()
    assert sparql(client, f"/releases/{releases[1].name}/sparql", ASK)["boolean"] is True
    (releases[0] / "dumps" / "kkb.nq").unlink()  # still servable: from its store
    assert [p.path.name for p in served_lineage(releases[2], 3)] == [releases[1].name, releases[0].name]
    shutil.rmtree(releases[0] / "store")  # neither: the lineage stops before it
    assert [p.path.name for p in served_lineage(releases[2], 3)] == [releases[1].name]


def test_an_older_release_whose_files_went_is_a_clear_502(build_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "build"
    shutil.copytree(build_dir, folder, symlinks=True)
    client = server_app(folder).test_client()
    older = sorted((folder / "releases").iterdir())[0]
    shutil.rmtree(older / "store")  # gone after the server started (a hand-made mess)
    (older / "dumps" / "kkb.nq").unlink()
    for _ in range(2):  # not kept: asked again, it says so again
        response = client.get(f"/releases/{older.name}/sparql", query_string={"query": ASK})
        assert response.status_code == 502 and response.headers["Cache-Control"] == "no-store"
        assert f"the release {older.name} cannot be opened".encode() in response.data
        assert b"Traceback" not in response.data
    assert sparql(client, "/sparql", ASK)["boolean"] is False  # the rest goes on


def test_an_older_release_shares_the_limits_of_the_process(build_dir: Path, ids: list[str]) -> None:
    app = server_app(build_dir, rate_limit=4)
    client = app.test_client()
    paths = [f"/releases/{ids[0]}/sparql", "/sparql", f"/releases/{ids[1]}/", "/"]
    assert [client.get(p, query_string={"query": ASK}).status_code for p in paths] == [200] * 4
    for path in paths:  # one client, one count: the older releases' answers count too
        assert client.get(path, query_string={"query": ASK}).status_code == 429, path
    mine = app.extensions["kkb"]
    for rid in ids[:2]:
        theirs = app.extensions[EXTENSION].older[rid].app.extensions["kkb"]
        assert (theirs.slots, theirs.pool, theirs.watchdog) == (mine.slots, mine.pool, mine.watchdog)
        assert theirs.rate_table is mine.rate_table


def test_a_pruned_release_is_not_served(tmp_path: Path) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "build", base_iri=BASE, serve_releases=1)
    made = [build(settings).release.name for _ in range(4)]  # keeps 3: the first pruned
    assert sorted(p.name for p in (settings.build_dir / "releases").iterdir()) == made[1:]
    client = server_app(settings.build_dir, serve_releases=4).test_client()
    response = client.get(f"/releases/{made[0]}/")
    assert response.status_code == 404 and made[1].encode() in response.data
    assert client.get(f"/releases/{made[1]}/").status_code == 200


def test_builds_keep_as_many_releases_as_are_served(tmp_path: Path) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "build", base_iri=BASE, serve_releases=4)
    made = [build(settings).release.name for _ in range(5)]  # keeps 4, not KEEP_RELEASES = 3
    assert sorted(p.name for p in (settings.build_dir / "releases").iterdir()) == made[1:]
    client = server_app(settings.build_dir, serve_releases=4).test_client()
    for old in made[1:4]:
        assert client.get(f"/releases/{old}/").status_code == 200, old


def test_a_build_while_serving_keeps_the_served_releases(tmp_path: Path) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "build", base_iri=BASE, serve_releases=1)
    made = [build(settings).release.name for _ in range(3)]
    app = server_app(settings.build_dir)  # serves the three; pins the two older ones
    for _ in range(3):
        build(settings)  # each keeps the newest 3, and what is served
    left = sorted(p.name for p in (settings.build_dir / "releases").iterdir())
    assert set(made) <= set(left) and len(left) == 6
    client = app.test_client()
    for old in made[:2]:
        assert sparql(client, f"/releases/{old}/sparql", ASK)["boolean"] is True
    del app, client
    gc.collect()  # no server: the pins are gone
    build(settings)
    assert not set(made) & {p.name for p in (settings.build_dir / "releases").iterdir()}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is the answer looked at


def fetch(url: str, accept: str = "text/html") -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a GET of ``url``, redirects not followed."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read(), dict(err.headers)


def test_a_real_server_serves_the_older_releases_through_builds(build_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "build"
    shutil.copytree(build_dir, folder, symlinks=True)
    ids = sorted(p.name for p in (folder / "releases").iterdir())
    with serve_process("--build", str(folder)) as url:
        for _ in range(4):  # a build beside the server keeps 3, and what the server serves
            build(Settings(data_dir=DATA, build_dir=folder, base_iri=BASE))
        assert set(ids) <= {p.name for p in (folder / "releases").iterdir()}
        for old in ids[:2]:
            status, body, headers = fetch(f"{url}/releases/{old}/id/kkb/{DROPPED_KKB}?lang=en")
            assert status == 200 and KKB in body.decode() and headers["X-KKB-Release"] == old
            links = page_links(body.decode())
            assert links and all(h.startswith(f"/releases/{old}/") or h == f"/releases/{old}" for h in links)
            query = urllib.parse.urlencode({"query": ASK})
            status, body, _ = fetch(f"{url}/releases/{old}/sparql?{query}", "application/sparql-results+json")
            assert status == 200 and json.loads(body)["boolean"] is True
            made = read_manifest(folder / "releases" / old)
            entry = next(d for d in made["dumps"] if d["name"] == "kkb.nt.gz")
            status, body, _ = fetch(f"{url}/releases/{old}/dumps/kkb.nt.gz", "*/*")
            assert status == 200 and hashlib.sha256(body).hexdigest() == entry["sha256"]
        status, body, _ = fetch(
            f"{url}/sparql?{urllib.parse.urlencode({'query': ASK})}", "application/sparql-results+json"
        )
        assert json.loads(body)["boolean"] is False  # the current release: the KKB dropped
        status, body, _ = fetch(f"{url}/releases/nope/", "text/plain")
        assert status == 404 and all(i.encode() in body for i in ids)


def test_a_reload_moves_the_older_releases_along(build_dir: Path, tmp_path: Path) -> None:
    """After ``kkb-lod serve --reload`` onto a new build, the releases served are the new one and
    the two before it: the oldest is no longer served, nor pinned, and the next builds prune it."""
    folder = tmp_path / "build"
    shutil.copytree(build_dir, folder, symlinks=True)
    ids = sorted(p.name for p in (folder / "releases").iterdir())
    with server_process("--build", str(folder)) as (url, server):
        before = wait_for(lambda: workers_of(server), "two workers")
        assert fetch(f"{url}/releases/{ids[0]}/")[0] == 200
        assert fetch(f"{url}/releases/{ids[2]}/")[0] == 307  # current: its usual paths
        new = build(Settings(data_dir=DATA, build_dir=folder, base_iri=BASE)).release.name
        done = reload_command(folder)
        assert done.returncode == 0, done.stderr
        wait_for(lambda: workers_of(server, before), "two new workers", seconds=120)
        wait_for(lambda: not children(server.pid) & before, "the old workers gone", seconds=120)
        status, body, _ = fetch(f"{url}/releases/{ids[0]}/", "text/plain")
        assert status == 404 and new.encode() in body and ids[1].encode() in body
        for old, dropped in ((ids[1], 200), (ids[2], 404)):  # the last before the new: the KKB dropped
            status, _, headers = fetch(f"{url}/releases/{old}/id/kkb/{DROPPED_KKB}?lang=en")
            assert status == dropped and headers["X-KKB-Release"] == old
        for _ in range(3):
            build(Settings(data_dir=DATA, build_dir=folder, base_iri=BASE))
        kept = {p.name for p in (folder / "releases").iterdir()}
        assert ids[0] not in kept and {ids[1], ids[2], new} <= kept
