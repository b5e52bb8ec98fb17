"""Operations: liveness and readiness, Prometheus metrics, request ids, structured logs, the
security headers every response carries, and the optional per-client rate limit.

``init_app(app)`` wires the hooks; ``bp`` serves ``/health``, ``/ready`` and ``/metrics`` (never
cached). Metrics are per process (``kkb_process_info`` says which answered a scrape), except the
count of replaced workers, which the workers share; the Prometheus text format is a few lines.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import math
import os
import re
import threading
import time
from collections import Counter

from flask import Blueprint, Flask, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import TooManyRequests

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
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
#: The metrics /metrics exposes, in its order: name → (type, help text).
HELP = {
    "kkb_requests_total": ("counter", "HTTP requests by route family, method and status."),
    "kkb_request_seconds": ("histogram", "Request latency."),
    "kkb_query_timeouts_total": (
        "counter",
        "SPARQL queries stopped by the time limit or refused while busy.",
    ),
    "kkb_store_errors_total": ("counter", "Responses failed by the store or the server."),
    "kkb_rate_limited_total": ("counter", "Requests refused by rate_limit (429)."),
    "kkb_queries_abandoned_total": (
        "counter",
        "Queries abandoned at query_timeout (the engine cannot cancel them).",
    ),
    "kkb_queries_abandoned_running": ("gauge", "Abandoned queries of this process still running."),
    "kkb_queries_stuck_total": ("counter", "Abandoned queries still running at query_hard_limit."),
    "kkb_worker_recycles_total": (
        "counter",
        "Worker processes replaced because of a stuck query (all workers).",
    ),
    "process_start_time_seconds": ("gauge", "Start time of this process since the Unix epoch."),
    "kkb_process_info": ("gauge", "The process that answered this scrape."),
}


class Metrics:
    """Request counts by route family, method and status, and a latency histogram by family."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.latency: dict[str, list[float]] = {}  # a count per bucket (+Inf last), then the sum

    def observe(self, family: str, method: str, status: int, seconds: float) -> None:
        """Count one request, in the one bucket it falls in (made cumulative when rendered)."""
        with self.lock:
            self.requests[(family, method, status)] += 1
            latency = self.latency.setdefault(family, [0.0] * (len(BUCKETS) + 2))
            latency[bisect.bisect_left(BUCKETS, seconds)] += 1
            latency[-1] += seconds

    def render(self, watchdog: Watchdog) -> str:
        """The Prometheus text of these metrics and of ``watchdog``'s counts."""
        with self.lock:
            requests = dict(self.requests)
            latency = {family: list(values) for family, values in self.latency.items()}

        def count(status: tuple[int, ...], sparql: bool | None = None) -> int:
            return sum(
                n
                for (f, _, s), n in requests.items()
                if s in status and (sparql is None or (f == "sparql") == sparql)
            )

        samples: dict[str, list[str]] = {
            "kkb_requests_total": [
                f'{{family="{f}",method="{m}",status="{s}"}} {n}' for (f, m, s), n in sorted(requests.items())
            ],
            "kkb_request_seconds": [],
            "kkb_query_timeouts_total": [f" {count((503, 504), True)}"],
            "kkb_store_errors_total": [f" {count((500, 502)) + count((504,), False)}"],
            "kkb_rate_limited_total": [f" {count((429,))}"],
            "kkb_queries_abandoned_total": [f" {watchdog.abandoned_total}"],
            "kkb_queries_abandoned_running": [f" {watchdog.still_running()}"],
            "kkb_queries_stuck_total": [f" {watchdog.stuck_total}"],
            "kkb_worker_recycles_total": [f" {getattr(watchdog.recycles, 'value', 0)}"],
            "process_start_time_seconds": [f" {STARTED}"],
            "kkb_process_info": [f'{{pid="{os.getpid()}"}} 1'],
        }
        for family, values in sorted(latency.items()):
            below = list(itertools.accumulate(values[:-1]))
            samples["kkb_request_seconds"] += [
                *(
                    f'_bucket{{family="{family}",le="{bound}"}} {int(n)}'
                    for bound, n in zip((*BUCKETS, "+Inf"), below, strict=True)
                ),
                f'_sum{{family="{family}"}} {values[-1]:.6f}',
                f'_count{{family="{family}"}} {int(below[-1])}',
            ]
        lines = []
        for name, (kind, text) in HELP.items():
            lines += [
                f"# HELP {name} {text}",
                f"# TYPE {name} {kind}",
                *(name + sample for sample in samples[name]),
            ]
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


def _start() -> None:
    """The client's ``X-Request-ID`` when it is a sane token, else a new random one."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID_RE.match(given) else os.urandom(16).hex()
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
            retry_after=math.ceil(wait),
        )


def _finish(response: Response) -> Response:
    """Count, label and log the response; the ops endpoints' answers are never cached."""
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    family = (request.blueprint or "other") if request.url_rule else "unrouted"
    state, headers = kkb(), response.headers
    state.metrics.observe(family, request.method, response.status_code, seconds)
    if request.blueprint == "ops":
        headers["Cache-Control"] = "no-store"
    headers["X-Request-ID"] = g.get("request_id", "")
    framing = "Content-Security-Policy" in headers  # a route's own CSP says who may frame it
    for name, value in SECURITY_HEADERS.items():
        if name not in headers and not (framing and name == "X-Frame-Options"):
            headers[name] = value
    if log.isEnabledFor(logging.INFO):  # one JSON line a request on the kkb_lod.access logger
        log.info(
            json.dumps(
                {
                    "request_id": g.get("request_id", ""),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "client": client_address(request, state.settings.trusted_proxies),
                    "ms": round(seconds * 1000, 2),
                    "bytes": response.calculate_content_length(),
                    "agent": request.headers.get("User-Agent", "")[:200],
                }
            )
        )
    return response


@bp.get("/health")
def health() -> Response:
    """Liveness: the process answers (and which process it is, with several workers)."""
    return jsonify(status="ok", pid=os.getpid())


@bp.get("/ready")
def ready() -> ResponseReturnValue:
    """Readiness: the store answers a trivial query."""
    try:
        bool(kkb().store.query("ASK { }"))
    except Exception as err:  # noqa: BLE001 - any store failure means "not ready"
        return jsonify(status="unavailable", error=str(err)[:500]), 503, {"Retry-After": "5"}
    return jsonify(status="ready")


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition of this process's metrics."""
    return Response(kkb().metrics.render(kkb().watchdog), mimetype="text/plain; version=0.0.4")
