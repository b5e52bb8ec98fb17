"""Content negotiation over the one format table: suffix, then ``format``, then ``Accept``."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import NotAcceptable

from kkb_lod.formats import Format, for_kind, from_media_type, from_suffix, media_types


def negotiate(
    *kinds: str, suffix: str | None = None, asked: str | None = None, read_format: bool = True
) -> Format:
    """The format to answer in, among formats of ``kinds`` (the first kind's first is default).

    A URL suffix (``.ttl``) wins, then a ``format`` parameter, then the ``Accept`` header with its
    q-values; no Accept header means the default. Raises 406 when the client accepts nothing we
    can produce, naming what we can. A caller that has read the request's parameters already
    passes the ``format`` value as ``asked`` with ``read_format=False``.
    """
    if suffix:
        fmt = from_suffix(suffix, *kinds)
        if fmt is None:
            raise NotAcceptable(f"no {'/'.join(kinds)} format with suffix .{suffix}")
        return fmt
    if read_format:
        asked = request.args.get("format") or (
            request.form.get("format") if request.method == "POST" else None
        )
    if asked:
        fmt = by_parameter(asked, *kinds)
        if fmt is None:
            offered = ", ".join(f.name for f in for_kind(*kinds))
            raise NotAcceptable(f"format {asked!r} is not offered here; offered: {offered}")
        return fmt
    if not request.accept_mimetypes:
        return for_kind(*kinds)[0]
    best = request.accept_mimetypes.best_match(media_types(*kinds))
    if best is None:
        offered = ", ".join(media_types(*kinds))
        raise NotAcceptable(f"none of the accepted media types can be produced; offered: {offered}")
    return from_media_type(best, *kinds)


def by_parameter(asked: str, *kinds: str) -> Format | None:
    """The format of ``kinds`` a ``format`` value names, or None.

    Read within the kinds wanted, because clients use the same short names for different answers:
    SPARQLWrapper sends ``format=xml`` for SELECT (SPARQL XML results) and for CONSTRUCT
    (RDF/XML), and ``format=json-ld``. A value matches a format's name, suffix or any of its media
    types, also as ``application/<value>`` or ``text/<value>``, case and hyphens aside.
    """
    wanted = asked.strip().lower()
    for fmt in for_kind(*kinds):
        names = {fmt.name, fmt.suffix, *fmt.media_types}
        if (
            wanted in names
            or wanted.replace("-", "") in names
            or f"application/{wanted}" in names
            or f"text/{wanted}" in names
        ):
            return fmt
    return None
