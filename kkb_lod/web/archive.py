"""Older releases served read-only beside the current one, each under ``/releases/<id>/``.

A server of a release also serves up to ``serve_releases - 1`` releases before it in its lineage
(:func:`kkb_lod.releases.served_lineage`), pinned while it serves them (by the gunicorn master for
its workers, as it pins ``current``). :class:`Archive` sits in front of the current app (WSGI):
``/releases/<id>/…`` of an older release goes to that release's app with ``SCRIPT_NAME``
extended by ``/releases/<id>``, ``/dumps/<id>/<name>`` to its dump, everything else to the
current app (whose ``/releases/<id>`` page describes every served release).

Each older release gets an app from the same factory, made in each process on its first request
(the master forks the workers before any store is opened): from the release's on-disk store when it
has one, read-only, whatever the ``store`` setting (the processes share its pages through the OS
cache), else its dump loaded into memory, a copy per worker (:func:`kkb_lod.releases.archive_mode`).
It shares the current app's query slots, watchdog, metrics and rate limit (``max_queries`` stays
per process; the metrics and the sitemap are at the top only). Its answers are the same views with the same
limits, plus: cacheable for a year (a release never changes), ``noindex`` (header and ``<meta>``:
search engines index the current pages), and a note atop every page naming the release and linking
the same page in the current release (both drawn by ``layout.html`` from :func:`archived`). Its
links and redirects stay under its prefix by themselves: every link the app makes is under
``request.script_root`` (:mod:`kkb_lod.web._pages`); those to ``/releases/…`` under the server's
root, kept in the environ as :data:`~kkb_lod.web._pages.SERVER_ROOT`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as WsgiResponse

from kkb_lod.config import Settings, SettingsError, for_release
from kkb_lod.releases import Pin, archive_mode, read_manifest
from kkb_lod.store import OxigraphStore, StoreError
from kkb_lod.web._pages import SERVER_ROOT

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("kkb_lod.archive")
#: Where the older releases live on this server, and the app extension that names them.
PREFIX, EXTENSION = "/releases/", "kkb_archive"
#: How long a cache may keep an answer of an older release: a year.
ARCHIVE_MAX_AGE = 365 * 86400


@dataclass
class Older:
    """One older release served: its manifest (with ``path``), pin, settings, and its app once
    a request asked for it in this process."""

    manifest: dict[str, Any]
    pin: Pin
    settings: Settings
    app: Flask | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Archive:
    """The WSGI dispatch in front of the current app (see the module)."""

    def __init__(self, current: Flask, inner: WSGIApplication, older: Iterable[Older]) -> None:
        self.current, self.inner = current, inner
        self.older = {o.manifest["id"]: o for o in older}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for head in (PREFIX, "/dumps/"):
            if path.startswith(head):
                release_id, slash, rest = path[len(head) :].partition("/")
                older = self.older.get(release_id) if slash else None
                if older is None:
                    break
                root = environ.get("SCRIPT_NAME", "")
                inside = "/" + rest if head == PREFIX else path  # /dumps/<id>/<name> is its too
                moved = {"SCRIPT_NAME": root + PREFIX + release_id, "PATH_INFO": inside, SERVER_ROOT: root}
                mine = {**environ, **moved}
                mine.pop("HTTP_X_FORWARDED_PREFIX", None)  # in root already: not read again inside
                return self._answer(older, mine, start_response)
        return self.inner(environ, start_response)

    def _answer(
        self, older: Older, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            app = self._app(older)
        except (StoreError, OSError, ValueError) as err:  # not kept: the next request tries again
            log.warning("cannot open the older release %s: %s", older.manifest["id"], err)
            failed = WsgiResponse(
                f"502 Bad Gateway: the release {older.manifest['id']} cannot be opened ({err}). "
                "Try again later.\n",
                status=502,
                mimetype="text/plain",
                headers={"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"},
            )
            return failed(environ, start_response)
        return app(environ, start_response)

    def _app(self, older: Older) -> Flask:
        """The older release's app in this process, made on its first request."""
        with older.lock:
            if older.app is None:
                from kkb_lod.web import create_app

                path = Path(older.manifest["path"])
                store = OxigraphStore.from_release(path, archive_mode(path))
                app = create_app(older.settings, store, older.manifest)
                mine, theirs = app.extensions["kkb"], self.current.extensions["kkb"]
                mine.pool, mine.slots = theirs.pool, theirs.slots
                mine.watchdog, mine.metrics = theirs.watchdog, theirs.metrics
                mine.rate_table = theirs.rate_table if mine.rate_table is not None else None
                mine.pages.by_query = True  # its pages' note names their address
                app.before_request(not_here)
                app.after_request(not_indexed)
                app.context_processor(archived)
                older.app = app
            return older.app


def mount(app: Flask, settings: Settings, pins: list[Pin]) -> None:
    """Serve the older releases ``pins`` names (newest first) in front of ``app``, the current
    release's; one whose manifest cannot be read or whose base IRI ``settings`` refuse is left
    out, saying why in the log."""
    older = []
    for pin in pins:
        try:
            manifest = read_manifest(pin.path)
            mine = for_release(settings, manifest)
        except (OSError, ValueError) as err:  # SettingsError is a ValueError
            kind = "settings" if isinstance(err, SettingsError) else "manifest"
            log.warning("not serving the older release %s (%s): %s", pin.path.name, kind, err)
            continue
        manifest["path"] = str(pin.path)
        manifest.setdefault("id", pin.path.name)
        mine = dataclasses.replace(mine, cache_max_age=ARCHIVE_MAX_AGE, serve_releases=1)
        if mine.public_url:
            mine = dataclasses.replace(mine, public_url=f"{mine.public_url}releases/{manifest['id']}/")
        older.append(Older(manifest, pin, mine))
    if older:
        archive = Archive(app, app.wsgi_app, older)
        app.extensions[EXTENSION] = archive
        app.wsgi_app = archive  # type: ignore[method-assign]


def served(app: Flask) -> dict[str, dict[str, Any]]:
    """Manifests of the older releases ``app`` serves besides its own, newest first, by id."""
    archive = app.extensions.get(EXTENSION)
    return {rid: o.manifest for rid, o in archive.older.items()} if archive else {}


def not_here() -> None:
    """What is the server's, not a release's, is not repeated under each older release's prefix:
    the process's metrics (at ``/metrics``, which a proxy keeps to its operators) and the sitemap
    (search engines are to index the current pages only)."""
    if request.endpoint == "ops.metrics":
        raise NotFound("the metrics are not served under a release's path: /metrics")
    if request.endpoint == "catalog.sitemap":
        raise NotFound("an older release has no sitemap (its pages are noindex): /sitemap.xml")


def not_indexed(response: Response) -> Response:
    """An older release's answer is not for search engines (its pages say so too)."""
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def archived() -> dict[str, Any]:
    """What ``layout.html`` draws atop an older release's page (``<meta name="robots">`` and the
    note): the release, and where it and this page are in the current release. In the page cache
    per address (:attr:`kkb_lod.web._pages.Pages.by_query`): the note names it."""
    from kkb_lod.web import kkb

    outer, made = request.environ.get(SERVER_ROOT, ""), kkb().release
    query = request.query_string.decode("latin-1")
    return {
        "archived": {
            "id": made["id"],
            "created": str(made.get("created", "")),
            "href": outer + PREFIX + made["id"],
            "current": outer + request.path + (f"?{query}" if query else ""),
        }
    }
