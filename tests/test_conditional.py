"""Conditional requests: a client's cached copy is current only for the release that made it.

Pages and data are answered with ``ETag`` (a hash of the release id, what was asked, the format
and the page language) and ``Last-Modified`` (the release's build time). A rebuild must never be
answered 304 to a copy cached from the release before it.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
import urllib.response
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app

from .server import serve_process

VILLAGE = "/id/village/62.04.06.2020"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Pages of every route that carries the release's validators.
PAGES = [
    VILLAGE + ".ttl",
    VILLAGE + ".html",
    VILLAGE,
    "/def",
    "/def.ttl",
    "/",
    "/catalog",
    "/.well-known/void",
]


def later(created: str, seconds: int) -> str:
    return (dt.datetime.fromisoformat(created) + dt.timedelta(seconds=seconds)).isoformat()


@pytest.fixture(scope="module")
def apps(settings: Settings, store: OxigraphStore, release: dict) -> tuple[Flask, Flask]:
    """The session release served, and a rebuild of the same data a minute later."""
    rebuilt = dict(release, id=release["id"] + "-rebuilt", created=later(release["created"], 60))
    return create_app(settings, store, release), create_app(settings, store, rebuilt)


@pytest.mark.parametrize("path", PAGES)
def test_a_rebuild_is_not_answered_304_to_a_copy_of_the_release_before(
    apps: tuple[Flask, Flask], path: str
) -> None:
    old, new = (app.test_client() for app in apps)
    cached = old.get(path)
    assert cached.status_code == 200, cached.get_data(as_text=True)[:300]
    etag, modified = cached.headers["ETag"], cached.headers["Last-Modified"]
    assert old.get(path, headers={"If-None-Match": etag}).status_code == 304  # same release
    assert old.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    for _ in range(2):  # the first request, then the one from the page cache
        fresh = new.get(path, headers={"If-None-Match": etag})
        assert fresh.status_code == 200 and fresh.data
        assert fresh.headers["ETag"] != etag
        assert new.get(path, headers={"If-Modified-Since": modified}).status_code == 200
        assert new.get(path, headers={"If-None-Match": fresh.headers["ETag"]}).status_code == 304


def test_the_same_release_id_rebuilt_later_keeps_no_stale_date(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    """Last-Modified is the build time, to the second; an older If-Modified-Since gets 200."""
    client = create_app(settings, store, release).test_client()
    modified = client.get(VILLAGE + ".ttl").headers["Last-Modified"]
    built = dt.datetime.fromisoformat(release["created"]).astimezone(dt.UTC).replace(microsecond=0)
    assert modified == built.strftime("%a, %d %b %Y %H:%M:%S GMT")
    before = (built - dt.timedelta(seconds=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    after = (built + dt.timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(VILLAGE + ".ttl", headers={"If-Modified-Since": before}).status_code == 200
    assert client.get(VILLAGE + ".ttl", headers={"If-Modified-Since": after}).status_code == 304


def test_if_none_match_lists_weak_tags_and_star(client: FlaskClient) -> None:
    etag = client.get(VILLAGE + ".ttl").headers["ETag"]
    for header in (etag, f'"x", {etag}', f"W/{etag}", "*"):
        assert client.get(VILLAGE + ".ttl", headers={"If-None-Match": header}).status_code == 304
    for header in ('"x"', '"x", "y"', etag[:-2] + '"'):
        assert client.get(VILLAGE + ".ttl", headers={"If-None-Match": header}).status_code == 200


def test_if_none_match_decides_before_if_modified_since(client: FlaskClient) -> None:
    """RFC 9110 13.2.2: a date is not looked at when tags are given."""
    first = client.get(VILLAGE + ".ttl")
    modified = first.headers["Last-Modified"]
    other = client.get(VILLAGE + ".ttl", headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert other.status_code == 200 and other.data == first.data


def test_a_304_carries_the_validators_and_no_body(client: FlaskClient) -> None:
    first = client.get(VILLAGE, headers={"Accept": BROWSER})
    again = client.get(VILLAGE, headers={"Accept": BROWSER, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Link"] == first.headers["Link"]
    assert again.headers["Content-Location"] == VILLAGE + ".html"
    assert {"Accept", "Cookie"} <= set(again.vary)
    assert "Content-Type" not in again.headers and "Content-Length" not in again.headers


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_match_and_range_go_to_the_full_check(client: FlaskClient, method: str) -> None:
    """If-Match (412 when it fails) and Range are decided by the full check."""
    etag = client.get(VILLAGE + ".ttl").headers["ETag"]
    call = getattr(client, method.lower())
    assert call(VILLAGE + ".ttl", headers={"If-Match": '"other"'}).status_code == 412
    assert call(VILLAGE + ".ttl", headers={"If-Match": etag}).status_code == 200
    ranged = call(VILLAGE + ".ttl", headers={"Range": "bytes=0-9", "If-None-Match": etag})
    assert ranged.status_code == 304


def test_validators_vary_by_what_was_asked(client: FlaskClient) -> None:
    tags = {
        path: client.get(path, headers={"Accept": accept}).headers["ETag"]
        for path, accept in (
            (VILLAGE + ".ttl", "*/*"),
            (VILLAGE + ".nt", "*/*"),
            ("/id/village/62.04.06.2024.ttl", "*/*"),
            (VILLAGE + ".html?lang=en", BROWSER),
            (VILLAGE + ".html?lang=id", BROWSER),
        )
    }
    assert len(set(tags.values())) == len(tags)
    data = client.get(VILLAGE + ".ttl?lang=en")  # data has no language: one tag for all
    assert data.headers["ETag"] == tags[VILLAGE + ".ttl"] and data.vary.as_set() == {"accept"}


def test_without_a_release_date_there_is_no_last_modified(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    undated = {k: v for k, v in release.items() if k != "created"}
    client = create_app(settings, store, undated).test_client()
    first = client.get(VILLAGE + ".ttl")
    assert first.status_code == 200 and "Last-Modified" not in first.headers
    assert client.get(VILLAGE + ".ttl", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert (
        client.get(
            VILLAGE + ".ttl", headers={"If-Modified-Since": "Mon, 01 Jan 2035 00:00:00 GMT"}
        ).status_code
        == 200
    )


def test_a_store_that_may_change_is_asked_every_time(settings: Settings, store: OxigraphStore) -> None:
    """Without a release id (a remote store), no answer carries validators or may be kept by a
    cache (no-store), and no page is kept: a changed store is seen at once."""
    asked = []

    class Counting(OxigraphStore):
        def query(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201 - OxigraphStore.query's
            asked.append(args[0])
            return super().query(*args, **kwargs)

    client = create_app(settings, Counting(store.ox), {}).test_client()
    first = client.get(VILLAGE + ".ttl")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert "ETag" not in first.headers and "Last-Modified" not in first.headers
    before = len(asked)
    again = client.get(VILLAGE + ".ttl", headers={"If-None-Match": '"anything"'})
    assert again.status_code == 200 and len(asked) > before


def test_if_match_is_never_skipped(client: FlaskClient) -> None:
    """A tag in If-None-Match does not make a failing If-Match pass: 412, not 304."""
    etag = client.get(VILLAGE + ".ttl").headers["ETag"]
    failing = client.get(VILLAGE + ".ttl", headers={"If-None-Match": etag, "If-Match": '"other"'})
    assert failing.status_code == 412


#: Every route that answers from the release alone, with what chooses its answer (``Vary``).
CACHED = [
    (VILLAGE + ".ttl", "*/*", {"accept"}),
    (VILLAGE, BROWSER, {"accept", "accept-language", "cookie"}),
    (VILLAGE, "application/ld+json", {"accept"}),
    ("/def", BROWSER, {"accept", "accept-language", "cookie"}),
    ("/def.ttl", "*/*", {"accept"}),
    ("/", BROWSER, {"accept-language", "cookie"}),
    ("/catalog", "text/turtle", {"accept"}),
    ("/catalog", BROWSER, {"accept", "accept-language", "cookie"}),
    ("/.well-known/void", "*/*", {"accept"}),
    ("/sitemap.xml", "*/*", set()),
]


@pytest.mark.parametrize(("path", "accept", "vary"), CACHED)
def test_release_answers_say_how_long_any_cache_may_keep_them(
    client: FlaskClient, path: str, accept: str, vary: set[str]
) -> None:
    for method in ("GET", "HEAD"):
        first = client.open(path, method=method, headers={"Accept": accept})
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=300"
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        assert first.vary.as_set() == vary
        assert first.headers["X-KKB-Release"] == client.application.extensions["kkb"].release["id"]
        again = client.open(
            path, method=method, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304 and again.data == b""
        assert again.headers["Cache-Control"] == "public, max-age=300"
        assert again.headers["ETag"] == first.headers["ETag"]


def test_cache_max_age_0_asks_caches_to_revalidate(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    client = create_app(replace(settings, cache_max_age=0), store, release).test_client()
    for path in (VILLAGE, "/", "/catalog"):
        assert client.get(path).headers["Cache-Control"] == "no-cache"


def test_errors_are_never_kept(client: FlaskClient) -> None:
    for path, accept, status in (
        (VILLAGE + "9", BROWSER, 404),
        ("/id/nothing/1", "*/*", 404),
        (VILLAGE, "image/png", 406),
        ("/dumps/nothing", "*/*", 404),
    ):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == status
        assert answer.headers["Cache-Control"] == "no-store" and "ETag" not in answer.headers


def test_a_language_cookie_makes_the_answer_private(client: FlaskClient) -> None:
    chosen = client.get(VILLAGE + "?lang=en", headers={"Accept": BROWSER})
    assert "kkb_lang=en" in chosen.headers["Set-Cookie"]
    assert chosen.headers["Cache-Control"] == "private, max-age=300"


def test_dumps_are_validated_by_their_checksum(client: FlaskClient, release: dict) -> None:
    entry = release["dumps"][0]
    with client.get(f"/dumps/{entry['name']}") as dump:
        assert dump.headers["ETag"] == f'"{entry["sha256"]}"'
        assert dump.headers["Cache-Control"] == "public, max-age=300"
    with client.get(f"/dumps/{release['id']}/{entry['name']}") as kept:
        assert kept.status_code == 200 and kept.headers["ETag"] == f'"{entry["sha256"]}"'
        assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    gone = client.get(f"/dumps/20000101T000000Z/{entry['name']}")
    assert gone.status_code == 404 and gone.headers["Cache-Control"] == "no-store"
    assert f"/dumps/{release['id']}/{entry['name']}" in gone.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept_language", "cookie", "lang"),
    [
        ("en-GB,en;q=0.9", None, "en"),
        ("id-ID,id;q=0.9,en;q=0.5", None, "id"),
        ("fr-FR", None, "id"),
        (None, None, "id"),
        ("en", "id", "id"),
        ("id", "en", "en"),
    ],
)
def test_the_page_language_follows_the_browser_unless_chosen(
    app: Flask, accept_language: str | None, cookie: str | None, lang: str
) -> None:
    client = app.test_client()
    if cookie:
        client.set_cookie("kkb_lang", cookie)
    headers = {"Accept": BROWSER, **({"Accept-Language": accept_language} if accept_language else {})}
    page = client.get(VILLAGE, headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}"' in page


def test_a_real_server_sends_the_caching_headers(settings: Settings) -> None:
    """Through ``kkb-lod serve`` (gunicorn): the headers a proxy in front of it sees."""
    with serve_process(
        "--build", str(settings.build_dir), env={"KKB_CACHE_MAX_AGE": "60", "KKB_BASE_IRI": settings.base_iri}
    ) as url:
        page = fetch(url + VILLAGE, {"Accept": BROWSER})
        assert page.status == 200 and page.headers["Cache-Control"] == "public, max-age=60"
        assert {"Accept", "Accept-Language", "Cookie"} <= {v.strip() for v in page.headers["Vary"].split(",")}
        again = fetch(url + VILLAGE, {"Accept": BROWSER, "If-None-Match": page.headers["ETag"]})
        assert again.status == 304 and again.headers["ETag"] == page.headers["ETag"]
        missing = fetch(url + "/id/village/99.99.99.9999", {})
        assert missing.status == 404 and missing.headers["Cache-Control"] == "no-store"


def fetch(url: str, headers: dict[str, str]) -> urllib.response.addinfourl:
    """The answer to a GET of ``url``, whatever its status (read and closed)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            answer.read()
            return answer
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            return error


def test_a_page_varies_by_what_chooses_its_language_and_data_does_not(client: FlaskClient) -> None:
    """A shared cache (nginx) must keep a page per ``Accept-Language`` and ``Cookie``: they choose
    its language. Turtle is the same for every reader: it varies by ``Accept`` only."""
    page = client.get("/id/district/62.04.06", headers={"Accept": "text/html"})
    data = client.get("/id/district/62.04.06", headers={"Accept": "text/turtle"})
    assert page.status_code == data.status_code == 200
    assert {"Accept", "Accept-Language", "Cookie"} <= set(page.vary)
    assert "Accept" in data.vary and not {"Accept-Language", "Cookie"} & set(data.vary)
