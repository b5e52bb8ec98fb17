"""The release folder: its layout, the ``current`` link, pruning, and the pins of the servers.

A build folder holds ``releases/{id}/`` (each with ``manifest.json``), the ``current`` link to one
of them, and ``servers/{pid}.pid`` for each running server. The build (:mod:`kkb_lod.pipeline`)
writes releases and swaps ``current``; the store and the web app only read them. No other module
reads or writes a manifest, takes the build lock or touches ``current`` itself.

A release is served with the settings it was built with: its manifest records the base IRI
(:func:`kkb_lod.config.for_release` makes a server's settings follow it).

A server pins the release it serves: it holds a shared ``flock`` on the release's
``manifest.json`` for as long as it serves it, and pruning removes only releases whose lock it can
take exclusively. The kernel drops a lock when the last process holding it ends, so a killed
server leaves no pin behind. A gunicorn master pins for its workers (:func:`hold`): they inherit
the lock and the path when they are forked, so a replaced worker serves the same release as the
others; a reload (SIGHUP) pins the new ``current`` and the old release stays pinned by the old
workers until the last of them has gone. A server that also serves older releases read-only
(setting ``serve_releases``: :func:`served_lineage`) pins those too, the same way.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

#: How many of the newest releases pruning keeps (besides ``current`` and pinned ones), so a
#: rollback stays possible; at least ``serve_releases`` (:func:`keep`), so a server started later
#: finds the releases it is to serve.
KEEP_RELEASES = 3
RELEASES, CURRENT, MANIFEST, SERVERS = "releases", "current", "manifest.json", "servers"
#: The lock a build holds on its build folder (one build at a time).
BUILD_LOCK = ".lock"
#: Inside a release: the dumps (the N-Quads one is what a server loads) and the on-disk store.
DUMPS, NQUADS, STORE = "dumps", "kkb.nq", "store"
#: Inside a release: the pages of its event stream (written by :mod:`kkb_lod.ldes`).
LDES = "ldes"
#: How often :func:`pin_current` resolves ``current`` again when a build pruned the release it
#: found before it could pin it (each time means another build finished meanwhile).
PIN_ATTEMPTS = 5


def partial_dir(root: Path, release_id: str) -> Path:
    """Where a build writes release ``release_id`` before it is complete."""
    return root / RELEASES / f".{release_id}.partial"


def release_dir(root: Path, release_id: str) -> Path:
    """Where the complete release ``release_id`` lives."""
    return root / RELEASES / release_id


def nquads_dump(release: Path) -> Path:
    """The release's N-Quads dump: what the in-memory store loads and ``kkb-lod load`` sends."""
    return release / DUMPS / NQUADS


def store_dir(release: Path) -> Path:
    """The release's on-disk store (absent when built with build_store 'none')."""
    return release / STORE


def ldes_dir(release: Path) -> Path:
    """The release's event stream pages (:mod:`kkb_lod.ldes`)."""
    return release / LDES


def kept_lineage(release: Path, limit: int) -> list[Path]:
    """``release`` and the releases before it in its lineage (each the ``previous`` of the one
    after), newest first: at most ``limit``, up to the first one no longer complete on disk."""
    found = [release]
    while len(found) < limit:
        try:
            before = read_manifest(found[-1])["previous"]
        except (OSError, ValueError):
            break
        if not before or "/" in before or before.startswith("."):  # not a release's name
            break
        path = found[-1].parent / before
        if not (path / MANIFEST).is_file():
            break
        found.append(path)
    return found


def read_manifest(release: Path) -> dict[str, Any]:
    """The release's ``manifest.json`` (OSError or ValueError if it cannot be read), its lineage
    filled in when it predates lineage or holds nonsense: ``previous`` null, ``first_issued`` its
    ``created``, ``version`` 1."""
    manifest = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError(f"{release / MANIFEST} does not hold a JSON object")
    if not isinstance(manifest.get("previous"), str):
        manifest["previous"] = None
    if not isinstance(manifest.get("first_issued"), str):
        manifest["first_issued"] = manifest.get("created")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        manifest["version"] = 1
    return manifest


def previous_release(root: Path) -> Path | None:
    """The release a new build of build folder ``root`` follows: the complete release
    ``current`` points to, if any."""
    try:
        return current_release(root)
    except FileNotFoundError:
        return None


def lineage(previous: Path | None, created: str) -> dict[str, Any]:
    """``previous``, ``first_issued`` and ``version`` of a release created at ``created`` that
    follows the release ``previous`` (None: the first of its lineage)."""
    if previous is None:
        return {"previous": None, "first_issued": created, "version": 1}
    before = read_manifest(previous)
    return {
        "previous": before.get("id") or previous.name,
        "first_issued": before["first_issued"] or created,
        "version": before["version"] + 1,
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` of the release being built in ``folder``; ``manifest`` holds the
    id, counts, dumps and the settings it was built with (``base_iri``). Its lineage
    (:func:`lineage`) is added unless it has one: it follows the build folder's current release."""
    if "base_iri" not in manifest:
        raise ValueError("a release manifest records the base_iri it was built with")
    if "version" not in manifest:
        root = folder.parent.parent if folder.parent.name == RELEASES else None
        previous = previous_release(root) if root is not None else None
        manifest = {**manifest, **lineage(previous, str(manifest.get("created", "")))}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def has_current_link(build_dir: Path) -> bool:
    """Whether ``build_dir`` has a ``current`` link, complete release or not (a build folder
    with none gets a first build; one whose link points nowhere complete must be rebuilt)."""
    return (build_dir / CURRENT).is_symlink()


def current_release(build_dir: Path) -> Path:
    """The release the ``current`` link points to; FileNotFoundError if there is none."""
    link = build_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        raise FileNotFoundError(f"no build in {build_dir}: run 'kkb-lod build' first")
    release = link.resolve()
    if not (release / MANIFEST).is_file():
        raise FileNotFoundError(f"{link} points to {release}, which is not a complete release")
    return release


def check_servable(release: Path, mode: str) -> None:
    """FileNotFoundError (or ValueError) naming what a server opening ``release`` from ``mode``
    (``memory``: the N-Quads dump; ``disk``: the on-disk store) would miss. Cheap: the files are
    not read, so a server can check a release before its workers try to load it."""
    manifest = read_manifest(release)
    needed = store_dir(release) if mode == "disk" else nquads_dump(release)
    if not needed.exists() or mode == "disk" and manifest.get("store") is False:
        raise FileNotFoundError(f"the release {release} cannot be served from {mode}: {needed} is missing")


class BuildBusy(RuntimeError):
    """Another build holds the build folder's lock."""


@contextmanager
def building(root: Path) -> Iterator[None]:
    """Hold the build lock of ``root`` (made if missing) and remove what a killed build left
    (:func:`remove_leftovers`); BuildBusy at once when another build holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / BUILD_LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(f"another build is running in {root}") from None
        remove_leftovers(root)
        yield


def remove_leftovers(root: Path) -> None:
    """Partial releases, half-pruned releases and temporary links left by a killed build (the
    caller holds the build lock)."""
    releases = root / RELEASES
    for name in (".*.partial", ".*.pruned") if releases.is_dir() else ():
        for leftover in releases.glob(name):
            shutil.rmtree(leftover, ignore_errors=True)
    for link in root.glob(f".{CURRENT}.*"):
        link.unlink(missing_ok=True)


def point_current(root: Path, release: Path) -> None:
    """Swap the ``current`` link in one rename, so readers see the old or the new, never neither."""
    tmp = root / f".{CURRENT}.{os.getpid()}.{time.monotonic_ns()}"
    tmp.symlink_to(Path(RELEASES) / release.name)
    os.replace(tmp, root / CURRENT)


def keep(serve_releases: int) -> int:
    """How many of the newest releases pruning keeps when servers serve ``serve_releases`` of
    them: :data:`KEEP_RELEASES`, or more."""
    return max(KEEP_RELEASES, serve_releases)


def prune(root: Path, newest: int = KEEP_RELEASES) -> list[Path]:
    """Remove releases but the ``newest`` few, ``current`` and those a server pins; the removed."""
    current = (root / CURRENT).resolve()
    releases = sorted(p for p in (root / RELEASES).iterdir() if not p.name.startswith("."))
    return [old for old in releases[: -max(newest, 1)] if old != current and _remove_unpinned(old)]


def _remove_unpinned(release: Path) -> bool:
    """Remove ``release`` unless a server pins it. It is renamed aside while its lock is held,
    so a server that takes the lock afterwards finds the release gone (see :func:`pin`)."""
    try:
        fd: int | None = os.open(release / MANIFEST, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:  # not a complete release: nothing can pin it
        fd = None
    doomed = release.with_name(f".{release.name}.pruned")
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        release.rename(doomed)
    except OSError:  # BlockingIOError: a server pins it; else it stays for the next build
        return False
    finally:
        if fd is not None:
            os.close(fd)
    shutil.rmtree(doomed, ignore_errors=True)
    return True


@dataclass
class Pin:
    """A shared lock on a release, held while the release is served: pruning leaves it alone.

    The lock belongs to the open file, which forked processes share: it lasts until the last
    of them has closed it or ended (or, in one process, until the Pin is garbage).
    """

    path: Path
    file: BinaryIO

    def __post_init__(self) -> None:
        self._closer = weakref.finalize(self, self.file.close)  # also when dropped unclosed

    def close(self) -> None:
        """Let go of this process's hold (forked processes that share it keep theirs)."""
        self._closer()


def pin(release: Path) -> Pin:
    """Pin ``release``; FileNotFoundError if it is not (or no longer) a complete release."""
    file = open(release / MANIFEST, "rb", buffering=0)  # noqa: SIM115 (the Pin closes it)
    try:
        fcntl.flock(file, fcntl.LOCK_SH)  # waits only while a build renames this release aside
        if not _same_file(file.fileno(), release / MANIFEST):
            raise FileNotFoundError(f"{release} was pruned while it was being pinned")
    except BaseException:
        file.close()
        raise
    return Pin(release, file)


def pin_current(build_dir: Path) -> Pin:
    """Pin the release ``current`` points to (again, if a build pruned it meanwhile)."""
    attempts = 1
    while True:
        release = current_release(build_dir)
        try:
            return pin(release)
        except FileNotFoundError:
            if attempts == PIN_ATTEMPTS:
                raise
            attempts += 1


def archive_mode(release: Path) -> str:
    """How a server opens an older release it serves beside ``current``: from its on-disk store
    when the release has one (opened per process at little memory cost, whatever the ``store``
    setting), else from memory (its dump loaded); ValueError if neither can be."""
    for mode in ("disk", "memory"):
        try:
            check_servable(release, mode)
        except (OSError, ValueError):
            continue
        return mode
    raise ValueError(f"the release {release} has neither an on-disk store nor its N-Quads dump")


def served_lineage(release: Path, count: int) -> list[Pin]:
    """Pins of the up to ``count - 1`` releases before ``release`` in its lineage (the manifests'
    ``previous``), newest first, that are still complete and servable (:func:`archive_mode`): the
    older releases a server of ``release`` serves with ``serve_releases = count``. The walk stops
    at the first one missing (pruned, or never here): its manifest was the way further back."""
    pins: list[Pin] = []
    here = release
    while len(pins) < count - 1:
        try:
            before = read_manifest(here).get("previous")
            if not before or "/" in before or before.startswith("."):
                break
            found = pin(release_dir(here.parent.parent, before))
        except (OSError, ValueError):
            break
        try:
            archive_mode(found.path)
        except ValueError:
            found.close()
            break
        pins.append(found)
        here = found.path
    return pins


_HELD: Pin | None = None  # the pin of this server process and the workers it forks
_HELD_BEFORE: list[Pin] = []  # its pins of the older releases it serves (serve_releases)


def hold(build_dir: Path, mode: str, serve_releases: int = 1) -> Pin:
    """Pin ``current`` for this process and every process it forks from now on (a gunicorn
    master, for its workers), if it can be served from ``mode`` (:func:`check_servable`, else
    OSError or ValueError and the hold is unchanged), and the older releases served with it
    (:func:`served_lineage`); the previous hold is let go here, while the processes forked
    before keep it until they end."""
    global _HELD, _HELD_BEFORE
    new = pin_current(build_dir)
    try:
        check_servable(new.path, mode)
    except BaseException:
        new.close()
        raise
    gone = [*([_HELD] if _HELD is not None else []), *_HELD_BEFORE]
    _HELD, _HELD_BEFORE = new, served_lineage(new.path, serve_releases)
    for pin_ in gone:
        pin_.close()
    return new


def held(build_dir: Path) -> Pin | None:
    """The pin :func:`hold` made in this process (or in the master that forked it) for
    ``build_dir``, if any: the release a worker must serve, whatever ``current`` is now."""
    if _HELD is not None and _HELD.path.parent.parent.resolve() == build_dir.resolve():
        return _HELD
    return None


def held_before(current: Pin) -> list[Pin] | None:
    """The pins :func:`hold` made of the older releases served with ``current``, if ``current``
    is the pin it made (in a worker: the master's); None otherwise."""
    return list(_HELD_BEFORE) if current is _HELD else None


def announce_server(build_dir: Path) -> Path:
    """Write ``servers/{pid}.pid`` for this process and keep it locked while the process (or a
    process it forks) runs, so :func:`running_servers` can tell a live server from a stale file."""
    folder = build_dir / SERVERS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.pid"
    tmp = folder / f".{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)  # kept open (and locked) for the life of the process
    os.write(fd, f"{os.getpid()}\n".encode())
    os.replace(tmp, path)
    return path


def running_servers(build_dir: Path) -> list[int]:
    """The process ids of the servers serving ``build_dir`` now; stale pid files are removed."""
    pids = []
    for path in sorted((build_dir / SERVERS).glob("*.pid")):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # locked: its server runs
            pids.append(int(os.read(fd, 32).decode().strip()))
        else:  # nobody holds it: a server that was killed (unless a new one just replaced it)
            if _same_file(fd, path):
                path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return pids


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
