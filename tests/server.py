"""Real HTTP servers for tests: ``kkb-lod serve`` as a child process, or an app on a loopback
thread.

Both listen on 127.0.0.1 only, on a port free at start, and are stopped when the ``with`` block
ends, so a failing test cannot leave a server behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_process(
    *args: str,
    command: Sequence[str] = ("-m", "kkb_lod", "serve"),
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[str]:
    """Run ``python -m kkb_lod serve ARGS --host 127.0.0.1 --port P``; yield its base URL.

    Waits until ``/sparql`` answers (a first build may take a while); if the process dies or
    never answers, fails with its output.
    """
    with server_process(*args, command=command, env=env, timeout=timeout) as (url, _):
        yield url


@contextmanager
def server_process(
    *args: str,
    command: Sequence[str] = ("-m", "kkb_lod", "serve"),
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    ready: str = "/sparql?query=ASK%7B%7D",
) -> Iterator[tuple[str, subprocess.Popen]]:
    """:func:`serve_process`, yielding the process too (its workers are its children), once
    ``ready`` answers."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, *command, *args, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": pythonpath(), **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url + ready, process, timeout, output)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def oxigraph_process(*args: str, port: int | None = None, union_default_graph: bool = True) -> Iterator[str]:
    """``oxigraph ARGS --bind 127.0.0.1:PORT --union-default-graph`` (the PyPI package's server;
    the last option left out with ``union_default_graph=False``); yield ``http://127.0.0.1:PORT``."""
    beside = Path(sys.executable).with_name("oxigraph")  # the venv's, when it is not on PATH
    binary = str(beside) if beside.is_file() else shutil.which("oxigraph")
    assert binary, "the oxigraph server (pip package 'oxigraph') is a test dependency"
    port = port or free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [
                binary,
                *args,
                "--bind",
                f"127.0.0.1:{port}",
                *(["--union-default-graph"] if union_default_graph else []),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/query?query=ASK%7B%7D", process, 30, output)
            yield base
        finally:
            process.terminate()
            process.wait(10)


@contextmanager
def oxigraph(store: Path, port: int) -> Iterator[str]:
    """``oxigraph serve-read-only`` of ``store`` on 127.0.0.1:``port``; its query URL."""
    with oxigraph_process("serve-read-only", "--location", str(store), port=port) as base:
        yield f"{base}/query"


@contextmanager
def serve_app(app: Flask) -> Iterator[str]:
    """Serve ``app`` with werkzeug's threaded server on a loopback thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="test-server", daemon=True
    )  # a short poll interval makes shutdown quick
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` but multiprocessing's helpers (its resource tracker): the
    worker processes of a server."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and b"multiprocessing" not in (stat.parent / "cmdline").read_bytes():
                found.add(int(stat.parent.name))
        except OSError:  # the process ended meanwhile
            continue
    return found


def pythonpath() -> str:
    """The repository first, then whatever PYTHONPATH the test run has."""
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float, output) -> None:  # noqa: ANN001
    """Poll ``url`` until it answers; fail with the process's output if it dies or never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                output.seek(0)
                log = output.read().decode("utf-8", "replace")
                raise RuntimeError(f"server at {url} did not come up:\n{log}") from None
            time.sleep(0.1)
