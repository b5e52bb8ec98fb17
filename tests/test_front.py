"""Real nginx, configured by ``deploy/nginx/kkb-lod.conf``, in front of a real ``kkb-lod serve``.

nginx runs in the foreground on loopback with its own prefix, pid file, logs and cache in a tmp
folder; the app server runs one worker, so its ``/metrics`` (asked directly, not through nginx)
count every request that reached it. What nginx answers from its cache never reaches the app.
Which answers may be cached is the app's word (Cache-Control), not nginx's: these tests hold the
app to the cache contract of issue #19 as much as nginx.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kkb_lod.config import Settings
from kkb_lod.pipeline import build

from .conftest import BASE
from .server import ROOT, free_port, pythonpath, server_process
from .test_hardening_workers import wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "kkb-lod.conf"
SWAP = ROOT / "deploy" / "swap-release.sh"
PAGE = "/id/kkb/62.04.06.2020"
KKB = "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
COUNT = KKB + "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }"
#: Runs until the time limit stops it (every triple three times over).
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: What the nginx.conf of a Debian install provides around the site file: here, paths in a tmp
#: folder and one worker, running as the user running the tests (as root, nginx's workers would
#: otherwise be "nobody", who may not enter pytest's tmp folders; as anyone else nginx ignores it).
MAIN = """user root;
worker_processes 1;
pid {root}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/kkb-lod.conf;
}}
"""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def cache(self) -> str | None:
        """nginx's X-Cache-Status: HIT, MISS, EXPIRED, REVALIDATED…, or None (not cacheable)."""
        return self.headers["X-Cache-Status"]


def ask(
    url: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source: str = "127.0.0.1",
) -> Answer:
    """One request on a new connection from the loopback address ``source``; the answer."""
    where = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(
        where.hostname, where.port, timeout=60, source_address=(source, 0)
    )
    try:
        method = "POST" if body is not None else "GET"
        sent = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        connection.request(method, path, body=body, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def reached(app: str) -> int:
    """Requests the app server has answered, but for its ops endpoints (/metrics itself)."""
    text = ask(app, "/metrics").body.decode()
    return sum(
        int(float(n))
        for family, n in re.findall(r'^kkb_requests_total\{family="([^"]*)".*\} ([\d.]+)$', text, re.M)
        if family != "ops"
    )


@dataclass
class Front:
    """A running nginx: its URL and what its reload and the swap script need."""

    url: str
    root: Path

    def command(self, *args: str) -> list[str]:
        return [
            NGINX,
            "-p",
            f"{self.root}/",
            "-c",
            str(self.root / "nginx.conf"),
            "-e",
            str(self.root / "error.log"),
            *args,
        ]

    def swap(
        self, release: str, *apps: str, wait: int = 120, reload: bool = True
    ) -> subprocess.CompletedProcess:
        """``deploy/swap-release.sh RELEASE APP…`` against this nginx (before it runs: not
        ``reload``)."""
        env = {
            **os.environ,
            "KKB_NGINX_RELEASE_CONF": str(self.root / "release.conf"),
            "KKB_NGINX_RELOAD": " ".join(self.command("-s", "reload")) if reload else "true",
            "KKB_SWAP_WAIT": str(wait),
        }
        return subprocess.run(
            ["sh", str(SWAP), release, *apps], env=env, capture_output=True, text=True, timeout=wait + 60
        )


def served(settings: Settings) -> str:
    """The id of the release ``current`` names in the settings' build folder."""
    return (settings.build_dir / "current").resolve().name


def release_of(app: str) -> str:
    return ask(app, sparql("ASK {}")).headers["X-KKB-Release"] or ""


@contextmanager
def nginx(root: Path, apps: list[str], release: str) -> Iterator[Front]:
    """nginx with the recipe's site file in front of ``apps``, keyed on ``release`` (the one they
    serve, as the build folder's ``current`` names it)."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = SITE.read_text(encoding="utf-8")
    for placeholder, value in (
        ("@LISTEN@", f"127.0.0.1:{port}"),
        ("@SERVER_NAME@", "localhost"),
        ("@CACHE_DIR@", str(root / "cache")),
        ("@RELEASE_CONF@", str(root / "release.conf")),
        ("@SERVERS@", " ".join(f"server {urllib.parse.urlparse(a).netloc};" for a in apps)),
    ):
        assert placeholder in site
        site = site.replace(placeholder, value)
    (root / "kkb-lod.conf").write_text(site, encoding="utf-8")
    (root / "nginx.conf").write_text(MAIN.format(root=root), encoding="utf-8")
    front = Front(f"http://127.0.0.1:{port}", root)
    first = front.swap(release, reload=False)  # the file nginx starts with
    assert first.returncode == 0, first.stderr
    process = subprocess.Popen(
        front.command("-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:

        def up() -> bool:
            assert process.poll() is None, (root / "error.log").read_text()
            try:
                return ask(front.url, "/health").status == 200
            except OSError:
                return False

        wait_for(up, "nginx answers", seconds=30)
        yield front
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: workers finish what they answer
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def app_server(build_dir: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``kkb-lod serve`` of ``build_dir``, one worker, behind one proxy (trusted_proxies = 1)."""
    settings = {"KKB_WORKERS": "1", "KKB_TRUSTED_PROXIES": "1", **env}
    with server_process("--build", str(build_dir), env=settings) as (url, process):
        yield url, process


@pytest.fixture(scope="module")
def stack(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(nginx URL, app URL) over the session build."""
    with (
        app_server(settings.build_dir) as (app, _),
        nginx(tmp_path_factory.mktemp("nginx"), [app], served(settings)) as front,
    ):
        yield front.url, app


def test_a_repeated_page_comes_from_the_cache(stack: tuple[str, str]) -> None:
    front, app = stack
    first = ask(front, PAGE, {"Accept": "text/html"})
    assert first.status == 200 and first.cache == "MISS"
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    before = reached(app)
    again = [ask(front, PAGE, {"Accept": "text/html"}) for _ in range(5)]
    assert [a.cache for a in again] == ["HIT"] * 5
    assert {a.body for a in again} == {first.body}
    assert {a.headers["X-KKB-Release"] for a in again} == {first.headers["X-KKB-Release"]} != {None}
    assert {a.headers["ETag"] for a in again} == {first.headers["ETag"]} != {None}
    assert len({a.headers["X-Request-ID"] for a in [first, *again]}) == 6  # nginx's, each new
    assert reached(app) == before


def test_the_cache_keeps_formats_and_languages_apart(stack: tuple[str, str]) -> None:
    front, app = stack
    path = "/id/village/62.04.06.2020"
    variants = {
        "html": {"Accept": "text/html"},
        "turtle": {"Accept": "text/turtle"},
        "english": {"Accept": "text/html", "Cookie": "kkb_lang=en"},
    }
    first = {name: ask(front, path, headers) for name, headers in variants.items()}
    assert {a.cache for a in first.values()} == {"MISS"}  # each its own entry
    assert first["turtle"].headers["Content-Type"].startswith("text/turtle")
    assert b'<html lang="id"' in first["html"].body and b'<html lang="en"' in first["english"].body
    before = reached(app)
    for name, headers in variants.items():
        again = ask(front, path, headers)
        assert (again.cache, again.body) == ("HIT", first[name].body), name
    other = ask(front, path, {"Accept": "text/html", "Cookie": "_ga=1; kkb_lang=en"})
    assert (other.cache, other.body) == ("HIT", first["english"].body)  # its own cookie only
    assert reached(app) == before


def test_sparql_get_is_cached_and_post_is_not(stack: tuple[str, str]) -> None:
    front, app = stack
    accept = {"Accept": "text/csv"}
    first = ask(front, sparql(COUNT), accept)
    assert (first.status, first.cache, first.body) == (200, "MISS", b"n\r\n15\r\n")
    before = reached(app)
    assert ask(front, sparql(COUNT), accept).cache == "HIT"
    assert reached(app) == before
    body = urllib.parse.urlencode({"query": COUNT}).encode()
    for n in (1, 2):
        posted = ask(front, "/sparql", accept, body=body)
        assert (posted.status, posted.body) == (200, b"n\r\n15\r\n")
        assert posted.cache is None  # nginx did not even look
        assert reached(app) == before + n


def test_conditional_requests_get_304(stack: tuple[str, str]) -> None:
    front, app = stack
    for path, accept in ((PAGE, "text/turtle"), (sparql(COUNT), "application/sparql-results+json")):
        full = ask(front, path, {"Accept": accept})
        tag, modified = full.headers["ETag"], full.headers["Last-Modified"]
        before = reached(app)
        assert full.status == 200 and tag and modified, path
        for condition in ({"If-None-Match": tag}, {"If-Modified-Since": modified}):
            answer = ask(front, path, {"Accept": accept, **condition})
            assert (answer.status, answer.body) == (304, b""), (path, condition)
            assert answer.headers["ETag"] == tag
        assert reached(app) == before  # nginx answered from its copy


def test_errors_reach_the_client_and_are_not_cached(stack: tuple[str, str]) -> None:
    front, app = stack
    for path, accept, status, said in (
        (sparql("SELECT ?x WHERE {"), "application/sparql-results+json", 400, b"Query syntax error"),
        ("/id/kkb/99.99.99.9999", "text/html", 404, b"404"),
        ("/no/such/page", "text/plain", 404, b"404"),
    ):
        before = reached(app)
        for _ in range(2):
            answer = ask(front, path, {"Accept": accept})
            assert (answer.status, answer.cache) == (status, "MISS"), path
            assert said in answer.body and b"Traceback" not in answer.body
            assert answer.headers["Cache-Control"] == "no-store"
        assert reached(app) == before + 2  # both reached the app


def test_dumps_pass_through_the_cache_untouched(stack: tuple[str, str], settings: Settings) -> None:
    front, app = stack
    current = settings.build_dir / "current"
    dump = (current / "dumps" / "kkb.nt").read_bytes()
    kept = f"/dumps/{current.resolve().name}/kkb.nt"  # the release's own path: the download URL
    before = reached(app)
    for _ in range(2):
        for path in ("/dumps/kkb.nt", kept):
            answer = ask(front, path)
            assert (answer.status, answer.body, answer.cache) == (200, dump, None)
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert reached(app) == before + 4


def test_the_app_is_told_who_asked_and_where(stack: tuple[str, str]) -> None:
    """X-Forwarded-Host/Host: the app writes links for the address the client used."""
    front, _ = stack
    manifest = ask(front, "/reconcile", {"Accept": "application/json"})
    assert manifest.status == 200
    assert f'"{front}/reconcile"'.encode() in manifest.body.replace(b" ", b"")


@pytest.fixture(scope="module")
def limited(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(nginx URL, app URL): an app with a rate limit, a short time limit and max-age."""
    env = {
        "KKB_RATE_LIMIT": "12",
        "KKB_QUERY_TIMEOUT": "0.5",
        "KKB_QUERY_HARD_LIMIT": "3",
        "KKB_CACHE_MAX_AGE": "1",
    }
    with (
        app_server(settings.build_dir, **env) as (app, _),
        nginx(tmp_path_factory.mktemp("nginx"), [app], served(settings)) as front,
    ):
        yield front.url, app


def test_an_expired_answer_is_revalidated(limited: tuple[str, str]) -> None:
    front, app = limited
    first = ask(front, PAGE, {"Accept": "text/turtle"})
    assert (first.status, first.cache, first.headers["Cache-Control"]) == (200, "MISS", "public, max-age=1")
    time.sleep(2.5)  # past max-age (nginx counts whole seconds): it asks the app, which says 304
    before = reached(app)
    again = ask(front, PAGE, {"Accept": "text/turtle"})
    assert (again.status, again.cache, again.body) == (200, "REVALIDATED", first.body)
    assert reached(app) == before + 1


def test_the_rate_limit_reaches_the_client_it_names(limited: tuple[str, str]) -> None:
    """From 127.0.0.2 (nginx's X-Forwarded-For, the app trusting one proxy): its own budget."""
    front, _ = limited
    answers: list[Answer] = []
    while len(answers) < 40 and (not answers or answers[-1].status != 429):
        answers.append(ask(front, sparql(f"ASK {{}} # {len(answers)}"), source="127.0.0.2"))
    *allowed, refused = answers
    # 12 a minute, counted in fixed windows: 24 at most if a new minute began meanwhile
    assert {a.status for a in allowed} == {200} and 12 <= len(allowed) <= 24
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert (refused.cache, refused.headers["Cache-Control"]) == ("MISS", "no-store")
    assert b"Too many requests from 127.0.0.2" in refused.body
    assert ask(front, sparql("ASK {} # other"), source="127.0.0.3").status == 200


def test_the_time_limit_reaches_the_client(limited: tuple[str, str]) -> None:
    front, _ = limited
    answer = ask(front, sparql(ENDLESS), source="127.0.0.4")
    assert answer.status in (503, 504) and b"query_timeout" in answer.body
    assert answer.headers["Retry-After"] and answer.cache == "MISS"


def test_a_new_release_is_visible_after_its_swap(data_copy: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=data_copy, build_dir=tmp_path / "out", base_iri=BASE)
    old = build(settings).release.name
    with app_server(settings.build_dir) as (app, _), nginx(tmp_path / "nginx", [app], old) as front:
        page = ask(front.url, PAGE, {"Accept": "text/turtle"})
        assert page.headers["X-KKB-Release"] == old and b"2019-07-01" not in page.body
        assert ask(front.url, PAGE, {"Accept": "text/turtle"}).cache == "HIT"
        registry = data_copy / "registry" / "kkb.csv"
        registry.write_text(
            registry.read_text(encoding="utf-8").replace(
                "62.04.06.2020,Kalahien,62.04.06,Dusun Selatan,kampung-keluarga-berkualitas,designated,,",
                "62.04.06.2020,Kalahien,62.04.06,Dusun Selatan,"
                "kampung-keluarga-berkualitas,designated,2019-07-01,",
                1,
            ),
            encoding="utf-8",
        )
        new = build(settings).release.name
        reload = subprocess.run(
            [sys.executable, "-m", "kkb_lod", "serve", "--reload", "--build", str(settings.build_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": pythonpath()},
        )
        assert reload.returncode == 0, reload.stderr
        wait_for(lambda: release_of(app) == new, "the app serves the new release")
        stale = ask(front.url, PAGE, {"Accept": "text/turtle"})  # nginx not told yet
        assert (stale.cache, stale.body) == ("HIT", page.body)
        refused = front.swap("no-such-release", app, wait=1)
        assert refused.returncode == 1 and "does not serve release no-such-release" in refused.stderr
        assert front.swap("../x", app).returncode == 2  # never written into nginx's config
        done = front.swap(new, app)
        assert done.returncode == 0 and f"release {new}" in done.stdout, done.stderr
        fresh = wait_for(
            lambda: (
                (a := ask(front.url, PAGE, {"Accept": "text/turtle"})).headers["X-KKB-Release"] == new and a
            ),
            "nginx serves the new release",
        )
        assert fresh.cache == "MISS" and b"2019-07-01" in fresh.body
        assert ask(front.url, PAGE, {"Accept": "text/turtle"}).cache == "HIT"
