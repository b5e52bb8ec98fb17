"""Shared helpers of our pages: the page language, labels in it, links to our IRIs, and the
caching validators every answer of ``resources`` and ``catalog`` carries.

The data only changes with a release, so a release's id and build time are the validators:
``ETag`` = hash of (release id, what was asked, format, page language), ``Last-Modified`` = the
release's ``created`` time. ``kkb_lod.web.plain_error`` uses :func:`page_lang` too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from functools import lru_cache

from flask import Response, current_app, g, request
from pyoxigraph import QuerySolutions
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from werkzeug.datastructures import Headers
from werkzeug.http import http_date, is_entity_header, is_resource_modified, quote_etag, unquote_etag

from kkb_lod.config import Settings
from kkb_lod.iris import Minter
from kkb_lod.vocab import ONTOLOGY_IRI, RDFS, SKOS, SPARQL_PROLOGUE
from kkb_lod.web._labels import TERMS
from kkb_lod.web._results import compact

LANGS = ("id", "en")
COOKIE = "kkb_lang"


def settings() -> Settings:
    return current_app.config["KKB_SETTINGS"]


def minter() -> Minter:
    return _minter(settings().base_iri)


@lru_cache(maxsize=4)
def _minter(base: str) -> Minter:
    """One Minter per base: pages ask for it for every link they draw."""
    return Minter(base)


def page_lang() -> str:
    """``?lang=`` if given (and then remembered in a cookie), else the cookie, else Indonesian."""
    lang = g.get("kkb_lang")
    if lang is None:  # asked several times a request; reading the query and cookies costs
        asked = (request.args.get("lang") if request.query_string else None) or (
            request.cookies.get(COOKIE) if "HTTP_COOKIE" in request.environ else None) or "id"
        lang = g.kkb_lang = asked if asked in LANGS else "id"
    return lang


def remember_lang(response: Response) -> Response:
    """Keep an explicit ``?lang=`` choice for a year, so every later page is in that language."""
    if request.query_string and request.args.get("lang") in LANGS:
        response.set_cookie(COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")
    return response


def select(query: str) -> list[dict[str, str]]:
    """A SELECT of ours (the prefixes of PREFIXES declared) on the app's store, as plain strings
    ('' for unbound): what the pages count, chart and map."""
    result = current_app.extensions["kkb_store"].query(SPARQL_PROLOGUE + query)
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


def local_url(iri: str) -> str | None:
    """The path on this server that describes ``iri``, if it is one of ours."""
    base = settings().base_iri
    if iri.startswith(ONTOLOGY_IRI):
        return "/def" + (iri[len(ONTOLOGY_IRI):] if "#" in iri else "")
    if minter().owns(iri):  # the parts below a KKB and the registry records too
        return "/" + iri[len(base):]
    return None


def cacheable(response: Response, key: str, current: bool = False) -> Response:
    """Add the release's validators to ``response`` and answer 304 when the client is current.

    ``key`` names what was asked (IRI and format); pages also vary by language, so it is part of
    the tag, and ``Vary`` names both ``Accept`` and ``Cookie`` (the language's memory).
    ``current`` says :func:`not_modified` found the client current already: 304 at once.
    """
    lang = page_lang() if response.mimetype == "text/html" else ""
    tag, modified = validators(key, lang)
    headers = response.headers
    vary = "Accept, Cookie" if lang else "Accept"
    if "Vary" in headers:
        response.vary.update(vary.split(", "))
        vary = None
    if "ETag" in headers or "Last-Modified" in headers:
        headers.remove("ETag")
        headers.remove("Last-Modified")
    headers.extend([("ETag", tag), *([("Last-Modified", modified)] if modified else []),
                    *([("Vary", vary)] if vary else [])])  # added at once: no search per header
    if current:
        return remember_lang(NotModified(headers=[
            (name, value) for name, value in headers.items()
            if not is_entity_header(name) or name.lower() in ("content-location", "expires")]))
    if not CONDITIONAL.intersection(request.environ):  # nothing to decide: no parsing
        return remember_lang(response)
    return remember_lang(response).make_conditional(request)


#: The request headers that can make an answer conditional or partial (``make_conditional``).
CONDITIONAL = frozenset(("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                         "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE"))


def validators(key: str, lang: str) -> tuple[str, str | None]:
    """The ``ETag`` and ``Last-Modified`` headers of what ``key`` names in ``lang``, in this
    release (remembered: a page asked again costs no hashing nor date formatting)."""
    release = current_app.extensions["kkb_release"]
    return _validators(release.get("id", ""), release.get("created"), key, lang)


@lru_cache(maxsize=4096)
def _validators(release: str, created: str | None, key: str, lang: str) -> tuple[str, str | None]:
    tag = quote_etag(hashlib.sha256(f"{release}|{key}|{lang}".encode()).hexdigest()[:32])
    if not created:
        return tag, None
    return tag, http_date(_created(created))


@lru_cache(maxsize=8)
def _created(created: str | None) -> dt.datetime | None:
    """The release's build time, to the second (as HTTP dates say it)."""
    if not created:
        return None
    return dt.datetime.fromisoformat(created).astimezone(dt.UTC).replace(microsecond=0)


def not_modified(key: str, lang: str) -> bool:
    """Whether a GET or HEAD's ``If-None-Match``/``If-Modified-Since`` say the client has what
    ``key`` names already: then it can be answered 304 before any store work."""
    environ = request.environ
    if request.method not in ("GET", "HEAD") or not (
            "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ) or (
            "HTTP_IF_MATCH" in environ or "HTTP_RANGE" in environ):  # make_conditional decides
        return False
    tag, _ = validators(key, lang)
    release = current_app.extensions["kkb_release"]
    return not is_resource_modified(environ, etag=unquote_etag(tag)[0],
                                    last_modified=_created(release.get("created")))


class NotModified(Response):
    """A 304 made without entity headers (nor a body) from the start, so werkzeug's own pass to
    remove them, which re-adds every header one by one, is not needed: a current client is
    answered with less work than a full page."""

    default_status = 304
    default_mimetype = None

    def get_wsgi_headers(self, environ: dict) -> Headers:  # type: ignore[override]
        return self.headers


class PageCache:
    """Rendered answers of the release being served, most recently used kept.

    A release never changes while it is served, so a page once drawn is right until the process
    ends; drawing one costs a few SPARQL queries and a template (~10 ms), serving it from here
    well under one. Bounded in entries (pages are 2-25 KB), shared by the threads of a process.
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def page_cache() -> PageCache:
    """This app's :class:`PageCache`."""
    cache = current_app.extensions.get("kkb_page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("kkb_page_cache", PageCache())
    return cache
