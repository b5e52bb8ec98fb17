"""The hard limit of queries that cannot be stopped: their worker process is replaced.

pyoxigraph cannot cancel a running query. :func:`kkb_lod.web._query.run` answers 503 at
``query_timeout`` and abandons the query, which runs on in its thread using a CPU. The watchdog
gives every abandoned query a deadline, ``query_hard_limit`` after its start; a query still running
then has its process replaced: the process stops accepting requests, finishes the ones it is
answering (each bounded by ``query_timeout``) and exits, and the process manager starts a fresh
one while the other workers keep serving. Only a process manager can replace a process, so the
gunicorn worker hook installs the recycler (:mod:`kkb_lod.web._workers`); in a single-process
server (werkzeug, tests) a stuck query is logged and counted, and ``max_queries`` keeps the pile of
abandoned queries bounded.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("kkb_lod.watchdog")


class Watchdog:
    """Abandoned queries of this process, and what to do with one that outlives the hard limit."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hard_limit = 30.0
        self.running: set[threading.Event] = set()  # "finished" events of abandoned queries
        self.abandoned_total = 0
        self.stuck_total = 0
        self.recycler: Callable[[str], None] | None = None
        self.recycling = False
        self.recycles: Any = None  # a shared counter of replaced workers, set by the manager

    def abandoned(self, started: float, finished: threading.Event) -> None:
        """A query started at ``started`` (``time.monotonic()``) was abandoned unfinished."""
        with self.lock:
            self.abandoned_total += 1
            self.running.add(finished)
        timer = threading.Timer(max(0.0, started + self.hard_limit - time.monotonic()),
                                self._check, (finished,))
        timer.daemon = True
        timer.name = "kkb-query-watchdog"
        timer.start()

    def still_running(self) -> int:
        """Abandoned queries of this process still running."""
        with self.lock:
            self.running = {event for event in self.running if not event.is_set()}
            return len(self.running)

    def _check(self, finished: threading.Event) -> None:
        if finished.is_set():
            return
        with self.lock:
            self.stuck_total += 1
            first, self.recycling = not self.recycling, True
            recycler = self.recycler
        reason = (f"process {os.getpid()}: a query is still running {self.hard_limit:g} s after "
                  "it started (query_hard_limit)")
        if recycler is None:
            log.warning("%s; this process has no manager to replace it, so it runs on", reason)
        elif first:
            log.warning("%s; replacing this worker process", reason)
            recycler(reason)


WATCHDOG = Watchdog()
