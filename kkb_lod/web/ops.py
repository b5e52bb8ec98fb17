"""Operations: liveness and readiness, Prometheus metrics, request ids, structured logs, the
security headers every response carries, and the optional per-client rate limit.

``init_app(app)`` wires the hooks; ``bp`` serves ``/health``, ``/ready`` and ``/metrics`` (never
cached). Metrics are per process (``kkb_process_info`` says which answered a scrape), except the
count of replaced workers, which the workers share.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from werkzeug.exceptions import TooManyRequests

from kkb_lod.web import kkb
from kkb_lod.web._ratelimit import client_address

bp = Blueprint("ops", __name__)
log = logging.getLogger("kkb_lod.access")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
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


class Metrics:
    """This app's metrics on a registry of its own (prometheus_client; per process): requests by
    route family, method and status, latency by family and the refusals and failures among them,
    counted as they finish; the watchdog's counts and the process, read at each scrape."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "kkb_requests_total",
            "HTTP requests by route family, method and status.",
            ("family", "method", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "kkb_request_seconds", "Request latency.", ("family",), buckets=BUCKETS, registry=registry
        )
        self.timeouts = Counter(
            "kkb_query_timeouts_total",
            "SPARQL queries stopped by the time limit or refused while busy.",
            registry=registry,
        )
        self.store_errors = Counter(
            "kkb_store_errors_total", "Responses failed by the store or the server.", registry=registry
        )
        self.rate_limited = Counter(
            "kkb_rate_limited_total", "Requests refused by rate_limit (429).", registry=registry
        )
        ProcessCollector(registry=registry)  # process_start_time_seconds, CPU, memory, open files
        registry.register(self)

    def observe(self, family: str, method: str, status: int, seconds: float) -> None:
        """Count one response."""
        self.requests.labels(family, method, status).inc()
        self.latency.labels(family).observe(seconds)
        if family == "sparql" and status in (503, 504):
            self.timeouts.inc()
        elif status in (500, 502, 504):
            self.store_errors.inc()
        elif status == 429:
            self.rate_limited.inc()

    def collect(self) -> Iterator[Metric]:
        """The watchdog's counts, and which process answers the scrape."""
        watchdog = kkb().watchdog
        yield CounterMetricFamily(
            "kkb_queries_abandoned",
            "Queries abandoned at query_timeout (the engine cannot cancel them).",
            watchdog.abandoned_total,
        )
        yield GaugeMetricFamily(
            "kkb_queries_abandoned_running",
            "Abandoned queries of this process still running.",
            watchdog.still_running(),
        )
        yield CounterMetricFamily(
            "kkb_queries_stuck", "Abandoned queries still running at query_hard_limit.", watchdog.stuck_total
        )
        yield CounterMetricFamily(
            "kkb_worker_recycles",
            "Worker processes replaced because of a stuck query (all workers).",
            getattr(watchdog.recycles, "value", 0),
        )
        process = GaugeMetricFamily(
            "kkb_process_info", "The process that answered this scrape.", labels=("pid",)
        )
        process.add_metric((str(os.getpid()),), 1)
        yield process


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
    return Response(generate_latest(kkb().metrics.registry), mimetype="text/plain; version=0.0.4")
