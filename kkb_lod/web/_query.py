"""Running one read-only query: policy checks, the dataset, a time limit and a size limit.

The time limit: pyoxigraph cannot cancel a query, but it releases the GIL while it works, so the
query runs in a worker thread and the request stops waiting after ``query_timeout`` seconds (503
with ``Retry-After``). The worker threads are kept between queries (:class:`_Threads`): starting a
thread for every query cost about a tenth of a millisecond, as much as a lookup itself. A query
that streams its answer (most SELECT/CONSTRUCT queries) also stops once abandoned: at its next row
while rows come slowly, at the next 8 KB block of output once they come fast (``FIRST_ROWS``); one
that computes everything before its first row (ORDER BY, GROUP BY, aggregates) runs on in its
thread. Abandoned queries count against ``max_queries`` until they end, and the watchdog
(:mod:`kkb_lod.web._watchdog`) replaces the worker process of one still running
``query_hard_limit`` after it started.

The answer is kept as SPARQL TSV (SELECT) or N-Triples (graphs), written by the store itself, in
Rust and without the GIL, once its first rows have come fast (:class:`Answer`); the negotiated
format is made from it (``_results``). Both are line formats (a line break inside a literal is
written ``\\n``), so counting lines enforces the size limit without a Python object per row. A
SELECT answer asked for as SPARQL JSON is written as JSON directly (:class:`_JsonRows` counts it).

The size limit: at most ``result_limit`` rows or triples are answered; a bigger answer is refused
(422) rather than cut short, with a hint to page with LIMIT/OFFSET.
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
from dataclasses import dataclass
from functools import cached_property

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
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
from kkb_lod.web._scan import UPDATE_KEYWORDS, Scan
from kkb_lod.web._watchdog import WATCHDOG

READ_ONLY = ("This is a read-only SPARQL endpoint: SPARQL Update ({}) is not accepted here. "
             "The data is published by rebuilding a release (kkb-lod build).")

#: Stands for "no graph at all" where the Store interface can only say "these graphs": a protocol
#: dataset with named graphs only has an empty default graph, and vice versa (SPARQL 1.1 Protocol
#: 2.1.4). Nothing is ever stored in it.
EMPTY_GRAPH = "urn:x-kkb-lod:empty-graph"


@dataclass
class Answer:
    """A query's answer as the store wrote it: ``kind`` "results" (SELECT: SPARQL TSV in
    ``body``), "boolean" (ASK) or "graph" (CONSTRUCT/DESCRIBE: N-Triples in ``body``).

    The Python objects the HTML page and the spreadsheet formats need are read back from
    ``body`` only when asked for (``variables``, ``rows``, ``triples``).
    """

    kind: str
    body: bytes = b""
    boolean: bool = False
    #: What ``body`` of a SELECT answer is written in: TSV, or JSON when that was asked for.
    results_format: QueryResultsFormat = QueryResultsFormat.TSV

    @classmethod
    def of_triples(cls, triples: Sequence[Triple]) -> Answer:
        """A graph answer made in Python (the service description)."""
        return cls("graph", serialize(triples, format=RdfFormat.N_TRIPLES))

    @cached_property
    def _solutions(self) -> tuple[list[str], list[QuerySolution]]:
        solutions = parse_query_results(self.body, self.results_format)
        assert isinstance(solutions, QuerySolutions)
        return [v.value for v in solutions.variables], list(solutions)

    @property
    def variables(self) -> list[str]:
        return self._solutions[0] if self.kind == "results" else []

    @property
    def rows(self) -> list[QuerySolution]:
        return self._solutions[1] if self.kind == "results" else []

    @cached_property
    def triples(self) -> list[Triple]:
        if self.kind != "graph":
            return []
        return [q.triple for q in parse(self.body, RdfFormat.N_TRIPLES)]


Term = NamedNode | BlankNode | Literal | Triple


class _TooLarge(Exception):
    """The answer has more rows or triples than allowed."""


class _Unsure(Exception):
    """The rows of a JSON answer could not be counted exactly while it was written."""


def check_policy(scan: Scan, services: Sequence[str]) -> None:
    """Refuse updates (403) and SERVICE calls outside the allowlist (400), before running."""
    if scan.form in UPDATE_KEYWORDS:
        raise Forbidden(READ_ONLY.format(scan.form))
    allowed = ", ".join(f"<{s}>" for s in services) or "none"
    for target in scan.services:
        if target is None:
            raise BadRequest("SERVICE is allowed only with a literal absolute IRI (or a prefixed "
                             f"name) that is on this endpoint's allowlist; allowed: {allowed}.")
        if target not in services:
            raise BadRequest(f"SERVICE <{target}> is not allowed: this endpoint calls only the "
                             f"endpoints on its allowlist (service_allowlist); allowed: {allowed}.")


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


def run(store: Store, query: str, base: str, scan: Scan, graphs: tuple[list[str], list[str]],
        timeout: float, limit: int, most: int = 4, json: bool = False) -> Answer:
    """Run ``query`` on ``store`` within ``timeout`` seconds and ``limit`` rows or triples.

    ``json``: a SELECT answer is wanted as SPARQL JSON, so the store writes that directly.

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

    def work() -> None:
        # pyoxigraph results must be dropped by the thread that made them, so the result is
        # never a local of this frame (which an error's traceback would keep alive), and the
        # finished frames an error passes on have their locals cleared here.
        try:
            text = f"BASE <{base}>\n{query}"
            try:
                outcome["answer"] = _written(store.query(text, *graphs), limit, cancelled, json)
            except _Unsure:
                unsure = True
            else:
                unsure = False
            if unsure:  # count its rows exactly: once more, as TSV
                outcome["answer"] = _written(store.query(text, *graphs), limit, cancelled, False)
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
        return outcome["answer"]  # type: ignore[return-value]
    if isinstance(error, SyntaxError):
        position = re.match(r"error at (\d+):", str(error))
        message = str(error) if position is None else (
            f"error at {int(position[1]) - 1}:{str(error)[position.end():]}")
        raise BadRequest(f"Query syntax error: {message}")
    if isinstance(error, _TooLarge):
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


class _Writer:
    """Where the store writes a line-based answer: counts lines, and stops the writing (by
    raising) past ``most`` lines or once the request has given up waiting."""

    def __init__(self, most: int, cancelled: threading.Event) -> None:
        self.parts: list[bytes] = []
        self.lines, self.most, self.cancelled = 0, most, cancelled
        self.stopped: str | None = None

    def write(self, chunk: bytes) -> int:
        if self.stopped:  # the store's buffer may try the same bytes again: the first word stands
            raise OSError(self.stopped)
        if self.cancelled.is_set():
            self.stopped = "cancelled"
        else:
            self.lines += chunk.count(b"\n")
            if self.lines > self.most:
                self.stopped = "too large"
        if self.stopped:
            raise OSError(self.stopped)
        self.parts.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass


#: Rows read one by one before the rest may be left to the store's writer, and how fast they must
#: have come for that (seconds per row): a query whose rows come slowly is read row by row to the
#: end, so an abandoned one stops at its next row; a fast one is written by the store, in 8 KB
#: blocks, each a point where an abandoned one stops.
FIRST_ROWS, FAST_ROW = 16, 0.001


def _written(result: object, limit: int, cancelled: threading.Event, json: bool = False
             ) -> Answer | None:
    """The whole result as TSV (JSON if ``json``) or N-Triples, stopping past the limit or when
    abandoned (None).

    :raise _Unsure: the JSON rows could not be counted exactly (:class:`_JsonRows`).
    """
    if isinstance(result, QueryBoolean):
        return Answer("boolean", boolean=bool(result))
    rows = isinstance(result, QuerySolutions)
    fmt = QueryResultsFormat.TSV if rows else RdfFormat.N_TRIPLES
    lines: list[str] = []
    if isinstance(result, (QuerySolutions, QueryTriples)):  # a live answer of the engine
        line = _tsv_line if rows else _nt_line
        started, rest = time.monotonic(), False
        for item in result:
            if cancelled.is_set():
                return None
            lines.append(line(item))  # type: ignore[arg-type]
            if len(lines) > limit:
                raise _TooLarge()
            if len(lines) >= FIRST_ROWS and time.monotonic() - started < FAST_ROW * len(lines):
                rest = True  # the store writes the rest from where this loop stopped
                break
        if not rest:
            head = _tsv_head(result) if rows else ""  # type: ignore[arg-type]
            answer = Answer("results" if rows else "graph", (head + "".join(lines)).encode())
            return _as_json(answer) if rows and json else answer
        if rows and json:
            return _json_rest(result, lines, limit, cancelled)  # type: ignore[arg-type]
    body = _store_writes(result, _Writer(limit + 1 - len(lines) if rows else limit - len(lines),
                                         cancelled), fmt)
    if body is None:
        return None
    if lines:  # after the header line (TSV), before the rows the store wrote
        cut = body.index(b"\n") + 1 if rows else 0
        body = body[:cut] + "".join(lines).encode() + body[cut:]
    return Answer("results" if rows else "graph", body)


def _store_writes(result: object, writer: _Writer, fmt: QueryResultsFormat | RdfFormat
                  ) -> bytes | None:
    """What the store wrote of ``result`` into ``writer``, or None if the request gave up.

    :raise _TooLarge: past the limit. :raise _Unsure: see :class:`_JsonRows`.
    """
    try:
        result.serialize(writer, fmt)  # type: ignore[attr-defined]
    except Exception:  # the writer's own stop, or a failure to pass on
        if writer.stopped is None:
            raise
    if writer.stopped == "too large":
        raise _TooLarge()
    if writer.stopped == "unsure":
        raise _Unsure()
    if writer.stopped == "cancelled":
        return None
    return b"".join(writer.parts)


def _tsv_head(result: QuerySolutions) -> str:
    return "\t".join("?" + v.value for v in result.variables) + "\n"


class _JsonRows(_Writer):
    """Where the store writes SPARQL JSON: counts rows without parsing them.

    In that writer's output every row but an empty one starts ``[{"`` or ``,{"``, which cannot
    occur inside a string (a quote there is escaped). An empty row (``{}``, no variable bound) can
    only be bounded: ``{}`` may be inside a literal too. So ``lines`` counts the rows that start
    so, exactly, and ``empty`` every ``{}``; past ``most`` rows for sure the answer is too large,
    and when only the bound passes ``most`` it is ``unsure`` (then counted again as TSV).
    """

    def __init__(self, most: int, cancelled: threading.Event) -> None:
        super().__init__(most, cancelled)
        self.empty, self.tail = 0, b""

    def write(self, chunk: bytes) -> int:
        if self.stopped:
            raise OSError(self.stopped)
        chunk = bytes(chunk)
        three, two = self.tail + chunk, self.tail[-1:] + chunk  # a mark across two chunks
        self.tail = chunk[-2:]
        self.lines += three.count(b',{"') + three.count(b'[{"')
        self.empty += two.count(b"{}")
        if self.cancelled.is_set():
            self.stopped = "cancelled"
        elif self.lines > self.most:
            self.stopped = "too large"
        elif self.lines + self.empty > self.most:
            self.stopped = "unsure"
        if self.stopped:
            raise OSError(self.stopped)
        self.parts.append(chunk)
        return len(chunk)


def _json_rest(result: QuerySolutions, lines: list[str], limit: int, cancelled: threading.Event
               ) -> Answer | None:
    """The rows after ``lines`` written by the store as JSON, and ``lines`` put before them."""
    rest = _store_writes(result, _JsonRows(limit - len(lines), cancelled), QueryResultsFormat.JSON)
    if rest is None:
        return None
    first = _as_json(Answer("results", (_tsv_head(result) + "".join(lines)).encode())).body
    mark = b'"bindings":['  # the first one is the array's start: no variable has that name
    at, cut = first.index(mark) + len(mark), rest.index(mark) + len(mark)
    rows = first[at:first.rindex(b"]")]
    joined = rows + b"," if rest[cut:cut + 1] != b"]" else rows
    return Answer("results", rest[:cut] + joined + rest[cut:],
                  results_format=QueryResultsFormat.JSON)


def _as_json(answer: Answer) -> Answer:
    """A TSV answer rewritten as SPARQL JSON (by pyoxigraph)."""
    body = parse_query_results(answer.body, QueryResultsFormat.TSV).serialize(
        format=QueryResultsFormat.JSON)
    return Answer("results", body, results_format=QueryResultsFormat.JSON)  # type: ignore[arg-type]


def _term(term: Term | None) -> str:
    """A term as TSV and N-Triples write it (a triple term in ``<<( … )>>``)."""
    if term is None:
        return ""
    return f"<<( {term} )>>" if isinstance(term, Triple) else str(term)


def _tsv_line(solution: QuerySolution) -> str:
    return "\t".join([_term(t) for t in solution]) + "\n"


def _nt_line(triple: Triple) -> str:
    return f"{triple} .\n"
