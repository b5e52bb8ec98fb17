"""The watchdog, in process: an abandoned query still running at the hard limit calls the recycler
once; one that ends in time does not; without a process manager it is only counted."""

from __future__ import annotations

import threading
import time

from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web._watchdog import Watchdog

from .doubles import SlowStore


def wait_until(condition, seconds: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the watchdog never acted"
        time.sleep(0.02)


def test_a_stuck_query_recycles_the_process_once() -> None:
    watchdog, reasons = Watchdog(), []
    watchdog.hard_limit = 0.2
    watchdog.recycler = reasons.append
    stuck = [threading.Event(), threading.Event()]
    ends_in_time = threading.Event()
    for event in (*stuck, ends_in_time):
        watchdog.abandoned(time.monotonic(), event)
    ends_in_time.set()
    assert watchdog.still_running() == 2 and watchdog.abandoned_total == 3
    wait_until(lambda: watchdog.stuck_total == 2)
    assert len(reasons) == 1 and "query_hard_limit" in reasons[0]
    stuck[0].set()
    stuck[1].set()
    assert watchdog.still_running() == 0


def test_without_a_manager_it_is_counted() -> None:
    watchdog = Watchdog()
    watchdog.hard_limit = 0.05
    watchdog.abandoned(time.monotonic(), threading.Event())
    wait_until(lambda: watchdog.stuck_total == 1)
    assert watchdog.recycler is None


def test_metrics_count_abandoned_queries(settings: Settings, store: OxigraphStore) -> None:
    release = threading.Event()

    def abandoned(client: FlaskClient) -> int:
        text = client.get("/metrics").get_data(as_text=True)
        return int(float(text.split("\nkkb_queries_abandoned_total ", 1)[1].split()[0]))

    tight = Settings(
        data_dir=settings.data_dir,
        build_dir=settings.build_dir,
        base_iri=settings.base_iri,
        query_timeout=0.1,
    )
    client = create_app(tight, SlowStore(store, release, 30)).test_client()  # type: ignore[arg-type]
    before = abandoned(client)
    try:
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 503
        text = client.get("/metrics").get_data(as_text=True)
        assert abandoned(client) == before + 1
        assert "kkb_queries_abandoned_running " in text and 'kkb_process_info{pid="' in text
    finally:
        release.set()
