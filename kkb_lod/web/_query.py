"""Running one read-only query: refusing updates, the dataset, a time limit and a size limit.

pyoxigraph cannot cancel a query but releases the GIL while it works: the query runs on the app's
thread pool and the request stops waiting at ``query_timeout`` (503). An abandoned query stops at
its next row (:mod:`._answer`) or runs on, holding one of the ``max_queries`` slots until it ends;
the watchdog (:mod:`._watchdog`) replaces the worker of one still running at ``query_hard_limit``.
"""

from __future__ import annotations

import concurrent.futures
import math
import re
import threading
import time
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pyoxigraph import QueryResultsFormat
from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    Forbidden,
    GatewayTimeout,
    InternalServerError,
    ServiceUnavailable,
    UnprocessableEntity,
)

from kkb_lod.formats import Format
from kkb_lod.sparqlscan import UPDATE_KEYWORDS, Scan, outer_limit
from kkb_lod.store import StoreError, StoreTimeout
from kkb_lod.web._answer import Answer, TooLarge, written

if TYPE_CHECKING:
    from kkb_lod.web import Kkb

READ_ONLY = (
    "This is a read-only SPARQL endpoint: SPARQL Update ({}) is not accepted here. "
    "The data is published by rebuilding a release (kkb-lod build)."
)

#: Stands for "no graph at all" where the Store interface can only say "these graphs": a protocol
#: dataset with named graphs only has an empty default graph, and vice versa (SPARQL 1.1 Protocol
#: 2.1.4). Nothing is ever stored in it.
EMPTY_GRAPH = "urn:x-kkb-lod:empty-graph"


def check_policy(scan: Scan) -> None:
    """Refuse updates (403), before running. What else a query's text must pass (its size,
    nesting and SERVICE calls) is :func:`kkb_lod.web._policy.check_query`."""
    if scan.form in UPDATE_KEYWORDS:
        raise Forbidden(READ_ONLY.format(scan.form))


#: The default graphs and the named graphs a query runs on ([], []: the store's default dataset).
Dataset = tuple[list[str], list[str]]


def dataset(scan: Scan, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> Dataset:
    """The (default graphs, named graphs) to pass to the store.

    A protocol dataset (``default-graph-uri``/``named-graph-uri``) replaces the query's FROM and
    FROM NAMED (SPARQL 1.1 Protocol 2.1.4). Without one, the query's own FROM clauses are passed
    explicitly: the embedded store serves the union of all graphs as the default graph, and
    pyoxigraph lets that union override FROM. Without either, the store's default dataset applies.
    """
    default, named = list(default_graphs), list(named_graphs)
    if not default and not named and scan.from_default is not None and scan.from_named is not None:
        default, named = list(scan.from_default), list(scan.from_named)
    if default or named:
        return default or [EMPTY_GRAPH], named or [EMPTY_GRAPH]
    return [], []


#: Formats the store writes a bounded answer in straight (CSV and TSV are made spreadsheet-safe).
DIRECT = (QueryResultsFormat.JSON, QueryResultsFormat.XML)


def run(kkb: Kkb, query: str, base: str, scan: Scan, graphs: Dataset, fmt: Format | None = None) -> Answer:
    """Run ``query`` on the app's store within ``query_timeout`` and ``result_limit``; a SELECT
    whose own LIMIT is within ``result_limit`` is written straight in ``fmt`` (JSON or XML).

    ``base`` is the service-defined base IRI (SPARQL 1.1 Protocol allows the endpoint's URL): the
    store interface takes none, so it is declared in a first line, which error positions skip.

    :raise 400: the store's parser rejects the query (its message is passed on).
    :raise 422: the answer is larger than ``result_limit``.
    :raise 502: a SERVICE call or a remote store failed.
    :raise 503: the query did not finish in time, or ``max_queries`` are already running.
    """
    settings, store = kkb.settings, kkb.store
    timeout, limit = settings.query_timeout, settings.result_limit
    if not kkb.slots.acquire(blocking=False):
        raise ServiceUnavailable(
            f"{settings.max_queries} queries are already running (max_queries); try again in a moment.",
            retry_after=math.ceil(min(timeout, 5)),
        )
    finished, cancelled = threading.Event(), threading.Event()
    text = f"BASE <{base}>\n{query}"
    target, direct = fmt and fmt.ox, None
    if isinstance(target, QueryResultsFormat) and target in DIRECT and scan.form == "SELECT":
        bound = outer_limit(query)
        direct = target if bound is not None and bound <= limit else None

    def work() -> Answer | None:
        # pyoxigraph results must be dropped by the thread that made them: never a local here, and
        # the finished frames an error carries to the request thread have their locals cleared.
        try:
            return written(store.query(text, *graphs), limit, cancelled, direct)
        except BaseException as err:
            chained: BaseException | None = err
            while chained is not None:  # with the errors it was raised from or during
                traceback.clear_frames(chained.__traceback__)
                chained = chained.__cause__ or chained.__context__
            raise
        finally:
            kkb.slots.release()
            finished.set()

    started = time.monotonic()
    future = kkb.pool.submit(work)
    try:
        error = future.exception(timeout)
    except concurrent.futures.TimeoutError:
        cancelled.set()
        kkb.watchdog.abandoned(started, finished)
        raise ServiceUnavailable(
            f"The query did not finish within {timeout:g} s (query_timeout) and was abandoned. "
            "Make it cheaper (a narrower pattern, LIMIT) and try again.",
            retry_after=math.ceil(timeout),
        ) from None
    if error is None:
        answer = future.result()
        assert answer is not None  # None only once cancelled, which only the timeout above does
        return answer
    if isinstance(error, SyntaxError):
        message = re.sub(r"^error at (\d+):", lambda line: f"error at {int(line[1]) - 1}:", str(error))
        raise BadRequest(f"Query syntax error: {message}")
    if isinstance(error, TooLarge):
        raise UnprocessableEntity(
            f"The answer has more than {limit} rows or triples, the most this endpoint returns "
            f"(result_limit). Page through it: add ORDER BY plus LIMIT {limit} and OFFSET 0, "
            f"then OFFSET {limit}, and so on; or count first with COUNT(*)."
        )
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
