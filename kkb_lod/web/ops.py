"""Operations: liveness and readiness, Prometheus metrics, request ids, structured logs, and the
security headers every response carries.

``init_app(app)`` wires the hooks; ``bp`` serves ``/health``, ``/ready`` and ``/metrics``. Metrics
are per process (with several gunicorn workers, scrape each or aggregate); they need no extra
dependency because the Prometheus text format is a few lines.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections import Counter

from flask import Blueprint, Flask, Response, current_app, g, request

bp = Blueprint("ops", __name__)
log = logging.getLogger("kkb_lod.access")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
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
        self.sums: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    def observe(self, family: str, method: str, status: int, seconds: float) -> None:
        with self.lock:
            self.requests[(family, method, status)] += 1
            self.sums[family] += seconds
            self.counts[family] += 1
            for bound in BUCKETS:
                if seconds <= bound:
                    self.buckets[(family, bound)] += 1

    def render(self) -> str:
        with self.lock:
            lines = ["# HELP kkb_requests_total HTTP requests by route family, method and status.",
                     "# TYPE kkb_requests_total counter"]
            for (family, method, status), n in sorted(self.requests.items()):
                lines.append(f'kkb_requests_total{{family="{family}",method="{method}",'
                             f'status="{status}"}} {n}')
            lines += ["# HELP kkb_request_seconds Request latency.",
                      "# TYPE kkb_request_seconds histogram"]
            for family in sorted(self.counts):
                for bound in BUCKETS:
                    lines.append(f'kkb_request_seconds_bucket{{family="{family}",le="{bound}"}} '
                                 f"{self.buckets[(family, bound)]}")
                lines.append(f'kkb_request_seconds_bucket{{family="{family}",le="+Inf"}} '
                             f"{self.counts[family]}")
                lines.append(f'kkb_request_seconds_sum{{family="{family}"}} {self.sums[family]:.6f}')
                lines.append(f'kkb_request_seconds_count{{family="{family}"}} {self.counts[family]}')
            timeouts = sum(n for (f, _, s), n in self.requests.items() if f == "sparql" and s in (503, 504))
            errors = sum(n for (_, _, s), n in self.requests.items() if s in (500, 502))
            lines += ["# HELP kkb_query_timeouts_total SPARQL queries stopped by the time limit "
                      "or refused while busy.", "# TYPE kkb_query_timeouts_total counter",
                      f"kkb_query_timeouts_total {timeouts}",
                      "# HELP kkb_store_errors_total Responses failed by the store or the server.",
                      "# TYPE kkb_store_errors_total counter", f"kkb_store_errors_total {errors}"]
        return "\n".join(lines) + "\n"


def init_app(app: Flask, max_body_bytes: int = 1_000_000) -> None:
    """Request ids, access logs, metrics and security headers for every response of ``app``."""
    app.extensions["kkb_metrics"] = Metrics()
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    family = (request.blueprint or "other") if request.url_rule else "unrouted"
    current_app.extensions["kkb_metrics"].observe(family, request.method, response.status_code,
                                                  seconds)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    log.info(json.dumps({
        "request_id": g.get("request_id"), "method": request.method, "path": request.path,
        "status": response.status_code, "ms": round(seconds * 1000, 2),
        "bytes": response.calculate_content_length(), "agent": request.user_agent.string[:200]}))
    return response


@bp.get("/health")
def health() -> Response:
    """Liveness: the process answers."""
    return Response('{"status": "ok"}\n', mimetype="application/json")


@bp.get("/ready")
def ready() -> Response:
    """Readiness: the store answers a trivial query."""
    try:
        bool(current_app.extensions["kkb_store"].query("ASK { }"))
    except Exception as err:  # noqa: BLE001 - any store failure means "not ready"
        body = json.dumps({"status": "unavailable", "error": str(err)[:500]})
        return Response(body + "\n", status=503, mimetype="application/json",
                        headers={"Retry-After": "5"})
    return Response('{"status": "ready"}\n', mimetype="application/json")


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition of this process's metrics."""
    return Response(current_app.extensions["kkb_metrics"].render(),
                    mimetype="text/plain; version=0.0.4")
