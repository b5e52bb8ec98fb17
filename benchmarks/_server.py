"""Start a real kkb-lod server (gunicorn, 2 workers) on loopback for a benchmark, and stop it.

gunicorn runs in the repository folder, so it reads ``gunicorn.conf.py``: the same threaded
workers and hooks (stuck-query watchdog, shared rate-limit table) as ``kkb-lod serve``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def started(
    build_dir: Path,
    *,
    workers: int = 2,
    store: str = "memory",
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    ready: str = "/health",
    wait: float = 60,
    log: IO[bytes] | None = None,
    app: str = "server:app",
) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn serving ``build_dir`` with extra ``args``/``env``, once ``ready`` answers (a
    national store can take minutes to load: ``wait``); yields its URL and process; stopped on
    exit, killed if it will not stop. ``app``: the WSGI app (module:name, from this folder)."""
    port = free_port()
    env = {**os.environ, "KKB_BUILD_DIR": str(build_dir), "KKB_STORE": store, **(env or {})}
    binary = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(binary),
            "--workers",
            str(workers),
            *args,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "info" if log else "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(url + ready, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def gunicorn(build_dir: Path, workers: int = 2, store: str = "memory") -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of gunicorn serving ``build_dir``; stopped on exit."""
    with started(build_dir, workers=workers, store=store) as (url, _):
        yield url
