"""Content negotiation over the one format table: suffix, then ``format``, then ``Accept``."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import NotAcceptable

from kkb_lod.formats import Format, by_name, for_kind, from_media_type, from_suffix, media_types


def negotiate(*kinds: str, suffix: str | None = None) -> Format:
    """The format to answer in, among formats of ``kinds`` (the first kind's first is default).

    A URL suffix (``.ttl``) wins, then a ``format`` parameter (name, suffix or media type), then
    the ``Accept`` header with its q-values; no Accept header means the default. Raises 406 when
    the client accepts nothing we can produce, naming what we can.
    """
    if suffix:
        fmt = from_suffix(suffix, *kinds)
        if fmt is None:
            raise NotAcceptable(f"no {'/'.join(kinds)} format with suffix .{suffix}")
        return fmt
    asked = request.args.get("format") or request.form.get("format")
    if asked:
        try:
            fmt = by_name(asked)
        except KeyError:
            fmt = None
        if fmt is None or fmt.kind not in kinds:
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
