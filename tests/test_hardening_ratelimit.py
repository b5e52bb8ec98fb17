"""The optional per-client rate limit: off by default; 429 with Retry-After past the limit; the
client is the TCP peer unless proxies are trusted; one count shared by forked worker processes.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
import urllib.error
import urllib.request

import pytest
from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web._ratelimit import WINDOW, Table

from .server import serve_process

ASK = {"query": "ASK {}"}


def limited(settings: Settings, store: OxigraphStore, **changes: object) -> FlaskClient:
    tight = Settings(
        data_dir=settings.data_dir, build_dir=settings.build_dir, base_iri=settings.base_iri, **changes
    )  # type: ignore[arg-type]
    return create_app(tight, store).test_client()


def at_start_of_a_window() -> None:
    """Wait out the last seconds of a counting window, so a test's requests share one."""
    if time.time() % WINDOW > WINDOW - 10:
        time.sleep(WINDOW - time.time() % WINDOW + 0.1)


def test_off_by_default(client: FlaskClient) -> None:
    assert Settings().rate_limit == 0
    assert {client.get("/sparql", query_string=ASK).status_code for _ in range(50)} == {200}


def test_past_the_limit_429_with_retry_after(settings: Settings, store: OxigraphStore) -> None:
    at_start_of_a_window()
    client = limited(settings, store, rate_limit=3)
    assert [client.get("/sparql", query_string=ASK).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/sparql", query_string=ASK)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW
    text = refused.get_data(as_text=True)
    assert "at most 3 requests a minute" in text and "rate_limit" in text and "127.0.0.1" in text
    assert client.get("/health").status_code == 200  # probes are never limited
    other = client.get("/sparql", query_string=ASK, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200  # another client has its own count
    assert "kkb_rate_limited_total 1" in client.get("/metrics").get_data(as_text=True)


def test_forwarded_for_is_read_only_from_trusted_proxies(settings: Settings, store: OxigraphStore) -> None:
    at_start_of_a_window()
    direct = limited(settings, store, rate_limit=1)
    assert direct.get("/", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    forged = direct.get("/", headers={"X-Forwarded-For": "192.0.2.2"})
    assert forged.status_code == 429  # without trusted proxies the header changes nothing
    proxied = limited(settings, store, rate_limit=1, trusted_proxies=1)
    for client_ip in ("198.51.100.1", "198.51.100.2"):  # one proxy, two clients behind it
        header = {"X-Forwarded-For": f"203.0.113.9, {client_ip}"}  # left part: client-written
        assert proxied.get("/", headers=header).status_code == 200
        assert proxied.get("/", headers=header).status_code == 429


def test_table_counts_per_window() -> None:
    table = Table(slots=64)
    start = 1000 * WINDOW + 1.0
    assert [table.hit("a", 2, start) for _ in range(3)] == [0, 0, WINDOW - 1]
    assert table.hit("b", 2, start) == 0
    assert table.hit("a", 2, start + WINDOW) == 0  # a new window starts a new count


def _hit_many(table: Table, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    results.put([table.hit("client", 10, 1000 * WINDOW + 1.0) for _ in range(10)])


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_processes_share_one_count() -> None:
    """Made before the fork (as the gunicorn master does), the table is one count for all."""
    table = Table(slots=64)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_hit_many, args=(table, results)) for _ in range(3)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(60)
    allowed = sum(answer == 0 for batch in answers for answer in batch)
    assert allowed == 10  # of 30 requests from 3 processes, exactly the limit got through


def test_a_real_multi_worker_server(settings: Settings) -> None:
    """Behind one (pretend) proxy: the client named in X-Forwarded-For gets exactly the limit,
    whichever worker answers."""
    env = {"KKB_RATE_LIMIT": "5", "KKB_WORKERS": "2", "KKB_TRUSTED_PROXIES": "1"}
    with serve_process("--build", str(settings.build_dir), env=env) as url:
        at_start_of_a_window()
        statuses = []
        for _ in range(12):
            request = urllib.request.Request(url + "/catalog", headers={"X-Forwarded-For": "198.51.100.7"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as err:
                statuses.append(err.code)
                assert int(err.headers["Retry-After"]) >= 1
                assert b"198.51.100.7" in err.read()
                err.close()
        assert statuses == [200] * 5 + [429] * 7


def test_links_follow_the_forwarded_scheme_and_host_only_from_trusted_proxies(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    """Behind a TLS-terminating proxy the links say https and the public host; a client talking
    to the server directly cannot choose them."""
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "kkb.example.go.id",
        "Accept": "application/json",
    }
    behind = create_app(dataclasses.replace(settings, trusted_proxies=1), store, release)
    manifest = behind.test_client().get("/reconcile", headers=forwarded).get_json()
    assert manifest["view"]["url"].startswith("https://kkb.example.go.id/")
    direct = create_app(settings, store, release).test_client().get("/reconcile", headers=forwarded)
    assert direct.get_json()["view"]["url"].startswith("http://localhost/")
