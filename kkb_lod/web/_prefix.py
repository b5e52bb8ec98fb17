"""The path prefix the server is reached at (``/kkb`` for ``https://example.go.id/kkb/``).

A proxy tells it in one of the two standard ways, and every link the app makes goes under it
(:func:`kkb_lod.web._pages.url`, ``url_for``):

* WSGI's ``SCRIPT_NAME``, the path left whole by the proxy: gunicorn takes it from its
  environment (``SCRIPT_NAME=/kkb kkb-lod serve``) and strips it from each request's path;
* ``X-Forwarded-Prefix``, the proxy having taken the prefix off the path: read from the proxies
  the app trusts (``trusted_proxies``), as ``X-Forwarded-Proto`` and ``-Host`` are (werkzeug's
  ``ProxyFix``, set up in :func:`kkb_lod.web.create_app`).

:class:`Checked` stands in front of the app: it drops a trailing ``/`` of the prefix and refuses
(400) one that is not a plain path, so no header can make a page link to another host
(``//host``) or break out of an attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: A plain path prefix: segments of unreserved URL characters, none of them "." or "..".
PLAIN = re.compile(r"(?:/(?!\.\.?(?:/|$))[A-Za-z0-9._~-]+)*")


class Checked:
    """A WSGI app behind the check of its path prefix (see the module)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        script = environ.get("SCRIPT_NAME", "")
        if not script:  # at the top of the host: nothing to check
            return self.app(environ, start_response)
        if script.endswith("/"):  # "/kkb/" as some proxies send it: the same prefix
            environ["SCRIPT_NAME"] = script = script.rstrip("/")
            if not environ.get("PATH_INFO", "").startswith("/"):
                environ["PATH_INFO"] = "/" + environ.get("PATH_INFO", "")
        if PLAIN.fullmatch(script) is None:
            refused = Response(
                f"400 Bad Request: the path prefix {script[:80]!r} (SCRIPT_NAME or "
                "X-Forwarded-Prefix) is not a plain path such as '/kkb'.\n",
                status=400,
                mimetype="text/plain",
                headers={"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"},
            )
            return refused(environ, start_response)
        return self.app(environ, start_response)
