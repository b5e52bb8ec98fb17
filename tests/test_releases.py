"""The release folder: the ``current`` swap, pruning, pins (held by real processes) and the
servers' pid files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkb_lod import releases
from kkb_lod.cli import cli
from kkb_lod.releases import (
    KEEP_RELEASES,
    current_release,
    pin,
    pin_current,
    point_current,
    prune,
)

from .server import pythonpath


def fake_release(root: Path, release_id: str) -> Path:
    """A complete release as far as the folder logic can tell (a manifest naming it)."""
    release = root / "releases" / release_id
    (release / "dumps").mkdir(parents=True)
    (release / "dumps" / "kkb.nq").write_bytes(b"")
    (release / "manifest.json").write_text(json.dumps({"id": release_id, "store": False}))
    return release


def some_releases(root: Path, n: int) -> list[Path]:
    """``n`` releases, oldest first; ``current`` points to the newest."""
    made = [fake_release(root, f"2026010{i}T000000000000Z") for i in range(1, n + 1)]
    point_current(root, made[-1])
    return made


def test_the_swap_never_leaves_current_missing_or_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file-system call of the swap is watched: before and after each, ``current`` is a
    complete release (the old one, then the new one). Removing the link and making a new one
    (two calls) would leave a moment with no ``current``."""
    old, new = fake_release(tmp_path, "A"), fake_release(tmp_path, "B")
    point_current(tmp_path, old)
    seen: list[tuple[str, str]] = []

    def watched(name: str):  # noqa: ANN202
        real = getattr(os, name)

        def call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            seen.append((name, current_release(tmp_path).name))
            result = real(*args, **kwargs)
            seen.append((name, current_release(tmp_path).name))
            return result

        return call

    for name in ("replace", "rename", "unlink", "remove", "symlink", "rmdir"):
        monkeypatch.setattr(os, name, watched(name))
    point_current(tmp_path, new)
    monkeypatch.undo()
    assert current_release(tmp_path) == new.resolve()
    assert [name for name, _ in seen].count("replace") == 2  # one rename onto ``current``
    assert {release for _, release in seen} == {"A", "B"}
    assert not list(tmp_path.glob(".current.*"))  # the prepared link became ``current``


def test_prune_keeps_the_newest_current_and_pinned(tmp_path: Path) -> None:
    made = some_releases(tmp_path, 7)
    point_current(tmp_path, made[1])  # an operator rolled back to an old one
    pinned = pin(made[0])
    removed = prune(tmp_path)
    assert removed == made[2 : 7 - KEEP_RELEASES]
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [
        p.name for p in (made[0], made[1], *made[-KEEP_RELEASES:])
    ]
    pinned.close()
    assert prune(tmp_path) == [made[0]]
    assert not list((tmp_path / "releases").glob(".*"))  # nothing left half-removed


@contextmanager
def pinning_process(build_dir: Path) -> Iterator[subprocess.Popen]:
    """Another process that pins ``current`` of ``build_dir`` and says so, then waits."""
    code = (
        "import sys, time; from pathlib import Path; from kkb_lod.releases import pin_current;"
        "p = pin_current(Path(sys.argv[1])); print(p.path.name, flush=True); time.sleep(600)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(build_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": pythonpath()},
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # pinned
        yield process
    finally:
        process.kill()
        process.communicate()


def test_a_pin_lasts_as_long_as_its_process(tmp_path: Path) -> None:
    """A server pins across processes; killed (SIGKILL, no clean-up), it leaves no pin."""
    made = some_releases(tmp_path, 1)
    with pinning_process(tmp_path) as holder:
        for n in range(2, 2 + KEEP_RELEASES):  # enough newer releases to prune the first
            point_current(tmp_path, fake_release(tmp_path, f"2026010{n}T000000000000Z"))
            assert prune(tmp_path) == []
        assert made[0].is_dir()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        assert prune(tmp_path) == [made[0]]


def test_a_forked_process_keeps_the_pin_after_its_parent_lets_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gunicorn case: workers forked while the master held a release keep it pinned after
    the master has moved on (a reload), until they end."""
    monkeypatch.setattr(releases, "_HELD", None)  # this process is no master after the test
    made = some_releases(tmp_path, 1)
    first = releases.hold(tmp_path, "memory")
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: holds what it inherited until told to end
        os.read(reader, 1)
        os._exit(0)
    try:
        for n in range(2, 2 + KEEP_RELEASES):
            point_current(tmp_path, fake_release(tmp_path, f"2026010{n}T000000000000Z"))
        second = releases.hold(tmp_path, "memory")  # the master's reload: lets go of ``first`` here
        assert releases.held(tmp_path) is second and first.file.closed
        assert prune(tmp_path) == [] and made[0].is_dir()  # the worker still holds it
    finally:
        os.write(writer, b"x")
        os.waitpid(child, 0)
        os.close(reader)
        os.close(writer)
        second.close()
    assert prune(tmp_path) == [made[0]]


def test_a_server_holds_only_a_release_it_can_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reload onto a release the workers could not open keeps the release held before (the
    check reads no data: the files the workers would open are there)."""
    monkeypatch.setattr(releases, "_HELD", None)
    made = some_releases(tmp_path, 1)
    first = releases.hold(tmp_path, "memory")
    try:
        with pytest.raises(FileNotFoundError, match="cannot be served from disk.*store"):
            releases.hold(tmp_path, "disk")  # built without its on-disk store
        (made[0] / "store").mkdir()
        with pytest.raises(FileNotFoundError, match="cannot be served from disk"):
            releases.hold(tmp_path, "disk")  # the manifest says there is none
        newer = fake_release(tmp_path, "20260102T000000000000Z")
        (newer / "dumps" / "kkb.nq").unlink()
        point_current(tmp_path, newer)
        with pytest.raises(FileNotFoundError, match="kkb.nq is missing"):
            releases.hold(tmp_path, "memory")
        assert releases.held(tmp_path) is first and not first.file.closed
        assert prune(tmp_path) == []
    finally:
        first.close()


def _until_opened_twice(path: Path, thread: threading.Thread) -> None:
    """Wait (no clock) until this process holds ``path`` open twice: the lock holder's and the
    pin's own descriptor, so the pin is past opening the file and waits for its lock. Without it
    the rename could come first and the pin fail to open the file at all (another message)."""
    target = str(path.resolve())
    while thread.is_alive():
        opened = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                opened += os.readlink(f"/proc/self/fd/{fd}") == target
            except OSError:
                continue
        if opened >= 2:
            return
        os.sched_yield()


def test_a_release_pruned_while_being_pinned_is_not_pinned(tmp_path: Path) -> None:
    """The race with a build: pruning holds the release's lock while it renames the release
    aside; a pin waiting for that lock must then fail, and pin_current moves on to current."""
    made = some_releases(tmp_path, 2)
    with open(made[0] / "manifest.json", "rb") as locked:
        import fcntl

        fcntl.flock(locked, fcntl.LOCK_EX)  # what pruning holds
        outcome: list[BaseException | releases.Pin] = []
        waiting = threading.Thread(target=lambda: outcome.append(_try(pin, made[0])))
        waiting.start()
        _until_opened_twice(made[0] / "manifest.json", waiting)  # the pin waits on the lock now
        made[0].rename(made[0].with_name(".gone.pruned"))
    waiting.join(30)
    assert isinstance(outcome[0], FileNotFoundError)
    assert "was pruned while it was being pinned" in str(outcome[0])
    point_current(tmp_path, made[0])  # a current pointing to what was pruned meanwhile
    with pytest.raises(FileNotFoundError, match="not a complete release"):
        pin_current(tmp_path)
    point_current(tmp_path, made[1])
    assert pin_current(tmp_path).path == made[1].resolve()


def _try(function, *args):  # noqa: ANN001, ANN002, ANN202
    try:
        return function(*args)
    except BaseException as err:  # noqa: BLE001 (handed to the test thread)
        return err


def test_leftovers_of_a_killed_prune_are_removed(tmp_path: Path) -> None:
    some_releases(tmp_path, 1)
    for leftover in (".x.pruned", ".y.partial"):
        (tmp_path / "releases" / leftover / "store").mkdir(parents=True)
    (tmp_path / ".current.1.2").symlink_to("releases/x")
    releases.remove_leftovers(tmp_path)
    assert [p.name for p in (tmp_path / "releases").iterdir()] == ["20260101T000000000000Z"]
    assert not list(tmp_path.glob(".current.*"))


def test_running_servers_tells_live_from_stale(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from kkb_lod.releases import "
        "announce_server; announce_server(Path(sys.argv[1])); print(flush=True); "
        "time.sleep(600)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": pythonpath()},
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        assert releases.running_servers(tmp_path) == [process.pid]
    finally:
        process.kill()  # no clean-up: its pid file stays, unlocked
        process.communicate()
    assert (tmp_path / "servers" / f"{process.pid}.pid").is_file()
    assert releases.running_servers(tmp_path) == []
    assert list((tmp_path / "servers").iterdir()) == []


def test_reload_without_a_server_says_so(tmp_path: Path) -> None:
    some_releases(tmp_path, 1)
    done = CliRunner().invoke(cli, ["serve", "--reload", "--build", str(tmp_path)])
    assert done.exit_code == 1
    assert f"no server is running on {tmp_path}" in done.output and "Traceback" not in done.output


def test_prune_leaves_what_is_not_a_release_and_removes_an_incomplete_one(tmp_path: Path) -> None:
    """Folders whose names start with a dot (a build's ``.partial``) are not releases: not
    counted, not removed. An old folder without a manifest (nothing can pin it) is removed."""
    made = some_releases(tmp_path, KEEP_RELEASES + 1)
    (made[0] / "manifest.json").unlink()
    (tmp_path / "releases" / ".20260109T000000000000Z.partial").mkdir()
    assert prune(tmp_path) == [made[0]]
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [
        ".20260109T000000000000Z.partial",
        *(p.name for p in made[1:]),
    ]


@pytest.mark.parametrize("failures", [1, releases.PIN_ATTEMPTS - 1, releases.PIN_ATTEMPTS])
def test_pin_current_tries_again_as_often_as_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures: int
) -> None:
    """Each failed pin means a build pruned the release meanwhile: ``current`` is read again,
    up to PIN_ATTEMPTS times in all, and the last failure is raised."""
    some_releases(tmp_path, 1)
    calls: list[Path] = []
    real = releases.pin

    def pruned_meanwhile(release: Path) -> releases.Pin:
        calls.append(release)
        if len(calls) > releases.PIN_ATTEMPTS:
            raise AssertionError("tried more often than PIN_ATTEMPTS")
        if len(calls) <= failures:
            raise FileNotFoundError(f"{release} was pruned while it was being pinned")
        return real(release)

    monkeypatch.setattr(releases, "pin", pruned_meanwhile)
    if failures < releases.PIN_ATTEMPTS:
        pin_current(tmp_path).close()
        assert len(calls) == failures + 1
    else:
        with pytest.raises(FileNotFoundError, match="pruned while"):
            pin_current(tmp_path)
        assert len(calls) == releases.PIN_ATTEMPTS


def test_a_release_with_its_store_is_held_from_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of the refusals above: a release built with its on-disk store can be
    served from disk; ``held`` answers only for the build folder it was made for."""
    monkeypatch.setattr(releases, "_HELD", None)
    assert releases.held(tmp_path) is None
    made = some_releases(tmp_path, 1)
    (made[0] / "store").mkdir()
    (made[0] / "manifest.json").write_text(json.dumps({"id": made[0].name, "store": True}))
    held = releases.hold(tmp_path, "disk")
    try:
        assert held.path == made[0].resolve() and releases.held(tmp_path) is held
        assert releases.held(tmp_path / "elsewhere") is None
    finally:
        held.close()


def test_no_build_yet_says_to_build(tmp_path: Path) -> None:
    """What ``kkb-lod serve`` tells an operator who has not built yet."""
    with pytest.raises(FileNotFoundError, match="no build in .*: run 'kkb-lod build' first"):
        current_release(tmp_path)


def test_a_manifest_records_the_base_iri() -> None:
    with pytest.raises(ValueError, match="^a release manifest records the base_iri it was built with$"):
        releases.write_manifest(Path("unused"), {"id": "R"})


def test_a_current_link_counts_even_when_it_points_nowhere(tmp_path: Path) -> None:
    """What tells a first build from a build folder whose ``current`` must be rebuilt."""
    assert not releases.has_current_link(tmp_path)
    (tmp_path / "current").symlink_to("releases/gone")
    assert releases.has_current_link(tmp_path)


def test_one_build_at_a_time_and_a_killed_builds_leftovers_go(tmp_path: Path) -> None:
    leftover = tmp_path / "releases" / ".20260101T000000000000Z.partial"
    leftover.mkdir(parents=True)
    with releases.building(tmp_path):
        assert not leftover.exists()
        with pytest.raises(releases.BuildBusy, match="another build is running"):
            with releases.building(tmp_path):
                pass
    with releases.building(tmp_path):  # let go when the first build ended
        pass


def manifest_at(release: Path, **facts: object) -> None:
    (release / "manifest.json").write_text(json.dumps({"id": release.name, **facts}))


def test_a_new_release_follows_the_current_one(tmp_path: Path) -> None:
    old = fake_release(tmp_path, "20260101T000000000000Z")
    manifest_at(
        old,
        created="2026-01-01T00:00:00+00:00",
        first_issued="2025-06-01T00:00:00+00:00",
        version=4,
        previous="20251201T000000000000Z",
    )
    point_current(tmp_path, old)
    folder = releases.partial_dir(tmp_path, "20260102T000000000000Z")
    folder.mkdir(parents=True)
    releases.write_manifest(
        folder, {"id": folder.name, "base_iri": "https://x.example/", "created": "2026-01-02T00:00:00+00:00"}
    )
    made = releases.read_manifest(folder)
    assert (made["previous"], made["version"], made["first_issued"]) == (
        old.name,
        5,
        "2025-06-01T00:00:00+00:00",
    )


def test_the_first_release_of_a_build_folder_starts_its_lineage(tmp_path: Path) -> None:
    folder = releases.partial_dir(tmp_path, "20260102T000000000000Z")
    folder.mkdir(parents=True)
    releases.write_manifest(
        folder, {"id": "R", "base_iri": "https://x.example/", "created": "2026-01-02T00:00:00+00:00"}
    )
    made = releases.read_manifest(folder)
    assert (made["previous"], made["version"], made["first_issued"]) == (None, 1, "2026-01-02T00:00:00+00:00")


@pytest.mark.parametrize(
    "lineage",
    [{}, {"version": "2"}, {"version": True}, {"version": 0}, {"first_issued": 7, "previous": ["x"]}],
)
def test_an_older_manifest_reads_as_the_first_of_its_lineage(tmp_path: Path, lineage: dict) -> None:
    old = fake_release(tmp_path, "20260101T000000000000Z")
    manifest_at(old, created="2026-01-01T00:00:00+00:00", **lineage)
    made = releases.read_manifest(old)
    assert (made["previous"], made["version"], made["first_issued"]) == (None, 1, "2026-01-01T00:00:00+00:00")
    point_current(tmp_path, old)  # and the release after it is its version 2
    assert releases.lineage(releases.previous_release(tmp_path), "later") == {
        "previous": old.name,
        "first_issued": "2026-01-01T00:00:00+00:00",
        "version": 2,
    }


def chained(root: Path, kinds: dict[str, str]) -> dict[str, Path]:
    """Releases named as ``kinds``' keys, each the ``previous`` of the one after, served from
    "disk" (a store), "memory" (only the N-Quads dump) or "none" (neither); current the last."""
    made: dict[str, Path] = {}
    previous = None
    for name, kind in kinds.items():
        release = fake_release(root, name)
        if kind == "disk":
            (release / "store").mkdir()
        if kind == "none":
            (release / "dumps" / "kkb.nq").unlink()
        manifest = {"id": name, "store": kind == "disk", "previous": previous}
        (release / "manifest.json").write_text(json.dumps(manifest))
        made[name], previous = release, name
    point_current(root, release)
    return made


def test_an_older_release_is_served_from_its_store_else_its_dump(tmp_path: Path) -> None:
    made = chained(tmp_path, {"r1": "none", "r2": "memory", "r3": "disk"})
    assert releases.archive_mode(made["r3"]) == "disk"
    assert releases.archive_mode(made["r2"]) == "memory"
    with pytest.raises(ValueError, match="neither an on-disk store nor its N-Quads dump"):
        releases.archive_mode(made["r1"])


def test_the_served_lineage_stops_at_the_count_and_at_a_release_that_cannot_be_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = chained(tmp_path, {"r1": "disk", "r2": "none", "r3": "memory", "r4": "disk", "r5": "memory"})
    served = releases.served_lineage(made["r5"], 3)
    assert [p.path for p in served] == [made["r4"], made["r3"]]  # at most 3 with r5 itself
    assert [p.path for p in releases.served_lineage(made["r5"], 9)] == [made["r4"], made["r3"]]
    assert releases.served_lineage(made["r5"], 1) == [] and releases.served_lineage(made["r1"], 9) == []
    for pin_ in served:
        pin_.close()
    monkeypatch.setattr(releases, "_HELD", None)
    held = releases.hold(tmp_path, "memory", serve_releases=3)
    try:
        assert [p.path for p in releases.held_before(held) or []] == [made["r4"], made["r3"]]
        other = pin(made["r4"])
        assert releases.held_before(other) is None
        other.close()
    finally:
        held.close()
    alone = releases.hold(tmp_path, "memory")  # serves current alone unless told otherwise
    assert releases.held_before(alone) == []
    alone.close()
    fake_release(tmp_path, ".r4")  # servable folders a previous may name that are no releases
    fake_release(tmp_path, "sub/r4")
    for before in (".r4", "sub/r4", "", "gone"):
        (made["r5"] / "manifest.json").write_text(json.dumps({"id": "r5", "previous": before}))
        assert releases.served_lineage(made["r5"], 9) == []


def test_a_manifest_that_has_its_lineage_keeps_it(tmp_path: Path) -> None:
    some_releases(tmp_path, 1)
    folder = tmp_path / "releases" / "r2"
    folder.mkdir()
    given = {
        "id": "r2",
        "base_iri": "https://example.org/",
        "previous": "p",
        "first_issued": "f",
        "version": 7,
    }
    releases.write_manifest(folder, given)
    assert json.loads((folder / "manifest.json").read_text()) == given


def test_a_manifest_outside_a_releases_folder_starts_a_lineage(tmp_path: Path) -> None:
    some_releases(tmp_path, 1)  # a current release two levels up is not what it follows
    folder = tmp_path / "other" / "r9"
    folder.mkdir(parents=True)
    releases.write_manifest(folder, {"id": "r9", "base_iri": "https://example.org/", "created": "c"})
    written = json.loads((folder / "manifest.json").read_text())
    assert (written["previous"], written["first_issued"], written["version"]) == (None, "c", 1)


def test_a_release_follows_the_id_its_manifest_names_else_its_folder(tmp_path: Path) -> None:
    (before,) = some_releases(tmp_path, 1)
    (before / "manifest.json").write_text(json.dumps({"id": "named", "store": False}))
    assert releases.lineage(before, "c")["previous"] == "named"
    (before / "manifest.json").write_text(json.dumps({"store": False}))
    assert releases.lineage(before, "c")["previous"] == before.name


def test_a_manifest_that_is_no_json_object_is_refused_by_name(tmp_path: Path) -> None:
    (release,) = some_releases(tmp_path, 1)
    (release / "manifest.json").write_text("[]")
    with pytest.raises(ValueError, match=r"manifest\.json does not hold a JSON object$"):
        releases.read_manifest(release)


def test_a_server_announces_itself_while_it_runs(tmp_path: Path) -> None:
    """``announce_server`` in this process (the server tests call it in theirs): a locked pid
    file, written whole, not inherited by programs the server starts."""
    (tmp_path / "servers").mkdir()  # another server announced itself here before
    (tmp_path / "servers" / f".{os.getpid()}.tmp").write_text("left by a crash " * 4)
    umask = os.umask(0o022)
    try:
        path = releases.announce_server(tmp_path)
    finally:
        os.umask(umask)
    held = [
        int(fd) for fd in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{fd}") == str(path)
    ]
    try:
        assert path == tmp_path / "servers" / f"{os.getpid()}.pid"
        assert path.read_text() == f"{os.getpid()}\n" and path.stat().st_mode & 0o777 == 0o644
        assert list(path.parent.iterdir()) == [path]  # the temporary name is gone
        assert releases.running_servers(tmp_path) == [os.getpid()]
        assert len(held) == 1 and not os.get_inheritable(held[0])
    finally:
        for fd in held:  # what the process's end would do
            os.close(fd)
    assert releases.running_servers(tmp_path) == [] and not path.exists()
