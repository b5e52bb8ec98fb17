"""Serving with several gunicorn worker processes, so a query the engine cannot stop costs at
most one worker for a while, never the service (``kkb-lod serve``; ``gunicorn.conf.py`` gives a
plain ``gunicorn server:app`` the same settings and hooks).

The hooks are the methods of one :class:`Master`, made in the master and inherited by every
fork: it holds what the workers share (the rate-limit table and the count of replaced workers,
in shared memory) and the pid file. It pins the release at start and on SIGHUP, with the older
ones served beside it (``serve_releases``), so every worker, a replacement too, serves the same
releases and pruning leaves them alone.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from kkb_lod import releases
from kkb_lod.config import Settings
from kkb_lod.web._ratelimit import Table

log = logging.getLogger("kkb_lod.workers")


class Master:
    """The gunicorn hooks of one master, and what its workers share."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.table: Table | None = None  # the shared rate-limit table
        self.recycles: Any = None  # the shared count of replaced workers
        self.pid_file: Path | None = None  # servers/{pid}.pid of this master

    def on_starting(self, arbiter: Any) -> None:
        """Before the first fork: the shared memory; the release to serve, pinned; the pid file."""
        self.table, self.recycles = Table(), multiprocessing.RawValue("q", 0)
        if self.settings.sparql_url:
            return
        try:
            pin = releases.hold(self.settings.build_dir, self.settings.store, self.settings.serve_releases)
        except (OSError, ValueError) as err:  # each worker then fails to open it, saying why
            arbiter.log.error("no release to serve: %s", err)
            return
        self.pid_file = releases.announce_server(self.settings.build_dir)
        arbiter.log.info(
            "serving release %s (pinned until a reload: kill -HUP %s or 'kkb-lod serve --reload')",
            pin.path.name,
            os.getpid(),
        )
        _log_older(arbiter, pin)

    def on_reload(self, arbiter: Any) -> None:
        """On SIGHUP, before the new workers are forked: pin what ``current`` is now (else the
        old release stays)."""
        if self.settings.sparql_url:
            return
        before = releases.held(self.settings.build_dir)
        was = before.path.name if before else "(none)"
        try:
            pin = releases.hold(self.settings.build_dir, self.settings.store, self.settings.serve_releases)
        except (OSError, ValueError) as err:
            arbiter.log.error("reload: %s; still serving release %s", err, was)
            return
        arbiter.log.info("reload: serving release %s (was %s)", pin.path.name, was)
        _log_older(arbiter, pin)

    def on_exit(self, arbiter: Any) -> None:
        """Stopping: remove the pid file (the pins end with the processes)."""
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)

    def post_worker_init(self, worker: Any) -> None:
        """In a worker, its app loaded: log to stderr; count in the shared table; when a query
        is stuck, stop gracefully (SIGTERM), or ``os._exit`` if that hangs."""
        logger = logging.getLogger("kkb_lod")
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
        kkb = getattr(worker.wsgi, "extensions", {}).get("kkb")
        if kkb is None:
            return
        if kkb.rate_table is not None and self.table is not None:
            kkb.rate_table = self.table
        kkb.watchdog.recycles = self.recycles
        grace = float(worker.cfg.graceful_timeout)

        def recycle(reason: str) -> None:
            if self.recycles is not None:
                self.recycles.value += 1  # one writer per worker at a time; a lost count is harmless
            os.kill(os.getpid(), signal.SIGTERM)
            timer = threading.Timer(grace + 5, os._exit, (0,))
            timer.daemon = True
            timer.start()

        kkb.watchdog.recycler = recycle

    def worker_exit(self, arbiter: Any, worker: Any) -> None:
        """A worker whose requests are done exits at once, even with abandoned queries still
        running (Python would wait for their pool threads, which nothing can stop)."""
        kkb = getattr(worker.wsgi, "extensions", {}).get("kkb")
        if kkb is not None and kkb.watchdog.still_running():
            logging.shutdown()
            os._exit(0)

    def child_exit(self, arbiter: Any, worker: Any) -> None:
        """A worker ended (gunicorn starts a replacement unless it is stopping)."""
        arbiter.log.info("worker %s exited", worker.pid)


def _log_older(arbiter: Any, pin: releases.Pin) -> None:
    """Name the older releases served read-only beside ``pin``'s (``serve_releases``), if any."""
    older = [p.path.name for p in releases.held_before(pin) or []]
    if older:
        arbiter.log.info("and, read-only under /releases/<id>/, the releases %s", ", ".join(older))


def options(settings: Settings) -> dict[str, Any]:
    """gunicorn settings for ``settings``: gthread workers and the hooks of a new :class:`Master`."""
    grace = math.ceil(settings.query_timeout) + 5
    master = Master(settings)
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "graceful_timeout": grace,
        "timeout": max(30, int(settings.query_hard_limit + grace)),  # heartbeat: last resort
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        **{hook: getattr(master, hook) for hook in HOOKS},
    }


HOOKS = ("on_starting", "on_reload", "on_exit", "post_worker_init", "worker_exit", "child_exit")


def serve(settings: Settings, factory: Callable[[Settings], Flask]) -> None:
    """Run the gunicorn master with ``factory(settings)`` loaded in every worker; returns when
    the master stops (SIGINT/SIGTERM)."""
    from gunicorn.app.base import BaseApplication

    class Workers(BaseApplication):
        def load_config(self) -> None:
            for name, value in options(settings).items():
                self.cfg.set(name, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25.1: not wanted
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            return factory(settings)

    Workers().run()
