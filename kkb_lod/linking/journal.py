"""The progress file of a refresh: every answer on disk before the next request is sent.

JSON lines. The first says which refresh the file belongs to (the endpoint and a fingerprint of
the units; a file of another refresh is started over) and the day it started; each further line is
one answer: the SHA-256 of the query and its rows. Each line is flushed and synced before the next
request, so a refresh stopped anyhow (Ctrl-C, a crash, a kill, a power cut) loses at most the
answer it was waiting for; a last line cut short by a kill is dropped, and its query asked again.
The file is locked while a refresh writes it: a second refresh of the same folder is refused.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from kkb_lod.linking.wdqs import RefreshError

Rows = list[dict[str, str]]


class Journal:
    """The answers of a refresh so far (see the module's description)."""

    def __init__(self, path: Path, header: dict[str, str], progress: Callable[[str], None]) -> None:
        self.path, self.count = path, 0
        self.answers: dict[str, Rows] = {}
        self.started = dt.date.today().isoformat()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file: BinaryIO = open(path, "a+b")  # open until close()
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            raise RefreshError(
                f"another refresh is writing {path.name} in {path.parent}; wait for it to end"
            ) from None
        self.file.seek(0)
        end = self._read(self.file.read(), header, progress)
        if end is None:
            self.file.truncate(0)
            self._append({**header, "started": self.started})
        else:
            self.file.truncate(end)
            progress(f"resuming: {len(self.answers):,} answers kept in {path.name}")

    def _read(self, raw: bytes, header: dict[str, str], progress: Callable[[str], None]) -> int | None:
        """Take the answers of an earlier run; the length of the file's good part, or None."""
        if not raw:
            return None
        lines = raw.split(b"\n")[:-1]  # what follows the last line break was cut short
        try:
            first = json.loads(lines[0]) if lines else None
        except ValueError:
            first = None
        if not isinstance(first, dict) or {k: first.get(k) for k in header} != header:
            progress(
                f"{self.path.name} belongs to a refresh of other units or another endpoint: starting over"
            )
            return None
        self.started = str(first.get("started", self.started))
        end = len(lines[0]) + 1
        for line in lines[1:]:
            try:
                entry = json.loads(line)
                rows = entry["rows"]
                if not all(isinstance(v, str) for row in rows for v in row.values()):
                    raise TypeError
            except (ValueError, KeyError, TypeError, AttributeError):
                break
            self.answers[entry["query"]] = rows
            end += len(line) + 1
        return end

    def ask(self, query: str, fetch: Callable[[str], Rows]) -> Rows:
        """The answer to ``query``: the one kept, or ``fetch``'s, kept before it is returned."""
        self.count += 1
        key = hashlib.sha256(query.encode()).hexdigest()
        if key not in self.answers:
            self.answers[key] = fetch(query)
            self._append({"query": key, "rows": self.answers[key]})
        return self.answers[key]

    def _append(self, entry: dict) -> None:
        self.file.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()

    def finish(self) -> None:
        """The snapshot is written: the answers are no longer needed."""
        self.path.unlink()
