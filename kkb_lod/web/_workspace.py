"""What the query page's workspace (tabs, history, the Request panel) needs from the server:
the SPARQL endpoints this server serves and the formats an answer can be asked for.

The page is given these as JSON data (``static/workspace.js`` and ``static/request.js`` read it),
so the Request panel offers only endpoints of this server (the current release's and each older
release served under ``/releases/<id>/``) and the one format table's media types.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from kkb_lod.formats import ANSWERS, for_kind
from kkb_lod.web import archive, kkb
from kkb_lod.web._pages import server_url


def endpoints() -> list[dict[str, Any]]:
    """The endpoints a request may go to, the page's own marked ``self``: on the current
    release's page, it and every older release served; on an older release's page (its app
    knows only itself), it and the current release's (``id`` None: that app does not know it)."""
    made, own = kkb().release, url_for("sparql.endpoint")
    current = server_url("/sparql")
    if current != own:  # an older release's app, under its prefix
        return [
            {"id": None, "created": None, "path": current, "current": True, "self": False},
            _release(made, own, current=False, here=True),
        ]
    older = archive.served(current_app)
    return [
        _release(made, own, current=True, here=True),
        *(_release(m, server_url(f"{archive.PREFIX}{rid}/sparql"), False, False) for rid, m in older.items()),
    ]


def _release(made: dict[str, Any], path: str, current: bool, here: bool) -> dict[str, Any]:
    return {
        "id": made.get("id"),
        "created": str(made.get("created", ""))[:10] or None,
        "path": path,
        "current": current,
        "self": here,
    }


def workspace() -> dict[str, Any]:
    """The page's workspace data: the endpoints and the answer formats (name and media type)."""
    return {
        "endpoints": endpoints(),
        "formats": [
            {"name": f.name, "type": f.media_type, "kind": "graph" if f.kind in ANSWERS["graph"] else f.kind}
            for f in (*for_kind(*ANSWERS["results"]), *for_kind(*ANSWERS["graph"]))
        ],
    }
