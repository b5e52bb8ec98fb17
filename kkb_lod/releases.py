"""The release folder: its layout, the ``current`` link and pruning.

A build folder holds ``releases/{id}/`` (each with ``manifest.json``) and the ``current`` link to
one of them. The build (:mod:`kkb_lod.pipeline`) writes releases and swaps ``current``; the store
and the web app only read them.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

#: How many of the newest releases pruning keeps (besides ``current``), so a rollback stays
#: possible.
KEEP_RELEASES = 3
RELEASES, CURRENT, MANIFEST = "releases", "current", "manifest.json"


def partial_dir(root: Path, release_id: str) -> Path:
    """Where a build writes release ``release_id`` before it is complete."""
    return root / RELEASES / f".{release_id}.partial"


def release_dir(root: Path, release_id: str) -> Path:
    """Where the complete release ``release_id`` lives."""
    return root / RELEASES / release_id


def read_manifest(release: Path) -> dict[str, Any]:
    """The release's ``manifest.json`` (OSError or ValueError if it cannot be read)."""
    return json.loads((release / MANIFEST).read_text(encoding="utf-8"))


def current_release(build_dir: Path) -> Path:
    """The release the ``current`` link points to; FileNotFoundError if there is none."""
    link = build_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        raise FileNotFoundError(f"no build in {build_dir}: run 'kkb-lod build' first")
    release = link.resolve()
    if not (release / MANIFEST).is_file():
        raise FileNotFoundError(f"{link} points to {release}, which is not a complete release")
    return release


def remove_leftovers(root: Path) -> None:
    """Partial releases and temporary links left by a killed build (the caller holds the lock)."""
    releases = root / RELEASES
    for partial in releases.glob(".*.partial") if releases.is_dir() else ():
        shutil.rmtree(partial, ignore_errors=True)
    for link in root.glob(f".{CURRENT}.*"):
        link.unlink(missing_ok=True)


def point_current(root: Path, release: Path) -> None:
    """Swap the ``current`` link in one rename, so readers see the old or the new, never neither."""
    tmp = root / f".{CURRENT}.{os.getpid()}.{time.monotonic_ns()}"
    tmp.symlink_to(Path(RELEASES) / release.name)
    os.replace(tmp, root / CURRENT)


def prune(root: Path) -> None:
    """Keep the newest few releases (the current one always), so a rollback stays possible."""
    current = (root / CURRENT).resolve()
    releases = sorted(p for p in (root / RELEASES).iterdir() if not p.name.startswith("."))
    for old in releases[:-KEEP_RELEASES]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
