"""Stand-ins that wrap the real session store: one that holds every query until released, one
that counts the queries it is asked."""

from __future__ import annotations

import threading

from kkb_lod.store import Store


class SlowStore:
    """Answers like ``store`` once ``release`` is set (or ``wait`` seconds pass): a query the
    engine cannot cancel."""

    def __init__(self, store: Store, release: threading.Event, wait: float = 30) -> None:
        self.store, self.release, self.wait = store, release, wait

    def query(self, *args: object, **kwargs: object) -> object:
        self.release.wait(self.wait)
        return self.store.query("ASK {}")

    def count(self) -> int:
        return 0


class CountingStore:
    """``store``, counting the queries it is asked."""

    def __init__(self, store: Store) -> None:
        self.store, self.queries = store, 0

    def query(self, *args: object, **kwargs: object) -> object:
        self.queries += 1
        return self.store.query(*args, **kwargs)  # type: ignore[arg-type]

    def count(self) -> int:
        return self.store.count()
