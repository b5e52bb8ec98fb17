"""Shared helpers of our pages: the page language, labels in it, links to our IRIs, the one page
cache, and the caching headers of every answer that depends only on the release.

Links: every path the app writes goes under ``request.script_root`` (:func:`url`; templates:
:func:`roots`), the path
prefix the app is reached at: a proxy's (``SCRIPT_NAME``, ``X-Forwarded-Prefix``:
:mod:`kkb_lod.web._prefix`) and, for an older release, ``/releases/<id>`` after it
(:mod:`kkb_lod.web.archive`); what every release shares (``/releases/…``) goes under the
server's root (:func:`server_url`). Data IRIs stay under ``base_iri``.

A release never changes while it is served, so its id and build time are the validators:
``ETag`` = hash of (release id, what was asked, format, page language), ``Last-Modified`` = the
release's ``created`` time, and ``Cache-Control`` lets any cache keep the answer
``cache_max_age`` seconds. ``kkb_lod.web.plain_error`` uses :func:`page_lang` too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Response, g, has_request_context, request
from pyoxigraph import QuerySolutions
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kkb_lod.config import Settings
from kkb_lod.iris import IriError, Minter
from kkb_lod.vocab import ONTOLOGY_IRI, RDFS, SKOS, SPARQL_PROLOGUE
from kkb_lod.web import kkb
from kkb_lod.web._labels import TERMS
from kkb_lod.web._results import compact

LANGS = ("id", "en")
COOKIE = "kkb_lang"
#: The WSGI environ key of the server's root (the proxy's prefix) where an older release's app is
#: reached under its own ``/releases/<id>`` (:mod:`kkb_lod.web.archive`).
SERVER_ROOT = "kkb_lod.server_root"
T = TypeVar("T")


@dataclass
class Pages:
    """The pages' state of one app: its Minter, and its page cache of answers drawn from the
    release served, the ``size`` most recently used kept (shared by the threads of a process).
    Drawing a page costs a few SPARQL queries and a template, serving it from here well under a
    millisecond (``benchmarks/queries.py``, the village page lines)."""

    minter: Minter
    size: int = 2048
    #: Pages keyed on their address too: an older release's name it (:mod:`.archive`).
    by_query: bool = False
    cache: OrderedDict[tuple, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def settings() -> Settings:
    return kkb().settings


def minter() -> Minter:
    return kkb().pages.minter


def release() -> dict[str, Any]:
    """The manifest of the release served (empty for a store that may change)."""
    return kkb().release


def remembered(key: tuple, make: Callable[[], T], page: bool = False) -> T:
    """``make()``, kept in the page cache under the release, the path prefix the request came
    through (its links are under it) and ``key`` (what was asked, its format and language; for
    a ``page`` of an older release, its address too: its note names it); made afresh every time
    for a store that may change (no release id)."""
    rid = release().get("id")
    if not rid:
        return make()
    state, asked = kkb().pages, has_request_context()
    here = request.full_path if page and state.by_query and asked else ""
    key = (rid, request.script_root if asked else "", here, *key)
    with state.lock:
        value = state.cache.get(key)
        if value is not None:
            state.cache.move_to_end(key)
    if value is None:
        value = make()
        with state.lock:
            state.cache[key] = value
            while len(state.cache) > state.size:
                state.cache.popitem(last=False)
    return value


def page_lang() -> str:
    """``?lang=`` (then remembered in a cookie), else the cookie, else the best language of
    ``Accept-Language``, else Indonesian."""
    lang = g.get("kkb_lang")
    if lang is None:
        lang = request.args.get("lang") or request.cookies.get(COOKIE)
        if lang not in LANGS:
            lang = request.accept_languages.best_match(LANGS, default="id")
        g.kkb_lang = lang
    return lang


def remember_lang(response: Response) -> Response:
    """Keep an explicit ``?lang=`` choice for a year, so every later page is in that language."""
    if request.args.get("lang") in LANGS:
        response.set_cookie(COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")
    return response


def select(query: str) -> list[dict[str, str]]:
    """A SELECT of ours (the prefixes of PREFIXES declared) on the app's store, as plain strings
    ('' for unbound): what the pages count, chart and map."""
    result = kkb().store.query(SPARQL_PROLOGUE + query)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def label(graph: Graph, node: Node, lang: str) -> str:
    """The node's label in ``lang``, else in the other language, else untagged, else the label
    we know for a common external term, else a short IRI."""
    found: dict[str, str] = {}
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal):
                found.setdefault(value.language or "", str(value))
    for key in (lang, *LANGS, ""):
        if key in found:
            return found[key]
    if isinstance(node, URIRef):
        known = TERMS.get(str(node))
        return known[LANGS.index(lang)] if known else compact(str(node))
    return str(node)


def roots() -> dict[str, str]:
    """The templates' path prefixes (a context processor: one look a page, not one a link):
    ``root``, this app's (``{{ root }}/sparql``), and ``server_root``, the server's
    (``{{ server_root }}/releases/…``, see :func:`server_url`)."""
    if not has_request_context():
        return {"root": "", "server_root": ""}
    root = request.script_root
    return {"root": root, "server_root": request.environ.get(SERVER_ROOT, root)}


def url(path: str) -> str:
    """The link to ``path`` (from "/", one of this app's) as the client reaches it: under the
    request's script root."""
    return request.script_root + path


def server_url(path: str) -> str:
    """The link to ``path`` under the server's root, not an older release's: ``/releases/…``,
    which the current release's app serves for every release."""
    return request.environ.get(SERVER_ROOT, request.script_root) + path


def local_url(iri: str) -> str | None:
    """The link on this server to the page that describes ``iri``, if it is one of ours."""
    if iri.startswith(ONTOLOGY_IRI):
        return url("/def" + (iri[len(ONTOLOGY_IRI) :] if "#" in iri else ""))
    if minter().owns(iri) or _graph_name(iri):  # the parts below a KKB, registry records too
        return url("/" + iri[len(settings().base_iri) :])
    return None


def _graph_name(iri: str) -> bool:
    """True if ``iri`` is one of our named graphs' (``{base}graph/{name}``: :mod:`.graphs`)."""
    prefix = f"{minter().base}graph/"
    try:
        return iri.startswith(prefix) and bool(minter().graph(iri[len(prefix) :]))
    except IriError:
        return False


def cacheable(response: Response, key: str, negotiated: bool = True) -> Response:
    """``response`` (a GET answer that depends only on the release and ``key``: what was asked,
    its format) with the release's validators and caching headers, or 304 when the client's
    ``If-None-Match``/``If-Modified-Since`` say it is current.

    ``Vary`` names ``Accept`` where the format was ``negotiated`` and, on pages, ``Accept-Language``
    and ``Cookie`` (what chooses their language). An answer that sets the language cookie is the
    client's own: private. Without a release (a remote store may change at any time): no-store.
    """
    html = response.mimetype == "text/html"
    lang = page_lang() if html else ""
    made = release()
    response.vary.update(["Accept"] if negotiated else [])
    response.vary.update(["Accept-Language", "Cookie"] if html else [])
    remember_lang(response)
    if not made.get("id"):
        response.headers["Cache-Control"] = "no-store"
        return response
    tag = f"{made['id']}|{request.script_root}|{key}|{lang}"  # links differ by path prefix
    response.set_etag(hashlib.sha256(tag.encode()).hexdigest()[:32])
    if made.get("created"):  # to the second, as HTTP dates say it
        response.last_modified = dt.datetime.fromisoformat(made["created"]).replace(microsecond=0)
    response.headers["Cache-Control"] = cache_control(private="Set-Cookie" in response.headers)
    response.make_conditional(request)  # in place: 304 when the client is current
    return response


def cache_control(private: bool = False) -> str:
    """How long a cache may keep an answer of the release: ``cache_max_age`` (0: revalidate)."""
    age = settings().cache_max_age
    return f"{'private' if private else 'public'}, max-age={age}" if age else "no-cache"
