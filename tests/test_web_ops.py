"""Operations endpoints and the headers every response carries."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore, StoreError
from kkb_lod.web import create_app

from .doubles import SlowStore


@pytest.fixture
def app(settings: Settings, store: OxigraphStore) -> Flask:
    return create_app(settings, store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_health_and_ready(client: FlaskClient) -> None:
    assert client.get("/health").json == {"status": "ok", "pid": os.getpid()}
    assert client.get("/ready").json == {"status": "ready"}


def test_not_ready_when_the_store_fails(settings: Settings) -> None:
    class Broken:
        def query(self, *args: object, **kwargs: object) -> None:
            raise StoreError("remote store unreachable")

        def count(self) -> int:
            return 0

    response = create_app(settings, Broken()).test_client().get("/ready")  # type: ignore[arg-type]
    assert response.status_code == 503 and "unreachable" in response.json["error"]
    assert response.headers["Retry-After"] == "5"


@pytest.mark.parametrize("path", ["/health", "/sparql", "/nonexistent", "/catalog"])
def test_security_headers_and_request_id(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Request-ID"] == "abc-123"


def test_hostile_request_id_is_replaced(client: FlaskClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(response.headers["X-Request-ID"]) == 32


def test_metrics_count_requests(client: FlaskClient) -> None:
    client.get("/health")
    client.get("/health")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'kkb_requests_total{family="ops",method="GET",status="200"} 2' in text
    assert 'kkb_request_seconds_count{family="ops"} 2' in text
    assert "kkb_query_timeouts_total 0" in text


def test_metrics_parse_as_prometheus_text_with_every_documented_metric(client: FlaskClient) -> None:
    client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    client.get("/nonexistent")
    text = client.get("/metrics").get_data(as_text=True)
    families = {family.name: family for family in text_string_to_metric_families(text)}
    documented = """kkb_requests kkb_request_seconds kkb_query_timeouts kkb_store_errors
        kkb_rate_limited kkb_queries_abandoned kkb_queries_abandoned_running kkb_queries_stuck
        kkb_worker_recycles process_start_time_seconds kkb_process_info""".split()
    assert set(documented) <= set(families)
    assert families["kkb_request_seconds"].type == "histogram"
    statuses = {(s.labels["family"], s.labels["status"]) for s in families["kkb_requests"].samples}
    assert {("sparql", "200"), ("unrouted", "404")} <= statuses
    [process] = families["kkb_process_info"].samples
    assert process.labels == {"pid": str(os.getpid())} and process.value == 1
    [started] = families["process_start_time_seconds"].samples
    assert 0 < time.time() - started.value < 24 * 3600


def test_structured_access_log(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kkb_lod.access"):
        client.get("/health", headers={"X-Request-ID": "log-1"})
    entry = json.loads(caplog.records[-1].getMessage())
    assert entry["request_id"] == "log-1" and entry["status"] == 200 and entry["path"] == "/health"


def test_request_body_limit(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "ASK {}" + " " * 2_000_000})
    assert response.status_code == 413


def test_too_many_running_queries_get_503(settings: Settings, store: OxigraphStore) -> None:
    """Queries that cannot be cancelled still count, so a burst is refused, not piled up."""
    import threading
    import time

    release = threading.Event()

    tight = Settings(
        data_dir=settings.data_dir,
        build_dir=settings.build_dir,
        base_iri=settings.base_iri,
        query_timeout=0.2,
        max_queries=1,
    )
    app = create_app(tight, SlowStore(store, release, 10))  # type: ignore[arg-type]
    client = app.test_client()
    try:
        first = client.get("/sparql", query_string={"query": "ASK {}"})
        assert first.status_code == 503 and "did not finish" in first.get_data(True)
        second = client.get("/sparql", query_string={"query": "ASK {}"})
        assert second.status_code == 503 and "max_queries" in second.get_data(True)
        assert second.headers["Retry-After"]
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while app.extensions["kkb"].watchdog.still_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
