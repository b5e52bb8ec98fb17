"""Serving with several worker processes (gunicorn), so a query the engine cannot stop costs at
most one worker for a while, never the service.

``kkb-lod serve`` runs :class:`Workers`: a gunicorn master that forks ``workers`` processes of
``threads`` request threads each, and starts a new one whenever one exits. The hooks below are
also what ``gunicorn.conf.py`` gives a plain ``gunicorn server:app``:

* ``on_starting`` (master, before forking): make the shared rate-limit table and the shared
  count of replaced workers, which the forked workers inherit; pin the current release
  (:func:`kkb_lod.releases.hold`), so every worker, a replaced one too, serves that release and
  pruning leaves it alone; write ``servers/{pid}.pid`` in the build folder.
* ``on_reload`` (master, on SIGHUP, before gunicorn forks the new workers and stops the old
  ones): pin the release ``current`` points to now, so the new workers all serve it; the old
  release stays pinned by the old workers until the last of them has gone. If ``current`` cannot
  be served (:func:`kkb_lod.releases.check_servable`), the new workers serve the old release.
* ``on_exit`` (master): remove the pid file.
* ``post_worker_init`` (each worker): install the watchdog's recycler. A worker with a query
  still running at ``query_hard_limit`` sends itself SIGTERM, gunicorn's graceful stop: it stops
  accepting, finishes the requests it holds (each bounded by ``query_timeout``) and exits; the
  master replaces it. If the stop itself hangs, the worker ends itself after ``graceful_timeout``,
  and the master's own ``timeout`` (no heartbeat) is the last resort.
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
from kkb_lod.web._ratelimit import share
from kkb_lod.web._watchdog import WATCHDOG

log = logging.getLogger("kkb_lod.workers")

RECYCLES: Any = None  # shared count of replaced workers, made by the master
PID_FILE: Path | None = None  # servers/{pid}.pid of this master, removed on exit


def options(settings: Settings) -> dict[str, Any]:
    """gunicorn settings for ``settings``: gthread workers and the hooks of this module."""
    grace = math.ceil(settings.query_timeout) + 5
    return {
        "bind": f"{settings.host}:{settings.port}", "workers": settings.workers,
        "worker_class": "gthread", "threads": settings.threads,
        "graceful_timeout": grace,
        "timeout": max(30, int(settings.query_hard_limit + grace)),  # heartbeat: last resort
        "keepalive": 5, "accesslog": None, "errorlog": "-", "loglevel": "info",
        "on_starting": lambda arbiter: on_starting(arbiter, settings),
        "on_reload": lambda arbiter: on_reload(arbiter, settings),
        "on_exit": on_exit, "post_worker_init": post_worker_init, "child_exit": child_exit,
    }


def on_starting(arbiter: Any, settings: Settings) -> None:
    """Master, before the first fork: shared memory the workers will inherit; the release they
    serve, pinned; the pid file."""
    global RECYCLES, PID_FILE
    share()
    RECYCLES = multiprocessing.RawValue("q", 0)
    if settings.sparql_url:
        return
    try:
        pin = releases.hold(settings.build_dir, settings.store)
    except (OSError, ValueError) as err:  # each worker then fails to open it, saying why
        arbiter.log.error("no release to serve: %s", err)
        return
    PID_FILE = releases.announce_server(settings.build_dir)
    arbiter.log.info("serving release %s (pinned until a reload: kill -HUP %s or "
                     "'kkb-lod serve --reload')", pin.path.name, os.getpid())


def on_reload(arbiter: Any, settings: Settings) -> None:
    """Master, on SIGHUP, before the new workers are forked: pin what ``current`` is now."""
    if settings.sparql_url:
        return
    before = releases.held(settings.build_dir)
    try:
        pin = releases.hold(settings.build_dir, settings.store)
    except (OSError, ValueError) as err:  # the new workers serve the release held before
        arbiter.log.error("reload: %s; still serving release %s", err,
                          before.path.name if before else "(none)")
        return
    arbiter.log.info("reload: serving release %s (was %s)", pin.path.name,
                     before.path.name if before else "(none)")


def on_exit(arbiter: Any) -> None:
    """Master, stopping: remove the pid file (the pins end with the processes)."""
    if PID_FILE is not None:
        PID_FILE.unlink(missing_ok=True)


def post_worker_init(worker: Any) -> None:
    """Worker, after loading the app: log our records to stderr; recycle when a query is stuck."""
    logger = logging.getLogger("kkb_lod")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    WATCHDOG.recycles = RECYCLES
    WATCHDOG.recycler = _recycler(float(worker.cfg.graceful_timeout))


def _recycler(grace: float) -> Callable[[str], None]:
    def recycle(reason: str) -> None:
        if RECYCLES is not None:
            RECYCLES.value += 1  # one writer per worker at a time; a lost count is harmless
        os.kill(os.getpid(), signal.SIGTERM)  # gunicorn's graceful stop of this worker
        timer = threading.Timer(grace + 5, os._exit, (0,))  # if the stop hangs
        timer.daemon = True
        timer.start()

    return recycle


def child_exit(arbiter: Any, worker: Any) -> None:
    """Master: a worker ended (gunicorn starts a replacement unless it is stopping)."""
    arbiter.log.info("worker %s exited", worker.pid)


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
