"""The hard limit of queries that cannot be stopped: their worker process is replaced.

pyoxigraph cannot cancel a query: one abandoned at ``query_timeout`` (:mod:`._query`) runs on in
its thread. The watchdog gives it a deadline, ``query_hard_limit`` after its start; a query still
running then calls the ``recycler``, which the gunicorn worker hook installs (:mod:`._workers`):
the worker stops accepting, finishes its requests and exits, and gunicorn starts a fresh one.
Without a process manager (werkzeug, tests) a stuck query is logged and counted only.
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
    """Abandoned queries of one app, and what to do with one that outlives the hard limit."""

    def __init__(self, hard_limit: float = 30.0) -> None:
        self.lock = threading.Lock()
        self.hard_limit = hard_limit
        self.running: set[threading.Event] = set()  # "finished" events of abandoned queries
        self.abandoned_total = 0
        self.stuck_total = 0
        self.recycler: Callable[[str], None] | None = None
        self.recycling = False
        self.recycles: Any = None  # the count of replaced workers the gunicorn master shares

    def abandoned(self, started: float, finished: threading.Event) -> None:
        """A query started at ``started`` (``time.monotonic()``) was abandoned unfinished."""
        with self.lock:
            self.abandoned_total += 1
            self.running.add(finished)
        timer = threading.Timer(
            max(0.0, started + self.hard_limit - time.monotonic()), self._check, (finished,)
        )
        timer.daemon = True
        timer.name = "kkb-query-watchdog"
        timer.start()

    def still_running(self) -> int:
        """Abandoned queries still running."""
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
        reason = (
            f"process {os.getpid()}: a query is still running {self.hard_limit:g} s after "
            "it started (query_hard_limit)"
        )
        if recycler is None:
            log.warning("%s; this process has no manager to replace it, so it runs on", reason)
        elif first:
            log.warning("%s; replacing this worker process", reason)
            recycler(reason)
