"""The optional per-client rate limit: at most ``rate_limit`` requests a minute from one client
address (0, the default, turns it off); more are answered 429 with ``Retry-After``.

Who the client is: the TCP peer address, unless ``trusted_proxies`` is N > 0: then it is the
address the outermost trusted proxy saw, the N-th entry from the end of ``X-Forwarded-For``. Each
proxy appends the address it received the request from, so entries further left were written by
the client itself and are never read (a client cannot choose its own bucket). Behind a proxy with
``trusted_proxies = 0`` every request seems to come from the proxy: set it, or limit at the proxy.

How requests are counted: in fixed one-minute windows (so a client may send up to twice the limit
across a window boundary), in a table of slots keyed by a hash of the address. The table is
allocated in shared memory: when the gunicorn master makes it before forking (``kkb-lod serve``
and ``gunicorn.conf.py`` do, see :func:`share`), every worker process counts in the same
table; a process that makes its own (werkzeug, or gunicorn started without our config) counts
alone. If more clients than the table holds are active in one minute, the extra ones are not
limited (it fails open rather than refusing strangers).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import time

from flask import Request

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
        key = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big",
                             signed=True) or 1
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


_SHARED: Table | None = None


def share() -> Table:
    """Make the table the processes forked from now on will share (a process manager calls it
    before forking its workers)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Table()
    return _SHARED


def table() -> Table:
    """The table an app counts in: the shared one if this process inherited it, else its own."""
    return _SHARED if _SHARED is not None else Table()


def client_address(request: Request, trusted_proxies: int) -> str:
    """The client's address: the TCP peer, or the one ``trusted_proxies`` proxies saw."""
    if trusted_proxies:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return request.remote_addr or "unknown"
