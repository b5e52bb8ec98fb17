"""Running one read-only query: policy checks, the dataset, a time limit and a size limit.

The time limit: pyoxigraph cannot cancel a query, but it releases the GIL while it works, so the
query runs in a worker thread and the request stops waiting after ``query_timeout`` seconds (503
with ``Retry-After``). The worker threads are kept between queries (:class:`_Threads`): starting a
thread for every query cost about a tenth of a millisecond, as much as a lookup itself. A query
that streams its answer (most SELECT/CONSTRUCT queries) also stops once abandoned, as its answer
is written (:mod:`kkb_lod.web._answer`); one that computes everything before its first row
(ORDER BY, GROUP BY, aggregates) runs on in its thread. Abandoned queries count against
``max_queries`` until they end, and the watchdog (:mod:`kkb_lod.web._watchdog`) replaces the
worker process of one still running ``query_hard_limit`` after it started.

Handing a query to its thread and back costs two thread wake-ups, 0.2-0.3 ms: more than a lookup
itself. A query the embedded store has already answered quickly runs in the request thread
instead (:class:`KnownQueries`), as it needs no time limit; nobody can abandon it, so the store
writes its whole answer (``written(direct=True)``).

How the answer is written, and its size limit, is :mod:`kkb_lod.web._answer`: at most
``result_limit`` rows or triples are answered; a bigger answer is refused (422) rather than cut
short, with a hint to page with LIMIT/OFFSET.
"""

from __future__ import annotations

import math
import os
import queue
import re
import threading
import time
import traceback
from collections.abc import Callable, Sequence

from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    Forbidden,
    GatewayTimeout,
    InternalServerError,
    ServiceUnavailable,
    UnprocessableEntity,
)

from kkb_lod.store import Store, StoreError, StoreTimeout
from kkb_lod.web._answer import Answer, TooLarge, Unsure, written
from kkb_lod.web._scan import UPDATE_KEYWORDS, Scan
from kkb_lod.web._watchdog import WATCHDOG

READ_ONLY = ("This is a read-only SPARQL endpoint: SPARQL Update ({}) is not accepted here. "
             "The data is published by rebuilding a release (kkb-lod build).")

#: Stands for "no graph at all" where the Store interface can only say "these graphs": a protocol
#: dataset with named graphs only has an empty default graph, and vice versa (SPARQL 1.1 Protocol
#: 2.1.4). Nothing is ever stored in it.
EMPTY_GRAPH = "urn:x-kkb-lod:empty-graph"


def check_policy(scan: Scan) -> None:
    """Refuse updates (403), before running. What else a query's text must pass (its size,
    nesting and SERVICE calls) is :func:`kkb_lod.web._policy.check_query`."""
    if scan.form in UPDATE_KEYWORDS:
        raise Forbidden(READ_ONLY.format(scan.form))


def dataset(scan: Scan, default_graphs: Sequence[str], named_graphs: Sequence[str]
            ) -> tuple[list[str], list[str]]:
    """The (default graphs, named graphs) to pass to the store.

    A protocol dataset (``default-graph-uri``/``named-graph-uri``) replaces the query's FROM and
    FROM NAMED (SPARQL 1.1 Protocol 2.1.4). Without one, the query's own FROM clauses are passed
    explicitly: the embedded store serves the union of all graphs as the default graph, and
    pyoxigraph lets that union override FROM. Without either, the store's default dataset applies.
    """
    default, named = list(default_graphs), list(named_graphs)
    if not default and not named and scan.from_default is not None \
            and scan.from_named is not None:
        default, named = list(scan.from_default), list(scan.from_named)  # the scan is shared
    if default or named:
        return default or [EMPTY_GRAPH], named or [EMPTY_GRAPH]
    return [], []


class _Active:
    """Query threads still running in this process, abandoned ones included (they cannot be
    cancelled), so a burst of expensive queries is refused instead of piling up."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    def enter(self, most: int) -> bool:
        with self.lock:
            if self.count >= most:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


ACTIVE = _Active()


class _Threads:
    """Threads that run queries, kept for the next one.

    A thread that finishes its query waits for another; one is started only when none is waiting,
    so there are about as many as queries ever ran at once here (``max_queries`` bounds that,
    abandoned ones included). They are daemon threads: an abandoned query never holds up the
    process's exit. A forked process (gunicorn ``--preload``) inherits no threads, so each process
    starts its own.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.idle = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self.lock:
            if self.pid != os.getpid():
                self.pid, self.jobs, self.idle = os.getpid(), queue.SimpleQueue(), 0
            jobs = self.jobs
            start = self.idle == 0
            if not start:
                self.idle -= 1
        jobs.put(job)
        if start:
            threading.Thread(target=self._serve, args=(jobs,), name="kkb-sparql-idle",
                             daemon=True).start()

    def _serve(self, jobs: queue.SimpleQueue[Callable[[], None]]) -> None:
        me = threading.current_thread()
        while True:
            job = jobs.get()
            me.name = "kkb-sparql-query"  # what a test or a debugger sees while a query runs
            job()
            del job  # nor keep the last answer alive
            me.name = "kkb-sparql-idle"
            with self.lock:
                if jobs is not self.jobs:
                    return
                self.idle += 1


THREADS = _Threads()


class KnownQueries:
    """The queries an embedded store answered within ``fast`` seconds in this process.

    The data of a release never changes while it is served, so the same query text on the same
    dataset does the same work each time: one answered within ``fast`` (far below any sensible
    ``query_timeout``) will be again, and :func:`run` runs it in the request thread, skipping the
    hand-over to a query thread. A new text, a slow one, and every query of a remote store (whose
    time varies with its load and the network) go through a query thread with the time limit.
    At most ``size`` queries are kept (the oldest forgotten first), none longer than ``longest``
    characters; shared by the request threads of a process.
    """

    def __init__(self, fast: float = 0.05, size: int = 4096, longest: int = 8192) -> None:
        self.fast, self.size, self.longest = fast, size, longest
        self.known: dict[tuple, None] = {}
        self.lock = threading.Lock()

    def __contains__(self, key: tuple) -> bool:
        return key in self.known

    def ran(self, key: tuple, seconds: float) -> None:
        """Note that the query ``key`` took ``seconds``."""
        with self.lock:
            if seconds > self.fast:
                self.known.pop(key, None)
            elif key not in self.known and len(key[0]) <= self.longest:
                if len(self.known) >= self.size:
                    del self.known[next(iter(self.known))]
                self.known[key] = None


def run(store: Store, query: str, base: str, scan: Scan, graphs: tuple[list[str], list[str]],
        timeout: float, limit: int, most: int = 4, json: bool = False,
        known: KnownQueries | None = None) -> Answer:
    """Run ``query`` on ``store`` within ``timeout`` seconds and ``limit`` rows or triples.

    ``json``: a SELECT answer is wanted as SPARQL JSON, so the store writes that directly.
    ``known``: the queries ``store`` answered quickly before, run in this thread (and noted there
    once they have been); only for a store that never changes while it is served.

    ``base`` is the service-defined base IRI (SPARQL 1.1 Protocol allows the endpoint's URL): the
    store interface takes none, so it is declared in a first line, which error positions skip.

    :raise 400: the store's parser rejects the query (its message is passed on).
    :raise 422: the answer is larger than ``limit``.
    :raise 502: a SERVICE call or a remote store failed.
    :raise 503: the query did not finish in time, or ``most`` queries are already running.
    """
    if not ACTIVE.enter(most):
        raise ServiceUnavailable(
            f"{most} queries are already running (max_queries); try again in a moment.",
            retry_after=math.ceil(min(timeout, 5)))
    outcome: dict[str, object] = {}
    finished, cancelled = threading.Event(), threading.Event()
    key = (query, *map(tuple, graphs), json, base) if known is not None else ()
    inline = known is not None and key in known

    def work() -> None:
        # pyoxigraph results must be dropped by the thread that made them, so the result is
        # never a local of this frame (which an error's traceback would keep alive), and the
        # finished frames an error passes on have their locals cleared here.
        try:
            text = f"BASE <{base}>\n{query}"
            try:
                outcome["answer"] = written(store.query(text, *graphs), limit, cancelled, json,
                                            direct=inline)
            except Unsure:
                unsure = True
            else:
                unsure = False
            if unsure:  # count its rows exactly: once more, as TSV
                outcome["answer"] = written(store.query(text, *graphs), limit, cancelled, False,
                                            direct=inline)
        except BaseException as err:  # handed to the waiting request thread
            chained: BaseException | None = err
            while chained is not None:  # with the errors it was raised from or during
                traceback.clear_frames(chained.__traceback__)
                chained = chained.__cause__ or chained.__context__
            outcome["error"] = err
        finally:
            ACTIVE.leave()
            finished.set()

    started = time.monotonic()
    if inline:
        work()
    else:
        THREADS.submit(work)
    if not finished.wait(timeout):
        cancelled.set()
        WATCHDOG.abandoned(started, finished)
        raise ServiceUnavailable(
            f"The query did not finish within {timeout:g} s (query_timeout) and was abandoned. "
            "Make it cheaper (a narrower pattern, LIMIT) and try again.",
            retry_after=math.ceil(timeout))
    error = outcome.get("error")
    if error is None:
        if known is not None:
            known.ran(key, time.monotonic() - started)
        return outcome["answer"]  # type: ignore[return-value]
    if isinstance(error, SyntaxError):
        position = re.match(r"error at (\d+):", str(error))
        message = str(error) if position is None else (
            f"error at {int(position[1]) - 1}:{str(error)[position.end():]}")
        raise BadRequest(f"Query syntax error: {message}")
    if isinstance(error, TooLarge):
        raise UnprocessableEntity(
            f"The answer has more than {limit} rows or triples, the most this endpoint returns "
            f"(result_limit). Page through it: add ORDER BY plus LIMIT {limit} and OFFSET 0, "
            f"then OFFSET {limit}, and so on; or count first with COUNT(*).")
    if isinstance(error, StoreTimeout):  # a remote store too slow
        raise GatewayTimeout(str(error))
    if isinstance(error, StoreError):  # a remote store failed
        raise BadGateway(str(error))
    if scan.services and isinstance(error, (OSError, RuntimeError)):
        raise BadGateway(f"A SERVICE call failed: {error}")
    if isinstance(error, RuntimeError) and "is not supported" in str(error):
        raise BadRequest(f"The query uses something this endpoint does not support: {error}")
    if isinstance(error, (OSError, RuntimeError, ValueError)):
        raise InternalServerError(f"The query failed: {error}")
    raise error
