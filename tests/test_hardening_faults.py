"""Faults at start-up and while serving.

* A remote store that goes away, turns slow, and comes back: a real ``kkb-lod serve`` in front of
  a real Oxigraph server (PyPI package ``oxigraph``) on loopback answers 502, then 504, each with
  a body saying what happened, and answers normally again once the store is back, by itself. So
  does every route that asks the store something (pages, catalog, VoID, sitemap, landing, the
  service description) when the Oxigraph server is frozen (SIGSTOP) and when it is stopped.
* A missing or damaged build folder: ``kkb-lod serve`` and ``create_app`` stop with an error naming
  the folder, instead of starting a server that cannot answer.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from kkb_lod.config import Settings
from kkb_lod.pipeline import BuildResult
from kkb_lod.releases import current_release
from kkb_lod.store import StoreError
from kkb_lod.web import create_app

from .conftest import BASE
from .server import ROOT, children, free_port, oxigraph, pythonpath, serve_process
from .test_hardening_workers import SIMPLE, get


@contextmanager
def silent(port: int) -> Iterator[None]:
    """A server on ``port`` that accepts connections and never answers: a store gone slow."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(16)
        yield


def test_remote_store_down_slow_and_back(built: BuildResult) -> None:
    port, store = free_port(), built.release / "store"
    query = "/sparql?format=json&query=" + urllib.parse.quote(SIMPLE)
    with ExitStack() as first_store:
        store_url = first_store.enter_context(oxigraph(store, port))
        env = {"KKB_SPARQL_URL": store_url, "KKB_QUERY_TIMEOUT": "2"}
        with serve_process("--build", str(built.release.parents[1]), env=env) as url:
            status, body = get(url + query)
            assert status == 200 and b'"value":"15"' in body
            first_store.close()  # the store goes away
            status, body = get(url + query)
            assert status == 502 and b"unreachable" in body and store_url.encode() in body
            assert get(url + "/ready")[0] == 503
            with silent(port):  # something answers the port, but never replies
                status, body = get(url + query)  # the store's timeout and the query's are one:
                assert status in (503, 504) and b"within 2 s" in body  # either may speak first
                assert get(url + "/ready")[0] == 503
            with oxigraph(store, port):  # the store is back: so is the service, untouched
                status, body = get(url + query)
                assert status == 200 and b'"value":"15"' in body
                assert get(url + "/ready")[0] == 200


#: Every route that asks the store something, with the Accept header sent: pages as a browser
#: asks for them (the error page) and as programs do (plain text).
STORE_ROUTES = (
    ("/", "text/html"),
    ("/", "*/*"),
    ("/catalog", "text/html"),
    ("/catalog", "text/turtle"),
    ("/catalog.jsonld", "*/*"),
    ("/.well-known/void", "text/turtle"),
    ("/.well-known/void", "text/html"),
    ("/sitemap.xml", "*/*"),
    ("/id/village/62.04.06.2020", "text/html"),
    ("/id/village/62.04.06.2020", "text/turtle"),
    ("/id/kkb/62.04.06.2020.ttl", "*/*"),
    ("/id/district/62.04.06", "application/ld+json"),
    ("/def", "text/html"),
    ("/def.ttl", "*/*"),
    ("/sparql", "text/turtle"),  # the service description counts the graphs
)


def ask_every_route(url: str) -> dict[tuple[str, str], tuple[int, str, bytes]]:
    """Each of :data:`STORE_ROUTES` at once: (status, media type, body) by (path, Accept)."""

    def one(route: tuple[str, str]) -> tuple[int, str, bytes]:
        request = urllib.request.Request(url + route[0], headers={"Accept": route[1]})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.headers.get_content_type(), err.read()

    with ThreadPoolExecutor(len(STORE_ROUTES)) as pool:
        return dict(zip(STORE_ROUTES, pool.map(one, STORE_ROUTES), strict=True))


def assert_fault(answers: dict[tuple[str, str], tuple[int, str, bytes]], status: int, says: bytes) -> None:
    """Every route answered ``status`` with a short body saying ``says``: the error page for a
    browser, plain text for a program."""
    for (path, accept), (code, media_type, body) in answers.items():
        assert code == status and says in body, (path, accept, code, body[:300])
        assert media_type == ("text/html" if accept == "text/html" else "text/plain"), (path, accept)
        assert len(body) < 8000 and b"Traceback" not in body, (path, accept)


def test_every_route_answers_502_or_504_when_the_store_fails(built: BuildResult) -> None:
    port, store = free_port(), built.release / "store"
    with ExitStack() as first_store:
        store_url = first_store.enter_context(oxigraph(store, port))
        (server,) = (
            pid
            for pid in children(os.getpid())
            if f"127.0.0.1:{port}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
        env = {"KKB_SPARQL_URL": store_url, "KKB_QUERY_TIMEOUT": "2"}
        with serve_process("--build", str(built.release.parents[1]), env=env) as url:
            os.kill(server, signal.SIGSTOP)  # frozen: connections are accepted, never answered
            try:
                assert_fault(ask_every_route(url), 504, b"did not answer within 2 s")
            finally:
                os.kill(server, signal.SIGCONT)
            first_store.close()  # stopped: nothing listens on its port
            assert_fault(ask_every_route(url), 502, b"unreachable")
            with oxigraph(store, port):  # back: every route answers, nothing of the faults kept
                for (path, accept), (code, _, body) in ask_every_route(url).items():
                    assert code == 200 and body, (path, accept, code, body[:300])


def broken_builds() -> dict[str, Callable[[Path], None]]:
    """Ways a build folder can be damaged, each applied to a copy of a good one."""

    def release(build: Path) -> Path:
        return current_release(build)

    return {
        "release-deleted": lambda b: shutil.rmtree(release(b)),
        "manifest-missing": lambda b: (release(b) / "manifest.json").unlink(),
        "manifest-corrupt": lambda b: (release(b) / "manifest.json").write_text("{", "utf-8"),
        "dump-missing": lambda b: (release(b) / "dumps" / "kkb.nq").unlink(),
        "dump-truncated": lambda b: _truncate(release(b) / "dumps" / "kkb.nq"),
        "dump-garbage": lambda b: (release(b) / "dumps" / "kkb.nq").write_bytes(b"\x00\xff<<"),
    }


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 - 7])  # mid-line: an N-Quads syntax error


@pytest.fixture(params=sorted(broken_builds()))
def broken(request: pytest.FixtureRequest, built: BuildResult, tmp_path: Path) -> Path:
    build = tmp_path / "build"
    shutil.copytree(built.release.parents[1], build, symlinks=True)
    broken_builds()[request.param](build)
    return build


def test_create_app_refuses_a_broken_build(broken: Path) -> None:
    with pytest.raises((StoreError, FileNotFoundError)) as caught:
        create_app(Settings(build_dir=broken, base_iri=BASE))
    assert str(broken) in str(caught.value)


def test_serve_refuses_a_broken_build(broken: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kkb_lod", "serve", "--build", str(broken), "--port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": pythonpath()},
    )
    assert done.returncode == 1, done.stderr
    assert f"Error: cannot serve {broken}" in done.stderr and "Traceback" not in done.stderr
    assert "rebuild" in done.stderr or "kkb-lod build" in done.stderr


def test_disk_store_missing(built: BuildResult, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(built.release.parents[1], build, symlinks=True)
    shutil.rmtree(current_release(build) / "store")
    with pytest.raises(StoreError, match="cannot open the build release"):
        create_app(Settings(build_dir=build, base_iri=BASE, store="disk"))


def test_create_app_without_a_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run 'kkb-lod build' first"):
        create_app(Settings(build_dir=tmp_path / "nothing", base_iri=BASE))
