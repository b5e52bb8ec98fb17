"""The Linked Data Event Stream: ``/ldes`` (its root) and ``/ldes/<release>/<segment>/<n>`` (pages).

The pages' members were written at build time into each release's folder (:mod:`kkb_lod.ldes`);
here they get their node and the relation to the next page, which depends on the releases kept.
A page that has a next page never changes: ``Cache-Control: immutable``, as ``/dumps/<id>/``. The
root and the newest page change with the next release: cached like every answer of the release
(``cache_max_age``, with its validators). TriG, N-Quads or JSON-LD by ``Accept`` or ``?format=``
(a browser gets the TriG as ``text/plain``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, NotAcceptable, NotFound

from kkb_lod import ldes
from kkb_lod.releases import keep
from kkb_lod.web._pages import cacheable, minter, release, settings
from kkb_lod.web.catalog import site

bp = Blueprint("ldes", __name__)
#: Formats of the stream's documents: ``?format=`` name → (media type, pyoxigraph format).
FORMATS = {
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "text": ("text/plain", ox.RdfFormat.TRIG),  # TriG a browser shows rather than downloads
}
PREFIXES = {
    "tree": ldes.TREE,
    "ldes": ldes.LDES,
    "dct": ldes.DCT,
    "as": ldes.AS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
IMMUTABLE = "public, max-age=31536000, immutable"


def _format() -> str:
    """The format asked by ``?format=`` (400 if unknown) or ``Accept`` (406 if none fits)."""
    asked = request.args.get("format")
    if asked is not None:
        if asked not in FORMATS:
            raise BadRequest(f"unknown format {asked!r}; the stream comes as {', '.join(FORMATS)} (?format=)")
        return asked
    media = {m: name for name, (m, _) in FORMATS.items()}
    best = request.accept_mimetypes.best_match([*media, "text/html"])
    if best is None:
        raise NotAcceptable(f"the stream comes as {', '.join(media)}")
    return media.get(best, "text")  # a browser gets TriG as text


def _stream() -> ldes.Stream:
    made = release()
    if not made.get("path"):
        raise NotFound(
            "this server answers from a store that may change (sparql_url): it serves no event stream"
        )
    found = ldes.kept(Path(made["path"]), keep(settings().serve_releases))  # as pruning keeps
    if not found.kept:
        raise NotFound(f"release {made.get('id')!r} was built without event stream pages: rebuild it")
    return found


def _answer(nquads: bytes, name: str, key: str, immutable: bool) -> Response:
    media, fmt = FORMATS[name]
    body = nquads
    if fmt != ox.RdfFormat.N_QUADS:
        body = (
            ox.serialize(ox.parse(nquads, format=ox.RdfFormat.N_QUADS), format=fmt, prefixes=PREFIXES) or b""
        )
    response = Response(body, mimetype=media)
    if not immutable:
        return cacheable(response, f"{key}|{name}", negotiated="format" not in request.args)
    response.set_etag(hashlib.sha256(f"{key}|{name}".encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = IMMUTABLE
    if "format" not in request.args:
        response.vary.add("Accept")
    response.make_conditional(request)  # in place: 304 when the client is current
    return response


@bp.get("/ldes")
def root() -> Response:
    """The event stream and its one view: retention policy and the relation to its first page."""
    name, stream = _format(), _stream()
    quads = ldes.root_quads(stream, minter().base, site())
    return _answer(quads.encode(), name, f"/ldes|{site()}|{stream.oldest.get('id')}", False)


@bp.get("/ldes/<release_id>/<segment>/<int:number>")
def page(release_id: str, segment: str, number: int) -> Response:
    """One page: its members, and the relation to the next page if there is one yet."""
    name, stream = _format(), _stream()
    if segment not in ldes.SEGMENTS:
        raise NotFound(f"no page segment {segment!r}; a release's pages are {' and '.join(ldes.SEGMENTS)}")
    pages = stream.pages(release_id, segment)
    if not pages:
        kept = ", ".join(str(made.get("id")) for _, made in stream.kept)
        raise NotFound(f"release {release_id!r} is not in the event stream; its releases are {kept}")
    if not 1 <= number <= len(pages):
        raise NotFound(f"release {release_id} has {len(pages)} {segment} pages, not a page {number}")
    found = pages[number - 1]
    immutable = stream.next(found) is not None
    try:
        quads = ldes.page_quads(stream, found, minter().base, site())
    except OSError:  # its release was pruned since the stream was read
        raise NotFound(f"release {release_id} has just left the event stream: start again at /ldes") from None
    return _answer(quads, name, f"/{found.path}|{site()}", immutable)
