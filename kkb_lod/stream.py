"""Mapped triples → an N-Quads file on disk, one statement at a time, with progress.

The build never holds the dataset in an rdflib graph: each named graph's triples are converted to
pyoxigraph quads as they are generated and serialised straight to disk, where the store's bulk
loader and the dumps read them. Statements with blank nodes (only the ontology has them, a few
hundred) are kept aside and canonicalised, so their labels are the same in every build.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode

from kkb_lod._convert import to_ox
from kkb_lod.mapping import Triple

Progress = Callable[[str], None]
#: Converted terms kept for reuse, and statements counted between two progress checks.
CACHE_SIZE, TICK = 200_000, 1000


class Meter:
    """Counts statements and reports rows, triples/s and an ETA every few seconds."""

    def __init__(self, progress: Progress, expected: int, every: float = 5.0) -> None:
        self.progress = progress
        self.expected = max(expected, 1)
        self.every = every
        self.count = 0
        self.start = self.last = time.monotonic()

    def tick(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.progress(self.line(now))

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.start, 1e-9)
        rate = self.count / elapsed
        left = max(self.expected - self.count, 0) / rate if rate else float("inf")
        eta = f"~{left:,.0f} s left (of ~{self.expected:,} expected)" if left else "done"
        return f"  {self.count:,} triples, {rate:,.0f} triples/s, {eta}"


def write_nquads(graphs: Iterable[tuple[str, Iterable[Triple]]], path: Path,
                 meter: Meter) -> int:
    """Serialise ``(graph IRI, triples)`` pairs to ``path`` as N-Quads; return statements written.

    Repeated statements are written as generated (the dumps and the store remove repeats).
    """
    blank = ox.Dataset()
    written = 0
    cache: dict = {}  # rdflib term → pyoxigraph term: predicates, classes, subjects repeat

    def term(t):  # noqa: ANN001,ANN202 - hot loop
        found = cache.get(t)
        if found is None:
            if len(cache) > CACHE_SIZE:
                cache.clear()
            found = cache[t] = to_ox(t)
        return found

    def quads() -> Iterator[ox.Quad]:
        nonlocal written
        n = 0
        for graph_iri, triples in graphs:
            graph = ox.NamedNode(graph_iri)
            for s, p, o in triples:
                quad = ox.Quad(term(s), term(p), term(o), graph)
                n += 1
                if n == TICK:
                    meter.tick(n)
                    n = 0
                if type(s) is BNode or type(o) is BNode:
                    blank.add(quad)
                    continue
                written += 1
                yield quad
        meter.tick(n)

    with open(path, "wb") as out:
        ox.serialize(quads(), out, ox.RdfFormat.N_QUADS)
        blank.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        ox.serialize(blank, out, ox.RdfFormat.N_QUADS)
    return written + len(blank)
