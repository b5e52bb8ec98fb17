"""The app under a path prefix (``/kkb``, as behind nginx's ``location /kkb/``): every local link
of every kind of page is under the prefix and answers through it.

A crawler starts from the landing page (and a few pages no link leads to: a query's answer, an
error, the reconciliation service) and reads every link an answer gives: ``href``, ``src``,
``action``, the editor's ``data-…`` addresses and answer JSON, ``Link``, ``Location`` and
``Content-Location``, and same-host absolute URLs in RDF, XML and JSON. Every one must be under the
prefix; every link of the first pages of each kind is asked, and must answer 200 (a redirect is
followed). In process (``SCRIPT_NAME`` as gunicorn sets it, ``X-Forwarded-Prefix`` through
ProxyFix, older releases served under ``/kkb/releases/<id>/``) and with a real ``kkb-lod serve``
(gunicorn) behind nginx configured by README's snippets.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import signal
import subprocess
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from kkb_lod.config import Settings
from kkb_lod.pipeline import build
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app

from .conftest import BASE, DATA, PUBLISHER
from .html_tree import parse
from .server import ROOT, free_port, server_process
from .test_front import MAIN, NGINX, app_server, ask, nginx, served
from .test_hardening_workers import wait_for

PREFIX = "/kkb"
README = ROOT / "README.md"
#: A query whose answer links our resources (the answer's table and its JSON for the script).
QUERY = "SELECT ?kkb ?village WHERE { ?kkb <https://w3id.org/kkb/def#village> ?village } LIMIT 5"
#: Error pages (their links are crawled too), with their status.
ERRORS = {
    "/sparql?" + urllib.parse.urlencode({"query": "ASK {", "format": "html"}): 400,  # syntax error
    "/id/kkb/nope": 404,
}
#: Pages no link leads to, beside the landing page.
STARTS = (
    "/",
    "/sparql?" + urllib.parse.urlencode({"query": QUERY, "format": "html"}),
    *ERRORS,
    "/reconcile",
    "/reconcile/view/62.04.06.2020",
    "/sitemap.xml",
    "/graph/registry",
)
HTML = {"Accept": "text/html"}
#: Attributes holding an address, with what the page's script adds to it (the label search's q).
LINK_ATTRS = {
    "href": "",
    "src": "",
    "action": "",
    "formaction": "",
    "data-completions": "",
    "data-labels": "?q=ba",
}
#: Answers read for same-host absolute URLs (RDF, XML, JSON; not the gzipped dumps).
READ = re.compile(r"text/|application/(?:.*\+)?(?:json|xml)|application/n-")

#: One GET: path (with its query) → status, headers, body.
Fetch = Callable[[str], tuple[int, Mapping[str, str], bytes]]


def kind_of(path: str) -> str:
    """What sort of page ``path`` is: digits, release ids and the query's values left out."""
    where = urllib.parse.urlsplit(path)
    shape = re.sub(r"\d+T\d+Z|\d+", "N", where.path)
    return shape + "?" + "&".join(sorted(urllib.parse.parse_qs(where.query)))


@dataclass
class Crawl:
    """A crawl of the app through ``fetch`` under ``prefix``, on ``host`` (absolute URLs)."""

    fetch: Fetch
    host: str
    prefix: str = PREFIX
    expand: int = 2  # pages of one kind whose links are all asked
    status: dict[str, int] = field(default_factory=dict)
    outside: set[tuple[str, str]] = field(default_factory=set)  # (page, link) not under prefix
    kinds: Counter[str] = field(default_factory=Counter)

    def run(self, starts: tuple[str, ...]) -> None:
        queue = deque(self.prefix + s for s in starts)
        while queue:
            path = queue.popleft()
            if path in self.status:
                continue
            status, headers, body = self.fetch(path)
            self.status[path] = status
            links = self.links(path, headers, body)
            for link in links:
                if not (link == self.prefix or link.startswith(self.prefix + "/")):
                    self.outside.add((path, link))
            located = headers.get("Location")
            if 300 <= status < 400 and located:  # the redirect's target: asked first
                queue.appendleft(self.local(path, located) or located)
            kind = kind_of(path)
            if self.kinds[kind] < self.expand:
                self.kinds[kind] += 1
                queue.extend(link for link in links if self.askable(link))

    def askable(self, link: str) -> bool:
        """Every link but a query that would call Wikidata (tests reach loopback only)."""
        return "SERVICE" not in urllib.parse.unquote_plus(link) and link.startswith(self.prefix)

    def local(self, page: str, link: str) -> str | None:
        """``link`` (as found on ``page``) as a path with its query, if it is on this server."""
        if link.startswith(("#", "data:", "mailto:")) or "{{" in link:
            return None
        url = urllib.parse.urljoin(f"http://{self.host}{page}", link)
        where = urllib.parse.urlsplit(url)
        if where.netloc != self.host or where.scheme not in ("http", "https"):
            return None
        return where.path + (f"?{where.query}" if where.query else "")

    def links(self, page: str, headers: Mapping[str, str], body: bytes) -> set[str]:
        """Every local link of one answer, as paths with their query."""
        found = [headers.get("Location", ""), headers.get("Content-Location", "")]
        found += re.findall(r"<([^>]*)>", headers.get("Link", ""))
        kind = headers.get("Content-Type", "")
        if kind.startswith("text/html"):
            tree = parse(body.decode())
            for element in tree.iter():
                found += [element.attrs[a] + more for a, more in LINK_ATTRS.items() if element.attrs.get(a)]
                if element.tag == "script" and "json" in element.attrs.get("type", ""):
                    found += strings(json.loads(element.text() or "null"))
        elif READ.match(kind):
            text = body.decode("utf-8", "replace")
            found += re.findall(rf"https?://{re.escape(self.host)}[^\s\"'<>\\]*", text)
        return {path for link in found if link and (path := self.local(page, link))}


def strings(value: object) -> list[str]:
    """Every string in a JSON value that is a root-relative path or an absolute URL."""
    if isinstance(value, str):
        return [value] if value.startswith(("/", "http")) else []
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in value for s in strings(v)] if isinstance(value, list) else []


def checked(crawl: Crawl, starts: tuple[str, ...] = STARTS) -> Crawl:
    """``crawl`` run: no link outside the prefix, every link asked answered 200."""
    crawl.run(starts)
    assert not crawl.outside, sorted(crawl.outside)[:10]
    bad = {path: status for path, status in crawl.status.items() if status != 200}
    redirects = {path for path, status in bad.items() if status in (301, 302, 303, 307, 308)}
    errors = {p: s for p, s in bad.items() if ERRORS.get(without_lang(p, crawl.prefix)) == s}
    assert len(errors) == 3 * len(ERRORS)  # each in either language too (its language links)
    assert {p: s for p, s in bad.items() if p not in redirects and p not in errors} == {}
    assert len(crawl.status) > 80 and len(crawl.kinds) > 20, (len(crawl.status), crawl.kinds)
    return crawl


def without_lang(path: str, prefix: str) -> str:
    """``path`` outside ``prefix`` without its ``lang=`` (an error page's language links)."""
    where = urllib.parse.urlsplit(path.removeprefix(prefix))
    query = urllib.parse.urlencode([(k, v) for k, v in urllib.parse.parse_qsl(where.query) if k != "lang"])
    return where.path + (f"?{query}" if query else "")


def in_process(app: Flask, forwarded: bool = False) -> Fetch:
    """GETs of ``app`` under the prefix, as a browser's: by ``SCRIPT_NAME`` (the prefix in the
    path, as gunicorn splits it), or with the prefix taken off and named in X-Forwarded-Prefix."""
    if forwarded:
        client = Client(app)
    else:
        client = Client(DispatcherMiddleware(NotFound(), {PREFIX: app}))

    def fetch(path: str) -> tuple[int, Mapping[str, str], bytes]:
        headers = dict(HTML)
        if forwarded:
            headers |= {"X-Forwarded-Prefix": PREFIX, "X-Forwarded-For": "127.0.0.1"}
            path = path.removeprefix(PREFIX) or "/"
        with client.get(path, headers=headers) as response:
            return response.status_code, response.headers, response.get_data()

    return fetch


def test_every_link_is_under_the_script_name_and_answers(app: Flask) -> None:
    crawl = checked(Crawl(in_process(app), "localhost"))
    assert {f"{PREFIX}/sparql", f"{PREFIX}/catalog", f"{PREFIX}/def", f"{PREFIX}/changes"} <= set(
        crawl.status
    )
    assert any(kind.startswith(f"{PREFIX}/id/village/") for kind in crawl.kinds)
    assert f"{PREFIX}/sparql/completions" in crawl.status  # the editor's data-… addresses
    assert crawl.status[f"{PREFIX}/reconcile/view/62.04.06.2020"] == 303


def test_every_link_is_under_the_forwarded_prefix_and_answers(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    app = create_app(dataclasses.replace(settings, trusted_proxies=1), store, release)
    checked(Crawl(in_process(app, forwarded=True), "localhost"))


def test_the_answer_links_under_the_prefix(app: Flask) -> None:
    fetch = in_process(app)
    status, _, body = fetch(PREFIX + STARTS[1])
    tree = parse(body.decode())
    data = json.loads(tree.one("#answer-data").text())
    links = [cell[1] for row in data["rows"] for cell in row if cell and cell[1]]
    assert len(links) == 10 and all(link.startswith(f"{PREFIX}/id/") for link in links)
    table = {a.attrs["href"] for cell in tree.all("td") for a in cell.all("a")}
    assert len(table) == 10 and all(href.startswith(f"{PREFIX}/id/") for href in table)


def test_headers_name_paths_under_the_prefix(app: Flask) -> None:
    client = Client(DispatcherMiddleware(NotFound(), {PREFIX: app}))
    turtle = client.get(f"{PREFIX}/id/kkb/62.04.06.2020", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Location"] == f"{PREFIX}/id/kkb/62.04.06.2020.ttl"
    assert f"<{PREFIX}/id/kkb/62.04.06.2020.jsonld>" in turtle.headers["Link"]
    current = app.extensions["kkb"].release["id"]
    moved = client.get(f"{PREFIX}/releases/{current}/def?lang=en")
    assert (moved.status_code, moved.headers["Location"]) == (307, f"{PREFIX}/def?lang=en")
    manifest = client.get(f"{PREFIX}/reconcile").get_json()
    assert manifest["suggest"]["entity"]["service_url"] == f"http://localhost{PREFIX}/reconcile"
    # the same app still answers at the top, with links from "/" (the page cache keeps them apart)
    top = app.test_client().get("/id/kkb/62.04.06.2020", headers={"Accept": "text/turtle"})
    assert top.headers["Content-Location"] == "/id/kkb/62.04.06.2020.ttl"
    page = app.test_client().get("/id/kkb/62.04.06.2020", headers=HTML).get_data(as_text=True)
    assert 'href="/sparql"' in page and f'href="{PREFIX}/' not in page


@pytest.mark.parametrize(
    ("prefix", "status"),
    [
        ("/kkb/", 200),  # a trailing slash as some proxies send it: the same prefix
        ("/data/kkb", 200),
        ("//evil.example", 400),  # links to another host
        ("/k<b>", 400),  # markup
        ("/kkb/../x", 400),
        ("kkb", 400),
    ],
)
def test_only_a_plain_prefix_is_taken(
    settings: Settings, store: OxigraphStore, release: dict, prefix: str, status: int
) -> None:
    app = create_app(dataclasses.replace(settings, trusted_proxies=1), store, release)
    answer = app.test_client().get("/sparql", headers={**HTML, "X-Forwarded-Prefix": prefix})
    assert answer.status_code == status
    if status == 200:
        assert f'href="{prefix.rstrip("/")}/catalog"' in answer.get_data(as_text=True)
    else:
        assert "is not a plain path" in answer.get_data(as_text=True)
        assert answer.headers["Cache-Control"] == "no-store"


def test_the_prefix_header_is_read_from_trusted_proxies_only(app: Flask) -> None:
    page = app.test_client().get("/sparql", headers={**HTML, "X-Forwarded-Prefix": "/kkb"})
    assert page.status_code == 200 and 'href="/catalog"' in page.get_data(as_text=True)


@pytest.fixture(scope="module")
def two_releases(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session build with a second release built after it: the first is served
    read-only under /releases/<id>/."""
    out = tmp_path_factory.mktemp("prefix") / "build"
    shutil.copytree(settings.build_dir, out, symlinks=True)
    build(Settings(data_dir=DATA, build_dir=out, base_iri=BASE))
    return out


def test_older_releases_link_under_the_prefix(two_releases: Path) -> None:
    app = create_app(Settings(data_dir=DATA, build_dir=two_releases, base_iri=BASE, publisher=PUBLISHER))
    old, current = sorted(p.name for p in (two_releases / "releases").iterdir())
    fetch = in_process(app)
    crawl = checked(Crawl(fetch, "localhost"), (*STARTS, f"/releases/{old}", f"/releases/{old}/"))
    under = [k for k in crawl.kinds if k.startswith(f"{PREFIX}/releases/N/id/")]
    assert under and f"{PREFIX}/releases/{old}/sparql" in crawl.status
    status, headers, body = fetch(f"{PREFIX}/releases/{old}/def?lang=en")
    note = parse(body.decode()).one("#archived").all("a")
    assert [a.attrs["href"] for a in note] == [f"{PREFIX}/releases/{old}", f"{PREFIX}/def?lang=en"]
    assert headers["X-Robots-Tag"] == "noindex"
    assert (
        headers["Link"].split(";")[0] == f"<{PREFIX}/releases/{old}/def.ttl>"
    )  # the older app's own links: under its prefix
    again = fetch(f"{PREFIX}/releases/{old}/def?lang=id")[2].decode()
    note_id = parse(again).one("#archived").all("a")
    assert note_id[1].attrs["href"] == f"{PREFIX}/def?lang=id"  # the note names its own page
    assert current not in [a.attrs["href"] for a in note]


def test_a_template_drawn_outside_a_request_has_empty_prefixes(app: Flask) -> None:
    """A template drawn with no request (a script, a test) gets "" for both prefixes, not an error."""
    from flask import render_template_string

    with app.app_context():
        assert render_template_string("[{{ root }}|{{ server_root }}]") == "[|]"


def test_an_older_release_names_the_servers_root_not_its_own(two_releases: Path) -> None:
    """An older release's app is under ``/kkb/releases/<id>``; what is the server's (the release
    pages, the current release's endpoint) is under ``/kkb``, not nested below the older one."""
    app = create_app(Settings(data_dir=DATA, build_dir=two_releases, base_iri=BASE, publisher=PUBLISHER))
    old = sorted(p.name for p in (two_releases / "releases").iterdir())[0]
    fetch = in_process(app)
    status, _, body = fetch(f"{PREFIX}/releases/{old}/changes?lang=en")
    assert status == 200
    links = [a.attrs.get("href", "") for a in parse(body.decode()).all("a")]
    assert f"{PREFIX}/releases/{old}" in links
    assert not [link for link in links if link.startswith(f"{PREFIX}/releases/{old}/releases/")]
    status, _, body = fetch(f"{PREFIX}/releases/{old}/sparql?lang=en")
    data = parse(body.decode()).one("#workspace-data").text()
    assert status == 200
    assert [(e["path"], e["current"], e["self"]) for e in json.loads(data)["endpoints"]] == [
        (f"{PREFIX}/sparql", True, False),
        (f"{PREFIX}/releases/{old}/sparql", False, True),
    ]


# ------------------------------------------------------------------ real gunicorn behind nginx


def snippet(needle: str) -> str:
    """The ```nginx block of README.md that contains ``needle``."""
    blocks = re.findall(r"```nginx\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = [b for b in blocks if needle in b]
    assert len(found) == 1, f"README has {len(found)} nginx blocks with {needle!r}"
    return found[0]


@contextmanager
def front(root: Path, location: str, app: str) -> Iterator[str]:
    """nginx on loopback with README's ``location`` block (its upstream made ``app``); its URL."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    assert "http://127.0.0.1:5000" in location
    site = location.replace("http://127.0.0.1:5000", app)
    (root / "kkb-lod.conf").write_text(
        f"server {{\n    listen 127.0.0.1:{port};\n    server_name localhost;\n{site}}}\n", encoding="utf-8"
    )
    (root / "nginx.conf").write_text(MAIN.format(root=root), encoding="utf-8")
    command = [NGINX, "-p", f"{root}/", "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")]
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert process.poll() is None, (root / "error.log").read_text()
            try:
                return ask(url, f"{PREFIX}/health").status == 200
            except OSError:
                return False

        wait_for(up, "nginx answers", seconds=30)
        yield url
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def over_http(url: str) -> Fetch:
    def fetch(path: str) -> tuple[int, Mapping[str, str], bytes]:
        answer = ask(url, path, HTML)
        return answer.status, answer.headers, answer.body

    return fetch


@pytest.mark.parametrize(
    ("needle", "env"),
    [
        ("X-Forwarded-Prefix /kkb", {"KKB_TRUSTED_PROXIES": "1"}),
        ("SCRIPT_NAME", {"KKB_TRUSTED_PROXIES": "1", "SCRIPT_NAME": PREFIX}),
    ],
    ids=["x-forwarded-prefix", "script-name"],
)
def test_gunicorn_behind_nginx_under_kkb(
    two_releases: Path, tmp_path: Path, needle: str, env: dict[str, str]
) -> None:
    ready = f"{PREFIX}/sparql?query=ASK%7B%7D" if "SCRIPT_NAME" in env else "/sparql?query=ASK%7B%7D"
    with (
        server_process("--build", str(two_releases), env={"KKB_WORKERS": "1", **env}, ready=ready) as (
            app,
            _,
        ),
        front(tmp_path / "nginx", snippet(needle), app) as url,
    ):
        old = sorted(p.name for p in (two_releases / "releases").iterdir())[0]
        host = urllib.parse.urlsplit(url).netloc
        crawl = checked(Crawl(over_http(url), host), (*STARTS, f"/releases/{old}/"))
        assert any(k.startswith(f"{PREFIX}/releases/N/id/") for k in crawl.kinds)
        assert ask(url, PREFIX).status == 301  # nginx: /kkb → /kkb/
        forged = ask(url, f"{PREFIX}/sparql", {**HTML, "X-Forwarded-Prefix": "/evil"})
        assert forged.status == 200 and b'href="/evil' not in forged.body  # the proxy's word only


def test_the_recipe_drops_a_clients_prefix(settings: Settings, tmp_path: Path) -> None:
    """deploy/nginx/kkb-lod.conf serves at the top of its host: a client's own X-Forwarded-Prefix,
    which the app would read from its trusted proxy, never reaches it (nor nginx's cache)."""
    forged = {**HTML, "X-Forwarded-Prefix": "/evil"}
    with (
        app_server(settings.build_dir) as (app, _),
        nginx(tmp_path / "nginx", [app], served(settings)) as site,
    ):
        through = ask(site.url, "/sparql", forged)
        assert through.status == 200 and b'href="/catalog"' in through.body and b"/evil" not in through.body
        assert b'href="/evil/catalog"' in ask(app, "/sparql", forged).body  # what the recipe stops
