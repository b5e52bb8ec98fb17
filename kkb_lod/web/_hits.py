"""Repeated requests for our resources answered without entering Flask.

A release never changes while it is served, so the answer to a GET or HEAD of one of our
resources (``/id/…``) is a function of the request alone. The first request goes through Flask
as every request does (routing, negotiation, the page cache, the hooks of :mod:`kkb_lod.web.ops`
and the CORS header); its final status, headers and body are remembered under everything in the
request that could change them, and an identical request later gets the same status, headers and
bytes straight from here, with what differs per request done as the hooks do it: a fresh
``X-Request-ID`` (or the client's own, when valid), a count in the metrics, an access-log line.

Everything that could change an answer is in the key: the method, the path, the query string, the
scheme, the script root and every request header except the few that only the access log reads
(``User-Agent``, ``X-Forwarded-For``, ``X-Request-ID``) and the connection's own. Clients repeat
their headers from one request to the next, so repeated requests hit; a different header is only
a miss, never a wrong answer. Answers that set a cookie (a ``?lang=`` choice: its expiry date is
made per request) are not remembered, nor anything but 200 and 304.

Measured (benchmarks/README.md): Flask's own routing, contexts, hooks and response objects cost
about as much as the rest of serving a page from the page cache, and the one-village page is the
request a crawler or a portal repeats most. Not used with ``rate_limit`` (each request must be
counted by the limiter) or a store that may change (a remote store: no release id).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request

from kkb_lod.web.ops import Metrics, request_id, write_access_log

#: Request headers (WSGI names) that change no answer: read by the access log only, or the
#: connection's own.
IGNORED = frozenset(("HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_X_REQUEST_ID",
                     "HTTP_CONNECTION", "HTTP_KEEP_ALIVE"))
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
#: A remembered answer: status line, headers (no X-Request-ID), body, and the bytes the access
#: log reports (the Content-Length: a HEAD answer's body is empty).
Known = tuple[str, list[tuple[str, str]], bytes, int]


class ResourceHits:
    """WSGI middleware around the Flask app: remembered answers for ``/id/`` GET and HEAD.

    Bounded by ``budget`` bytes of bodies (least recently used dropped first); shared by the
    threads of a process.
    """

    def __init__(self, app: WSGIApp, metrics: Metrics, trusted_proxies: int,
                 budget: int = 32 << 20) -> None:
        self.app, self.metrics, self.trusted_proxies = app, metrics, trusted_proxies
        self.budget, self.used = budget, 0
        self._answers: OrderedDict[tuple, Known] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not environ.get(
                "PATH_INFO", "").startswith("/id/"):
            return self.app(environ, start_response)
        started = time.perf_counter()
        key = _key(environ)
        with self._lock:
            known = self._answers.get(key)
            if known is not None:
                self._answers.move_to_end(key)
        if known is not None:
            return self._answer(environ, start_response, known, started)
        return self._remember(environ, start_response, key)

    def _answer(self, environ: dict[str, Any], start_response: Callable, known: Known,
                started: float) -> list[bytes]:
        status, headers, body, size = known
        rid = request_id(environ)
        start_response(status, [*headers, ("X-Request-ID", rid)])
        code, seconds = int(status[:3]), time.perf_counter() - started
        self.metrics.observe("resources", environ["REQUEST_METHOD"], code, seconds)
        write_access_log(Request(environ), rid, code, seconds, size, self.trusted_proxies)
        return [body]

    def _remember(self, environ: dict[str, Any], start_response: Callable,
                  key: tuple) -> list[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = seen.get("status", ""), seen.get("headers", [])
        if status[:3] in ("200", "304") and not any(
                name.lower() == "set-cookie" for name, _ in headers) and len(body) < self.budget:
            kept = [(n, v) for n, v in headers if n.lower() != "x-request-id"]
            size = next((int(v) for n, v in headers if n.lower() == "content-length"), len(body))
            with self._lock:
                if key not in self._answers:
                    self._answers[key] = (status, kept, body, size)
                    self.used += len(body)
                while self.used > self.budget:
                    _, (_, _, dropped, _) = self._answers.popitem(last=False)
                    self.used -= len(dropped)
        return [body]


def _key(environ: dict[str, Any]) -> tuple:
    """Everything in the request that could change its answer."""
    return (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
            environ.get("SCRIPT_NAME"), environ.get("wsgi.url_scheme"),
            environ.get("CONTENT_TYPE"), environ.get("CONTENT_LENGTH"),
            tuple(sorted((name, value) for name, value in environ.items()
                         if name.startswith("HTTP_") and name not in IGNORED)))
