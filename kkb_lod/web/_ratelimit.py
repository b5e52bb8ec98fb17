"""The optional per-client rate limit: at most ``rate_limit`` requests a minute from one client
address (0, the default, turns it off); more are answered 429 with ``Retry-After``.

The client is the TCP peer, unless ``trusted_proxies`` is N > 0: then the N-th entry from the end
of ``X-Forwarded-For``, the address the outermost trusted proxy saw (entries further left are the
client's own writing, never read). Requests are counted in fixed one-minute windows, in a table of
slots keyed by a hash of the address, in shared memory: the table the gunicorn master makes before
forking (:mod:`._workers`) is counted in by every worker; an app without one counts alone. More
clients than the table holds in one minute are not limited (it fails open).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import time

from werkzeug.wrappers import Request

WINDOW = 60  # seconds
SLOTS = 65_536  # clients tracked per window (3 × 8 bytes each: 1.5 MB)
PROBES = 8  # slots looked at per client


class Table:
    """Request counts per client and window, in memory shared with forked processes."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.slots = slots
        self.cells = multiprocessing.RawArray("q", slots * 3)  # key, window, count
        self.lock = multiprocessing.Lock()

    def hit(self, client: str, limit: int, now: float | None = None) -> int:
        """Count one request of ``client``: 0 if it is allowed, else the seconds until it is."""
        now = time.time() if now is None else now
        key = (
            int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big", signed=True) or 1
        )
        window = int(now // WINDOW)
        cells, free = self.cells, None
        with self.lock:
            for probe in range(PROBES):
                at = (key + probe) % self.slots * 3
                if cells[at] == key:
                    if cells[at + 1] != window:
                        cells[at + 1], cells[at + 2] = window, 0
                    if cells[at + 2] >= limit:
                        return max(1, math.ceil((window + 1) * WINDOW - now))
                    cells[at + 2] += 1
                    return 0
                if free is None and cells[at + 1] != window:  # empty, or last used before
                    free = at
            if free is not None:
                cells[free], cells[free + 1], cells[free + 2] = key, window, 1
            return 0


def client_address(request: Request, trusted_proxies: int) -> str:
    """The client's address: the TCP peer, or the one ``trusted_proxies`` proxies saw."""
    if trusted_proxies:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return request.remote_addr or "unknown"
