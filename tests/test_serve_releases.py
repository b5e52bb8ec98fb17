"""A real ``kkb-lod serve`` (a gunicorn master and two workers) while builds run beside it: it
keeps serving the release it started with, each worker, a replaced one too, and pruning leaves
that release alone; ``kkb-lod serve --reload`` moves every worker to the new release.

Which worker answers is made certain, not left to chance: the other workers are stopped
(SIGSTOP) while one is asked, so only it can accept the connection.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kkb_lod.config import Settings
from kkb_lod.pipeline import build
from kkb_lod.releases import KEEP_RELEASES

from .conftest import BASE, DATA
from .server import ROOT, children, pythonpath, server_process
from .test_hardening_workers import wait_for

PAGE = "/id/kkb/62.04.06.2020"
#: What tells one release from another: the dumps' Last-Modified (the files' time) and the
#: page's ETag (made of the release id) and Last-Modified (the release's creation).
Answer = tuple[tuple[str, int, str | None, str | None], ...]


def look(url: str) -> Answer:
    """Status, Last-Modified and ETag of two dumps and a page."""
    seen = []
    for path, accept in (("/dumps/kkb.nt", "*/*"), ("/dumps/kkb.nt.gz", "*/*"), (PAGE, "text/turtle")):
        request = urllib.request.Request(url + path, headers={"Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                status, headers = response.status, response.headers
        except urllib.error.HTTPError as err:
            with err:
                status, headers = err.code, err.headers
        seen.append((path, status, headers["Last-Modified"], headers["ETag"] if path == PAGE else None))
    return tuple(seen)


def health_pid(url: str) -> int:
    with urllib.request.urlopen(url + "/health", timeout=30) as response:
        return int(json.loads(response.read())["pid"])


@contextmanager
def only(worker: int, workers: set[int]) -> Iterator[None]:
    """Every worker but ``worker`` stopped: only it accepts connections meanwhile."""
    others = workers - {worker}
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


def each_worker(url: str, workers: set[int]) -> dict[int, Answer]:
    """What every worker answers, asked one at a time."""
    answers = {}
    for worker in workers:
        with only(worker, workers):
            assert health_pid(url) == worker
            answers[worker] = look(url)
    return answers


def open_releases(pid: int, build_dir: Path) -> set[str]:
    """The releases of ``build_dir`` a process has files open in (its pin, its store)."""
    under = str((build_dir / "releases").resolve()) + "/"
    names = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith(under):
            names.add(target[len(under) :].split("/")[0])
    return names


def workers_of(server: subprocess.Popen, other_than: set[int] = frozenset()) -> set[int] | None:
    """The server's two workers, if it has two and none of them is in ``other_than``."""
    pids = children(server.pid)
    return pids if len(pids) == 2 and not pids & other_than else None


def reload_command(build_dir: Path) -> subprocess.CompletedProcess:
    """``kkb-lod serve --reload --build BUILD_DIR``, run to its end."""
    return subprocess.run(
        [sys.executable, "-m", "kkb_lod", "serve", "--reload", "--build", str(build_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": pythonpath()},
    )


def replace_one(server: subprocess.Popen, workers: set[int]) -> set[int]:
    """Kill a worker (SIGKILL); the workers once gunicorn has started its replacement."""
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    return wait_for(lambda: workers_of(server, {victim}), "the killed worker replaced", seconds=120)


def test_builds_while_serving_leave_the_served_release_alone(tmp_path: Path) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "out", base_iri=BASE)
    served = build(settings).release
    with server_process("--build", str(settings.build_dir)) as (url, server):
        workers = wait_for(lambda: workers_of(server), "two workers")
        first = look(url)
        assert {status for _, status, _, _ in first} == {200}
        answers = []
        for n in range(5):
            if n == 3:  # a worker replaced (as after a crash) while current is another release
                workers = replace_one(server, workers)
            build(settings)
            answers += [look(url) for _ in range(6)]
        assert set(answers) == {first}
        assert set(each_worker(url, workers).values()) == {first}
        for worker in workers:
            assert open_releases(worker, settings.build_dir) == {served.name}
    kept = sorted(p.name for p in (settings.build_dir / "releases").iterdir())
    assert served.name in kept and len(kept) == KEEP_RELEASES + 1  # the newest and the served


def test_a_reload_moves_every_worker_to_the_new_release(tmp_path: Path) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "out", base_iri=BASE)
    old = build(settings).release
    only_current = {"KKB_SERVE_RELEASES": "1"}  # else the old release stays served (tests/test_archive.py)
    with server_process("--build", str(settings.build_dir), "--store", "disk", env=only_current) as (
        url,
        server,
    ):
        before = wait_for(lambda: workers_of(server), "two workers")
        served = look(url)
        dumped = (old / "dumps" / "kkb.nt").stat().st_mtime
        wait_for(lambda: time.time() >= dumped + 1, "a later second: releases differ in time")
        new = build(settings).release
        assert set(each_worker(url, before).values()) == {served}  # not before it is told
        done = reload_command(settings.build_dir)
        assert done.returncode == 0 and f"onto release {new.name}" in done.stdout, done.stderr
        after = wait_for(lambda: workers_of(server, before), "two new workers", seconds=120)
        answers = each_worker(url, after)
        assert len(set(answers.values())) == 1  # every worker the same release
        (reloaded,) = set(answers.values())
        assert {status for _, status, _, _ in reloaded} == {200}
        for (path, _, modified, _), (_, _, was, _) in zip(reloaded, served, strict=True):
            assert modified != was, path
        assert reloaded[-1][3] != served[-1][3]  # the page's ETag, made of the release id
        for worker in after:
            assert open_releases(worker, settings.build_dir) == {new.name}
        for _ in range(KEEP_RELEASES):  # the old release is no longer pinned: pruned
            build(settings)
        assert not old.exists() and new.is_dir()


def test_a_reload_onto_a_release_that_cannot_be_served_keeps_the_old(tmp_path: Path) -> None:
    """``--reload`` refuses it, saying why; a SIGHUP sent anyway gets new workers, all on the
    release served before (the master checks it too), not workers that cannot start."""
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "out", base_iri=BASE)
    build(settings)
    with server_process("--build", str(settings.build_dir)) as (url, server):
        before = wait_for(lambda: workers_of(server), "two workers")
        served = look(url)
        broken = build(settings).release
        (broken / "dumps" / "kkb.nq").unlink()
        done = reload_command(settings.build_dir)
        assert done.returncode == 1 and "kkb.nq is missing" in done.stderr, done.stderr
        assert "the servers keep their release" in done.stderr and "Traceback" not in done.stderr
        os.kill(server.pid, signal.SIGHUP)
        after = wait_for(lambda: workers_of(server, before), "two new workers", seconds=120)
        assert set(each_worker(url, after).values()) == {served}
        assert server.poll() is None
