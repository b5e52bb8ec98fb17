"""Operations: liveness and readiness, Prometheus metrics, request ids, structured logs, the
security headers every response carries, and the optional per-client rate limit.

``init_app(app)`` wires the hooks; ``bp`` serves ``/health``, ``/ready`` and ``/metrics`` (never
cached). Metrics are per process (``kkb_process_info`` says which answered a scrape), except the
count of replaced workers, which the workers share; the Prometheus text format is a few lines.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import os
import re
import threading
import time
from collections import Counter

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Request

from kkb_lod.web import kkb
from kkb_lod.web._ratelimit import client_address
from kkb_lod.web._watchdog import Watchdog

bp = Blueprint("ops", __name__)
log = logging.getLogger("kkb_lod.access")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
STARTED = time.time()
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

#: Content-Security-Policy: our pages need only our own scripts, styles, images and fonts.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


class Metrics:
    """Request counts by route family and status, a latency histogram, store errors, timeouts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.buckets: Counter[tuple[str, float]] = Counter()
        self.sums: dict[str, float] = {}
        self.counts: Counter[str] = Counter()

    def observe(self, family: str, method: str, status: int, seconds: float) -> None:
        """Count one request: in the one bucket it falls in (made cumulative when rendered)."""
        index = bisect.bisect_left(BUCKETS, seconds)
        with self.lock:
            self.requests[(family, method, status)] += 1
            self.sums[family] = self.sums.get(family, 0.0) + seconds
            self.counts[family] += 1
            if index < len(BUCKETS):
                self.buckets[(family, BUCKETS[index])] += 1

    def render(self, watchdog: Watchdog) -> str:
        """The Prometheus text of these metrics and of ``watchdog``'s counts."""
        with self.lock:
            lines = ["# HELP kkb_requests_total HTTP requests by route family, method and status.",
                     "# TYPE kkb_requests_total counter"]
            for (family, method, status), n in sorted(self.requests.items()):
                lines.append(f'kkb_requests_total{{family="{family}",method="{method}",'
                             f'status="{status}"}} {n}')
            lines += ["# HELP kkb_request_seconds Request latency.",
                      "# TYPE kkb_request_seconds histogram"]
            for family in sorted(self.counts):
                below = 0
                for bound in BUCKETS:
                    below += self.buckets[(family, bound)]
                    lines.append(f'kkb_request_seconds_bucket{{family="{family}",le="{bound}"}} '
                                 f"{below}")
                lines.append(f'kkb_request_seconds_bucket{{family="{family}",le="+Inf"}} '
                             f"{self.counts[family]}")
                lines.append(f'kkb_request_seconds_sum{{family="{family}"}} {self.sums[family]:.6f}')
                lines.append(f'kkb_request_seconds_count{{family="{family}"}} {self.counts[family]}')
            timeouts = sum(n for (f, _, s), n in self.requests.items() if f == "sparql" and s in (503, 504))
            errors = sum(n for (f, _, s), n in self.requests.items()  # a page's 504: the store
                         if s in (500, 502) or (s == 504 and f != "sparql"))
            lines += ["# HELP kkb_query_timeouts_total SPARQL queries stopped by the time limit "
                      "or refused while busy.", "# TYPE kkb_query_timeouts_total counter",
                      f"kkb_query_timeouts_total {timeouts}",
                      "# HELP kkb_store_errors_total Responses failed by the store or the server.",
                      "# TYPE kkb_store_errors_total counter", f"kkb_store_errors_total {errors}"]
            limited = sum(n for (_, _, s), n in self.requests.items() if s == 429)
        recycles = watchdog.recycles.value if watchdog.recycles is not None else 0
        for name, kind, value, text in (
                ("kkb_rate_limited_total", "counter", limited, "Requests refused by rate_limit (429)."),
                ("kkb_queries_abandoned_total", "counter", watchdog.abandoned_total,
                 "Queries abandoned at query_timeout (the engine cannot cancel them)."),
                ("kkb_queries_abandoned_running", "gauge", watchdog.still_running(),
                 "Abandoned queries of this process still running."),
                ("kkb_queries_stuck_total", "counter", watchdog.stuck_total,
                 "Abandoned queries still running at query_hard_limit."),
                ("kkb_worker_recycles_total", "counter", recycles,
                 "Worker processes replaced because of a stuck query (all workers)."),
                ("process_start_time_seconds", "gauge", STARTED,
                 "Start time of this process since the Unix epoch.")):
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {value}"]
        lines += ["# HELP kkb_process_info The process that answered this scrape.",
                  "# TYPE kkb_process_info gauge", f'kkb_process_info{{pid="{os.getpid()}"}} 1']
        return "\n".join(lines) + "\n"


def init_app(app: Flask, max_body_bytes: int = 1_000_000) -> None:
    """Request ids, access logs, metrics and security headers for every response of ``app``;
    the rate limit if its settings ask for one."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    app.before_request(_start)
    if app.extensions["kkb"].rate_table is not None:
        app.before_request(_rate_limit)
    app.after_request(_finish)
    app.register_blueprint(bp)


def request_id(environ: dict) -> str:
    """The client's ``X-Request-ID`` when it is a sane token, else a new random one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if given and REQUEST_ID_RE.match(given) else os.urandom(16).hex()


def _start() -> None:
    g.request_id = request_id(request.environ)
    g.started = time.perf_counter()


def _rate_limit() -> None:
    """429 for a client past ``rate_limit`` requests this minute (the ops endpoints are exempt:
    probes and scrapers must always get through)."""
    settings, table = kkb().settings, kkb().rate_table
    if request.blueprint == "ops" or table is None:
        return
    client = client_address(request, settings.trusted_proxies)
    wait = table.hit(client, settings.rate_limit)
    if wait:
        raise TooManyRequests(
            f"Too many requests from {client}: this endpoint answers at most "
            f"{settings.rate_limit} requests a minute from one client (rate_limit). Try again in "
            f"{wait} s; for bulk use, download a dump from /catalog instead.",
            retry_after=math.ceil(wait))


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    family = (request.blueprint or "other") if request.url_rule else "unrouted"
    state = kkb()
    state.metrics.observe(family, request.method, response.status_code, seconds)
    headers = response.headers
    if request.blueprint == "ops":
        headers["Cache-Control"] = "no-store"
    present = {name.lower() for name in headers.keys()}  # one pass, not one lookup a header
    if "x-request-id" in present:
        headers["X-Request-ID"] = g.get("request_id", "")
    else:
        headers.add("X-Request-ID", g.get("request_id", ""))
    framing = "content-security-policy" in present  # a route's own CSP says who may frame it
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present and not (framing and name == "X-Frame-Options"):
            headers.add(name, value)
    write_access_log(request, g.get("request_id", ""), response.status_code, seconds,
                     response.calculate_content_length(),
                     state.settings.trusted_proxies)
    return response


def write_access_log(req: Request, request_id: str, status: int, seconds: float,
                     size: int | None, trusted_proxies: int) -> None:
    """One JSON line a request on the ``kkb_lod.access`` logger (built only when written)."""
    if log.isEnabledFor(logging.INFO):
        log.info(json.dumps({
            "request_id": request_id, "method": req.method, "path": req.path,
            "client": client_address(req, trusted_proxies), "status": status,
            "ms": round(seconds * 1000, 2), "bytes": size,
            "agent": req.environ.get("HTTP_USER_AGENT", "")[:200]}))


@bp.get("/health")
def health() -> Response:
    """Liveness: the process answers (and which process it is, with several workers)."""
    return Response(json.dumps({"status": "ok", "pid": os.getpid()}) + "\n",
                    mimetype="application/json")


@bp.get("/ready")
def ready() -> Response:
    """Readiness: the store answers a trivial query."""
    try:
        bool(kkb().store.query("ASK { }"))
    except Exception as err:  # noqa: BLE001 - any store failure means "not ready"
        body = json.dumps({"status": "unavailable", "error": str(err)[:500]})
        return Response(body + "\n", status=503, mimetype="application/json",
                        headers={"Retry-After": "5"})
    return Response('{"status": "ready"}\n', mimetype="application/json")


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition of this process's metrics."""
    return Response(kkb().metrics.render(kkb().watchdog), mimetype="text/plain; version=0.0.4")
