"""The Flask app: ``create_app(settings=None, store=None, release=None)``.

The factory receives its world: tests pass ``Settings`` and a store; ``server.py`` passes nothing
and gets the store the settings name (the current release of ``settings.build_dir``, or a remote
store when ``sparql_url`` is set). Each URL family is one blueprint, always registered; the views
reach the store only through SPARQL (``kkb_lod.store.Store``). Every response allows any origin
(CORS): the data is open, and browser-based SPARQL clients must be able to read it.

Faults that are not the app's own get their status in one place, on every route: a store that
fails is a 502 and one that does not answer in time a 504 (:func:`store_fault`); a request body
the server cannot read (a malformed chunked body) is a 400 (:func:`unreadable_body`).
"""

from __future__ import annotations

import weakref
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import BadGateway, BadHost, BadRequest, GatewayTimeout, HTTPException

from kkb_lod.config import Settings, for_release, load_settings
from kkb_lod.store import OxigraphStore, Store, StoreError, StoreTimeout, open_store

try:  # what gunicorn's request body raises when the body is malformed (gunicorn needs POSIX)
    from gunicorn.http.errors import ParseException as BodyParseError
except ImportError:  # pragma: no cover - without gunicorn, werkzeug's server reports OSError
    BodyParseError = None  # type: ignore[assignment,misc]

#: Methods a browser may use cross-origin, and how long it may cache that answer (seconds).
CORS_METHODS, CORS_MAX_AGE = "GET, POST, OPTIONS", "86400"


def create_app(settings: Settings | None = None, store: Store | None = None,
               release: dict[str, Any] | None = None) -> Flask:
    """Build the app. Without a store, open the one ``settings`` names.

    ``release`` is the release manifest (``manifest.json``: id, created, counts, dumps); it is
    read from the build folder when the store is opened here.
    """
    settings = settings or load_settings()
    if store is None:
        store, release = _open(settings)
        settings = for_release(settings, release)  # the base IRI the release was built with
    app = Flask(__name__)
    app.config["KKB_SETTINGS"] = settings
    app.extensions["kkb_store"] = store
    app.extensions["kkb_release"] = release or {}
    if isinstance(store, OxigraphStore):  # unchanging while served: see _query.KnownQueries
        from kkb_lod.web._query import KnownQueries

        app.extensions["kkb_known_queries"] = KnownQueries()
    app.after_request(allow_any_origin)
    app.register_error_handler(HTTPException, plain_error)  # also a bug's 500, once logged
    app.register_error_handler(StoreError, store_fault)
    app.register_error_handler(BadHost, lambda _: plain_error(BadRequest(
        "The Host header is not a host name this server can answer for (each label between "
        "dots 1 to 63 characters).")))
    if BodyParseError is not None:
        app.register_error_handler(BodyParseError, unreadable_body)

    from kkb_lod.web import catalog, ops, reconcile, resources, sparql

    ops.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(catalog.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(reconcile.bp)
    return app


def _open(settings: Settings) -> tuple[Store, dict[str, Any]]:
    """The store ``settings`` name, with the manifest of the release it serves (if local).

    A local release is pinned while its store is in use (pruning leaves it alone): the release
    the gunicorn master pinned for its workers (:func:`kkb_lod.releases.held`), never whatever
    ``current`` is when a worker is (re)started; else ``current``, pinned here.
    """
    if settings.sparql_url:
        return open_store(settings), {}
    from kkb_lod import releases

    held = releases.held(settings.build_dir)
    pin = held or releases.pin_current(settings.build_dir)  # unless held, let go when unused
    path = pin.path
    try:
        release = releases.read_manifest(path)
    except (OSError, ValueError) as err:
        raise StoreError(f"the release {path} is damaged, its manifest.json unreadable ({err}); "
                         "rebuild it with 'kkb-lod build'") from None
    release["path"] = str(path)
    store = OxigraphStore.from_release(path, settings.store)
    if pin is not held:  # ours alone: kept as long as the store
        weakref.finalize(store, pin.close)
    return store, release


def allow_any_origin(response: Response) -> Response:
    """Let any web page read any answer; answer CORS preflights (OPTIONS) for GET and POST."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type")
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


def store_fault(error: StoreError) -> Response:
    """A store that failed (502) or did not answer within its timeout (504), on any route that
    asked it something: the fault is upstream, so never a 500, and nothing of it is cached (the
    page cache and the remembered answers keep only successful answers)."""
    current_app.logger.warning("store fault on %s %s: %s", request.method, request.path, error)
    if isinstance(error, StoreTimeout):
        return plain_error(GatewayTimeout(f"The data store is too slow: {error}. Try again later."))
    return plain_error(BadGateway(f"The data store failed: {error}. Try again later."))


def unreadable_body(error: Exception) -> Response:
    """A request body the server could not read (gunicorn's chunked decoder refused it: a bad
    chunk size, a missing chunk terminator, a malformed trailer): the client's fault, 400.
    gunicorn closes the connection afterwards, as where the next request starts is unknown."""
    return plain_error(BadRequest(f"The request body is malformed: {error}"))


def plain_error(error: HTTPException) -> Response:
    """An HTTP error saying what went wrong, as a page for browsers and as plain text for
    programs; keeps the error's headers (Allow, Retry-After).

    A request whose ``Host`` werkzeug cannot bind URLs to (a label over 63 characters, an empty
    label) gets plain text: the page's links are built for its host.
    """
    body = f"{error.code} {error.name}: {error.description}\n"
    browser = request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"
    if browser and request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/plain"] \
            and request_ctx.url_adapter is not None:
        from kkb_lod.web._pages import page_lang

        html = render_template("error.html", lang=page_lang(), error=error)
        response = Response(html, status=error.code, mimetype="text/html")
    else:
        response = Response(body, status=error.code, mimetype="text/plain")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response

