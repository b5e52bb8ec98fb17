"""A query's answer, written by the store as SPARQL TSV or N-Triples, with its size limit.

Once its first rows have come fast, the store writes the answer itself, in Rust without the GIL,
in a line format (a line break in a literal is written ``\\n``): counting lines enforces the size
limit. Writing stops once the request has given up waiting: at the next row while rows come
slowly, at the next 8 KB block after. A SELECT whose own LIMIT keeps it within the size limit
needs no counting: the store writes it straight in the format asked (JSON, XML), stopped only
at an 8 KB block once the request has given up (docs/scale.md).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Sequence
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


@dataclass
class Answer:
    """A query's answer as the store wrote it: ``kind`` "results" (SELECT: TSV in ``body``),
    "boolean" (ASK) or "graph" (N-Triples in ``body``); ``variables``, ``rows`` and
    ``triples`` are read back from ``body`` when asked for."""

    kind: str
    body: bytes = b""
    boolean: bool = False
    format: QueryResultsFormat = QueryResultsFormat.TSV  # of a "results" body

    @classmethod
    def of_triples(cls, triples: Sequence[Triple]) -> Answer:
        """A graph answer made in Python (the service description)."""
        return cls("graph", serialize(triples, format=RdfFormat.N_TRIPLES) or b"")

    @cached_property
    def _solutions(self) -> tuple[list[str], list[QuerySolution]]:
        solutions = parse_query_results(self.body, self.format)
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


class TooLarge(Exception):
    """The answer has more rows or triples than allowed."""


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
#: have come for that (seconds per row).
FIRST_ROWS, FAST_ROW = 16, 0.001


def written(
    result: object, limit: int, cancelled: threading.Event, direct: QueryResultsFormat | None = None
) -> Answer | None:
    """The whole result as TSV or N-Triples, stopping past the limit (:class:`TooLarge`) or when
    abandoned (None); rows in the format ``direct`` if the query's own LIMIT is within ``limit``."""
    if isinstance(result, QueryBoolean):
        return Answer("boolean", boolean=bool(result))
    rows = isinstance(result, QuerySolutions)
    if rows and direct is not None:
        body = _stored(result, direct, _Writer(sys.maxsize, cancelled))
        return None if body is None else Answer("results", body, format=direct)
    fmt = QueryResultsFormat.TSV if rows else RdfFormat.N_TRIPLES
    lines: list[str] = []
    if isinstance(result, (QuerySolutions, QueryTriples)):  # a live answer
        line = tsv_line if rows else _nt_line
        started, rest = time.monotonic(), False
        for item in result:
            if cancelled.is_set():
                return None
            lines.append(line(item))
            if len(lines) > limit:
                raise TooLarge()
            if len(lines) >= FIRST_ROWS and time.monotonic() - started < FAST_ROW * len(lines):
                rest = True  # the store writes the rest from where this loop stopped
                break
        if not rest:
            names = [v.value for v in result.variables] if isinstance(result, QuerySolutions) else []
            head = tsv_head(names) if rows else ""
            return Answer("results" if rows else "graph", (head + "".join(lines)).encode())
    body = _stored(result, fmt, _Writer(limit + 1 - len(lines) if rows else limit - len(lines), cancelled))
    if body is None:
        return None
    if lines:  # after the header line (TSV), before the rows the store wrote
        cut = body.index(b"\n") + 1 if rows else 0
        body = body[:cut] + "".join(lines).encode() + body[cut:]
    return Answer("results" if rows else "graph", body)


def _stored(result: object, fmt: QueryResultsFormat | RdfFormat, writer: _Writer) -> bytes | None:
    """What the store writes of the rest of ``result`` in ``fmt`` through ``writer`` (None once
    abandoned)."""
    try:
        result.serialize(writer, fmt)  # type: ignore[attr-defined]
    except Exception:  # the writer's own stop, or a failure to pass on
        if writer.stopped is None:
            raise
    if writer.stopped == "too large":
        raise TooLarge()
    return None if writer.stopped == "cancelled" else b"".join(writer.parts)


def tsv_head(variables: Sequence[str]) -> str:
    """The header line of a SPARQL TSV answer."""
    return "\t".join("?" + v for v in variables) + "\n"


def _term(term: Term | None) -> str:
    """A term as TSV and N-Triples write it (a triple term in ``<<( … )>>``)."""
    if term is None:
        return ""
    return f"<<( {term} )>>" if isinstance(term, Triple) else str(term)


def tsv_line(terms: Iterable[Term | None]) -> str:
    """One row of a SPARQL TSV answer."""
    return "\t".join([_term(t) for t in terms]) + "\n"


def _nt_line(triple: Triple) -> str:
    return f"{triple} .\n"
