"""The Flask app: ``create_app(settings=None, store=None, release=None)``.

The factory receives its world: tests pass ``Settings`` and a store; ``server.py`` passes nothing
and gets the store the settings name (the current release of ``settings.build_dir``, or a remote
store when ``sparql_url`` is set). Everything the app keeps is on it, in ``app.extensions["kkb"]``
(:class:`Kkb`, read with :func:`kkb`). Each URL family is one blueprint; the views reach the store
only through SPARQL. Every response allows any origin (CORS: the data is open) and names the
release it comes from (``X-KKB-Release``); no error is cacheable. A failing store is a 502, a slow
one a 504 (:func:`store_fault`), an unreadable request body a 400 (:func:`unreadable_body`).
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, Response, current_app, g, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import BadGateway, BadHost, BadRequest, GatewayTimeout, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from kkb_lod.config import Settings, for_release, load_settings
from kkb_lod.iris import Minter
from kkb_lod.store import OxigraphStore, Store, StoreError, StoreTimeout, open_store
from kkb_lod.web._prefix import Checked
from kkb_lod.web._ratelimit import Table
from kkb_lod.web._watchdog import Watchdog

if TYPE_CHECKING:
    from kkb_lod.releases import Pin
    from kkb_lod.web._pages import Pages
    from kkb_lod.web.ops import Metrics

try:  # what gunicorn's request body raises when the body is malformed (gunicorn needs POSIX)
    from gunicorn.http.errors import ParseException as BodyParseError
except ImportError:  # pragma: no cover - without gunicorn, werkzeug's server reports OSError
    BodyParseError = None

#: Methods a browser may use cross-origin, and how long it may cache that answer (seconds).
CORS_METHODS, CORS_MAX_AGE = "GET, POST, OPTIONS", "86400"


@dataclass
class Kkb:
    """What one app keeps: settings, store, release manifest (empty for a remote store), the
    query pool with ``max_queries`` slots (abandoned queries hold theirs), the watchdog, metrics,
    the pages' Minter and page cache, and the rate-limit table if ``rate_limit`` is set (in a
    worker, the master's: :mod:`._workers`)."""

    settings: Settings
    store: Store
    release: dict[str, Any]
    pool: ThreadPoolExecutor
    slots: threading.Semaphore
    watchdog: Watchdog
    metrics: Metrics
    pages: Pages
    rate_table: Table | None = None


def kkb() -> Kkb:
    """The state of the app handling the current request."""
    return cast(Kkb, current_app.extensions["kkb"])


def create_app(
    settings: Settings | None = None, store: Store | None = None, release: dict[str, Any] | None = None
) -> Flask:
    """Build the app. Without a store, open the one ``settings`` names, with its manifest."""
    from kkb_lod.web import archive, catalog, graphs, ldes, ops, reconcile, releases, resources, sparql
    from kkb_lod.web._pages import Pages, roots

    settings = asked = settings or load_settings()
    older: list[Pin] = []  # the releases before it served too (serve_releases): kkb_lod.web.archive
    if store is None:
        store, release, older = _open(settings)
        settings = for_release(settings, release)  # the base IRI the release was built with
    app = Flask(__name__)
    app.extensions["kkb"] = Kkb(
        settings,
        store,
        release or {},
        ThreadPoolExecutor(settings.max_queries, thread_name_prefix="kkb-sparql-query"),
        threading.BoundedSemaphore(settings.max_queries),
        Watchdog(max(settings.query_hard_limit, settings.query_timeout)),
        ops.Metrics(),
        Pages(Minter(settings.base_iri)),
        Table() if settings.rate_limit else None,
    )
    app.after_request(common_headers)
    app.register_error_handler(HTTPException, plain_error)  # also a bug's 500, once logged
    app.register_error_handler(StoreError, store_fault)
    app.register_error_handler(
        BadHost,
        lambda _: plain_error(
            BadRequest(
                "The Host header is not a host name this server can answer for (each label between "
                "dots 1 to 63 characters)."
            )
        ),
    )
    if BodyParseError is not None:
        app.register_error_handler(BodyParseError, unreadable_body)
    app.context_processor(roots)  # the templates' links under the path prefix
    ops.init_app(app)
    for module in (sparql, catalog, resources, graphs, reconcile, releases, ldes):
        app.register_blueprint(module.bp)
    archive.mount(app, asked, older)
    # links for the scheme, host and path prefix the client used (proxies trusted: TLS at nginx)
    inner, trusted = Checked(app.wsgi_app), settings.trusted_proxies
    app.wsgi_app = (  # type: ignore[method-assign]
        ProxyFix(inner, x_for=0, x_proto=trusted, x_host=trusted, x_prefix=trusted) if trusted else inner
    )
    return app


def _open(settings: Settings) -> tuple[Store, dict[str, Any], list[Pin]]:
    """The store ``settings`` name, with the manifest of the release it serves (if local),
    pinned while the store is in use: the one the gunicorn master pinned for its workers
    (:func:`kkb_lod.releases.held`), else ``current``; and the pins of the releases before it
    served too (``serve_releases``): the master's with its pin, else made here."""
    if settings.sparql_url:
        return open_store(settings), {}, []
    from kkb_lod import releases

    held = releases.held(settings.build_dir)
    pin = held or releases.pin_current(settings.build_dir)  # unless held, let go when unused
    path = pin.path
    try:
        release = releases.read_manifest(path)
    except (OSError, ValueError) as err:
        raise StoreError(
            f"the release {path} is damaged, its manifest.json unreadable ({err}); "
            "rebuild it with 'kkb-lod build'"
        ) from None
    release["path"] = str(path)
    store = OxigraphStore.from_release(path, settings.store)
    if pin is not held:  # ours alone: kept as long as the store
        weakref.finalize(store, pin.close)
    older = releases.held_before(pin)
    return store, release, releases.served_lineage(path, settings.serve_releases) if older is None else older


def common_headers(response: Response) -> Response:
    """Let any web page read any answer and answer CORS preflights (OPTIONS) for GET and POST;
    name the release that answered; keep errors out of every cache; say ``Vary: Accept-Language,
    Cookie`` on every answer whose language they chose (pages, error pages)."""
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = CORS_METHODS
        headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type"
        )
        headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    release = kkb().release.get("id")
    if release:
        headers["X-KKB-Release"] = release
    if response.status_code >= 400:
        headers["Cache-Control"] = "no-store"
    if g.get("kkb_lang") is not None:  # the answer is in the language the request chose
        response.vary.update(["Accept-Language", "Cookie"])
    return response


def store_fault(error: StoreError) -> Response:
    """A store that failed (502) or did not answer within its timeout (504), on any route that
    asked it something: the fault is upstream, so never a 500."""
    current_app.logger.warning("store fault on %s %s: %s", request.method, request.path, error)
    if isinstance(error, StoreTimeout):
        return plain_error(GatewayTimeout(f"The data store is too slow: {error}. Try again later."))
    return plain_error(BadGateway(f"The data store failed: {error}. Try again later."))


def unreadable_body(error: Exception) -> Response:
    """A request body gunicorn could not read (a malformed chunked body): the client's fault,
    400 (gunicorn then closes the connection)."""
    return plain_error(BadRequest(f"The request body is malformed: {error}"))


def plain_error(error: HTTPException) -> Response:
    """An HTTP error saying what went wrong, as a page for browsers (unless werkzeug cannot bind
    URLs to the request's ``Host``) and as plain text for programs; with the error's headers."""
    body = f"{error.code} {error.name}: {error.description}\n"
    browser = request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"
    if (
        browser
        and request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/plain"]
        and request_ctx.url_adapter is not None
    ):
        from kkb_lod.web._errors import error_text
        from kkb_lod.web._pages import page_lang, remember_lang

        lang = page_lang()  # the page in the reader's language, the plain text in English
        html = render_template("error.html", lang=lang, error=error, message=error_text(error, lang))
        response = remember_lang(Response(html, status=error.code, mimetype="text/html"))
    else:
        response = Response(body, status=error.code, mimetype="text/plain")
    response.vary.add("Accept")  # a page for browsers, plain text for programs
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
