"""A store fault is answered 502 or 504 on every route, and nothing of it is remembered.

The app serves a release (so whatever the pages keep of it is in use) over the session store
wrapped so that it fails on demand: while it fails, every route that asks it
something answers the fault's status; once it answers again, so does every route, with the same
answer as an app that never saw a fault. (The same with a real Oxigraph server frozen and
stopped: ``tests/test_hardening_faults.py``.)
"""

from __future__ import annotations

import pytest
from flask import Flask

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore, StoreError, StoreTimeout
from kkb_lod.web import create_app

from .test_hardening_faults import STORE_ROUTES

#: The routes that ask the store of an app serving a release: its service description's counts
#: are the release manifest's, so a query stands in for it.
ROUTES = (
    *(route for route in STORE_ROUTES if route[0] != "/sparql"),
    ("/sparql?query=SELECT%20*%20%7B%20?s%20?p%20?o%20%7D%20LIMIT%203", "text/csv"),
)


class FailingStore:
    """``store``, raising ``error`` instead of answering while ``error`` is set."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store, self.error = store, None  # type: ignore[var-annotated]

    def query(self, *args: object, **kwargs: object) -> object:
        if self.error is not None:
            raise self.error
        return self.store.query(*args, **kwargs)  # type: ignore[arg-type]

    def count(self) -> int:
        return self.store.count()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (StoreError("remote store http://127.0.0.1:9/query unreachable: refused"), 502),
        (StoreTimeout("remote store http://127.0.0.1:9/query did not answer within 2 s"), 504),
    ],
)
def test_a_fault_is_answered_on_every_route_and_not_remembered(
    settings: Settings, store: OxigraphStore, release: dict, app: Flask, error: StoreError, status: int
) -> None:
    failing = FailingStore(store)
    faulty = create_app(settings, failing, release)  # type: ignore[arg-type]
    client, healthy = faulty.test_client(), app.test_client()
    failing.error = error
    for _ in range(2):  # asked again: still the fault, never an answer made of it
        for path, accept in ROUTES:
            response = client.get(path, headers={"Accept": accept})
            body = response.get_data()
            assert response.status_code == status, (path, accept, response.status_code)
            assert str(error).encode() in body and b"Traceback" not in body, (path, body[:300])
            assert response.mimetype == ("text/html" if accept == "text/html" else "text/plain")
    failing.error = None
    for path, accept in ROUTES:
        response = client.get(path, headers={"Accept": accept})
        expected = healthy.get(path, headers={"Accept": accept})
        assert response.status_code == expected.status_code == 200, (path, accept)
        assert response.get_data() == expected.get_data(), (path, accept)


def test_a_store_fault_is_counted_as_a_store_error(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    failing = FailingStore(store)
    faulty = create_app(settings, failing, release)  # type: ignore[arg-type]
    failing.error = StoreTimeout("remote store http://127.0.0.1:9/query did not answer in 2 s")
    assert faulty.test_client().get("/catalog").status_code == 504
    failing.error = StoreError("remote store http://127.0.0.1:9/query answered 500: boom")
    assert faulty.test_client().get("/def").status_code == 502
    metrics = faulty.test_client().get("/metrics").get_data(as_text=True)
    assert "kkb_store_errors_total 2.0\n" in metrics
    assert 'family="catalog",method="GET",status="504"' in metrics
