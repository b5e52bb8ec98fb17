"""Repeated /id/ requests answered without Flask: the same answers, still counted and logged."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import Flask
from werkzeug.test import Client
from werkzeug.wrappers import Response

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web._hits import ResourceHits
from kkb_lod.web._pages import COOKIE

VILLAGE = "/id/village/62.04.01.1003"

#: (method, path, headers): pages, graphs by Accept and by suffix, both languages, conditional
#: requests, HEAD, an unknown resource and a path that is not an IRI of ours.
REQUESTS = [
    ("GET", VILLAGE, {"Accept": "text/html"}),
    ("GET", VILLAGE, {"Accept": "text/turtle"}),
    ("GET", VILLAGE, {"Accept": "application/ld+json;q=0.9, text/html;q=0.1"}),
    ("GET", VILLAGE + ".nt", {}),
    ("GET", VILLAGE, {}),
    ("HEAD", VILLAGE, {"Accept": "text/html"}),
    ("GET", "/id/kkb/62.04.01.1003", {"Accept": "text/html", "Accept-Language": "en"}),
    ("GET", "/id/village/62.04.01.1099", {"Accept": "text/html"}),
    ("GET", "/id/nothing/here", {}),
]


@pytest.fixture
def hits_app(settings: Settings, store: OxigraphStore, release: dict) -> Flask:
    """A fresh app (its own remembered answers), as ``kkb-lod serve`` opens it."""
    app = create_app(settings, store, release)
    assert isinstance(app.wsgi_app, ResourceHits)
    return app


def _flask_only(app: Flask) -> Client:
    """A client of the same app without the remembered answers."""
    return Client(app.wsgi_app.app, Response)  # type: ignore[attr-defined]


def _seen(response: Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((n, v) for n, v in response.headers if n != "X-Request-ID")
    return response.status_code, headers, response.get_data()


def _refuse(environ: dict, start_response: object) -> list[bytes]:
    raise AssertionError(f"{environ['PATH_INFO']} went to Flask")


def _with_etag(app: Flask, headers: dict[str, str]) -> dict[str, str]:
    tag = app.test_client().get(VILLAGE, headers=headers).headers["ETag"]
    return {**headers, "If-None-Match": tag}


def test_remembered_answers_are_the_answers_flask_gives(hits_app: Flask) -> None:
    """All the requests through one app, twice (the second time from what it remembered), each
    answer as Flask alone gives it: no answer is given for another request."""
    client, reference = hits_app.test_client(), _flask_only(hits_app)
    requests = [*REQUESTS, ("GET", VILLAGE, _with_etag(hits_app, {"Accept": "text/html"}))]
    firsts = [client.open(path, method=method, headers=headers)
              for method, path, headers in requests]
    for (method, path, headers), first in zip(requests, firsts, strict=True):
        again = client.open(path, method=method, headers=headers)
        expected = reference.open(path, method=method, headers=headers)
        assert _seen(first) == _seen(again) == _seen(expected), (method, path, headers)
        assert first.headers["X-Request-ID"] != again.headers["X-Request-ID"]
    assert len(hits_app.wsgi_app._answers) == 8  # type: ignore[attr-defined]  # 200s and 304s


def test_the_language_cookie_is_part_of_what_is_remembered(hits_app: Flask) -> None:
    client, reference = hits_app.test_client(), _flask_only(hits_app)
    indonesian = client.get(VILLAGE, headers={"Accept": "text/html"})
    client.set_cookie(COOKIE, "en")
    reference.set_cookie(COOKIE, "en")
    english = [client.get(VILLAGE, headers={"Accept": "text/html"}) for _ in range(2)]
    expected = reference.get(VILLAGE, headers={"Accept": "text/html"})
    assert _seen(english[0]) == _seen(english[1]) == _seen(expected)
    assert english[0].get_data() != indonesian.get_data()
    assert b'lang="en"' in english[0].get_data()


def test_conditional_requests_are_remembered_as_304(hits_app: Flask) -> None:
    headers = _with_etag(hits_app, {"Accept": "text/html"})
    client = hits_app.test_client()
    first = client.get(VILLAGE, headers=headers)
    hits_app.wsgi_app.app = _refuse  # type: ignore[attr-defined]
    again = client.get(VILLAGE, headers=headers)
    assert first.status_code == again.status_code == 304
    assert _seen(first) == _seen(again) and again.get_data() == b""


def test_a_repeated_request_does_not_enter_flask(hits_app: Flask) -> None:
    client = hits_app.test_client()
    first = client.get(VILLAGE, headers={"Accept": "text/turtle"})
    hits_app.wsgi_app.app = _refuse  # type: ignore[attr-defined]
    assert _seen(client.get(VILLAGE, headers={"Accept": "text/turtle"})) == _seen(first)
    with pytest.raises(AssertionError, match="went to Flask"):  # another header: a miss
        client.get(VILLAGE, headers={"Accept": "text/turtle", "Accept-Language": "en"})


@pytest.mark.parametrize(("path", "headers"), [
    (VILLAGE + "?lang=en", {"Accept": "text/html"}),  # sets the language cookie
    ("/id/village/62.04.01.1099", {"Accept": "text/html"}),  # 404
])
def test_answers_with_a_cookie_or_an_error_are_not_remembered(
        hits_app: Flask, path: str, headers: dict[str, str]) -> None:
    client = hits_app.test_client()
    client.get(path, headers=headers)
    hits_app.wsgi_app.app = _refuse  # type: ignore[attr-defined]
    with pytest.raises(AssertionError, match="went to Flask"):
        client.get(path, headers=headers)


def test_a_remembered_answer_is_counted_and_logged(hits_app: Flask,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    client = hits_app.test_client()
    client.get(VILLAGE, headers={"Accept": "text/html"})
    before = _resource_count(client.get("/metrics").get_data(True))
    with caplog.at_level(logging.INFO, logger="kkb_lod.access"):
        again = client.get(VILLAGE, headers={"Accept": "text/html", "X-Request-ID": "trace-7"})
    assert again.headers["X-Request-ID"] == "trace-7"
    assert _resource_count(client.get("/metrics").get_data(True)) == before + 1
    record = json.loads(caplog.records[-1].getMessage())
    assert record["request_id"] == "trace-7" and record["status"] == 200
    assert record["path"] == VILLAGE and record["bytes"] == len(again.get_data())
    forged = client.get(VILLAGE, headers={"Accept": "text/html", "X-Request-ID": "no spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def _resource_count(metrics: str) -> int:
    match = re.search(r'kkb_requests_total\{family="resources",method="GET",status="200"\} (\d+)',
                      metrics)
    return int(match[1]) if match else 0


def test_not_used_with_a_rate_limit_or_a_store_that_may_change(
        settings: Settings, store: OxigraphStore, release: dict) -> None:
    limited = Settings(**{**settings.__dict__, "rate_limit": 100})
    assert not isinstance(create_app(limited, store, release).wsgi_app, ResourceHits)
    assert not isinstance(create_app(settings, store, {}).wsgi_app, ResourceHits)


def test_remembered_bodies_stay_within_the_budget(hits_app: Flask) -> None:
    hits = hits_app.wsgi_app
    assert isinstance(hits, ResourceHits)
    accepts = ("text/html", "text/turtle", "application/n-triples", "application/ld+json")
    sizes = [len(_flask_only(hits_app).get(VILLAGE, headers={"Accept": a}).get_data())
             for a in accepts]
    hits.budget = sum(sizes) - 1  # all four do not fit
    client = hits_app.test_client()
    for accept in accepts:
        client.get(VILLAGE, headers={"Accept": accept})
        assert 0 < hits.used <= hits.budget
    assert len(hits._answers) < len(accepts)
    assert hits.used == sum(len(body) for _, _, body, _ in hits._answers.values())
