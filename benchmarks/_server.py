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

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(build_dir: Path, workers: int = 2, store: str = "memory") -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of gunicorn serving ``build_dir``; killed on exit."""
    port = free_port()
    env = {**os.environ, "KKB_BUILD_DIR": str(build_dir), "KKB_STORE": store}
    binary = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(binary), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "server:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start (pip install gunicorn)") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)
