"""Mapped triples → N-Quads part files on disk, one statement at a time, with progress.

The build never holds the dataset in an rdflib graph: each named graph's triples are written as
N-Quads text (:mod:`kkb_lod.ntriples`; the text of a repeated term is computed once) straight to
disk, where the store's bulk loader and the dumps read them. The output is cut into part files of
about ``part_lines`` lines, each handed to ``done`` as soon as it is complete, so the caller can
load and sort the first parts while the mapping still writes the next ones (the two cores of a
small machine then both work). Statements with blank nodes (only the ontology has them, a few
hundred) are kept aside and canonicalised, so their labels are the same in every build.

A graph's iterable may also yield ``str`` blocks: complete N-Quads lines (for that graph) that a
hot mapping loop rendered itself (:func:`kkb_lod.mapping.observation_nquads`).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox
from rdflib import BNode

from kkb_lod import ntriples
from kkb_lod.mapping import Triple

Progress = Callable[[str], None]
#: Term texts kept for reuse, and statements counted between two progress checks.
CACHE_SIZE, TICK = 200_000, 1000
#: Lines of one part file unless the caller says otherwise.
PART_LINES = 1_000_000


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


class _Parts:
    """N-Quads text → ``{folder}/part-{i}.nq`` files of about ``lines`` lines each."""

    def __init__(self, folder: Path, lines: int, done: Callable[[Path], None]) -> None:
        self.folder, self.lines, self.done = folder, max(lines, 1), done
        self.paths: list[Path] = []
        self.buffer: list[str] = []
        self.in_part = 0
        self.file: TextIO | None = None

    def write(self, text: str, n: int) -> None:
        self.buffer.append(text)
        self.in_part += n
        if len(self.buffer) >= 4096:
            self.flush()
        if self.in_part >= self.lines:
            self.close_part()

    def flush(self) -> None:
        if self.buffer:
            file = self.file
            if file is None:
                self.paths.append(self.folder / f"part-{len(self.paths)}.nq")
                file = self.file = open(self.paths[-1], "w", encoding="utf-8")  # noqa: SIM115
            file.write("".join(self.buffer))
            self.buffer.clear()

    def close_part(self) -> None:
        self.flush()
        if self.file is not None:
            self.file.close()
            self.file = None
            self.in_part = 0
            self.done(self.paths[-1])


def write_nquads(
    graphs: Iterable[tuple[str, Iterable[Triple | str]]],
    folder: Path,
    meter: Meter,
    done: Callable[[Path], None] = lambda _: None,
    part_lines: int = PART_LINES,
) -> tuple[int, list[Path]]:
    """Write ``(graph IRI, triples)`` pairs to N-Quads part files in ``folder``.

    Returns the statements written and the part files, in order; each part is passed to ``done``
    once complete (the last one holds the canonicalised blank-node statements). Repeated
    statements are written as generated (the dumps and the store remove repeats).
    """
    folder.mkdir(parents=True, exist_ok=True)
    parts = _Parts(folder, part_lines, done)
    blank: list[str] = []  # statements with a blank node, canonicalised at the end
    written = 0
    cache: dict = {}  # rdflib term → its N-Triples text: predicates, classes, subjects repeat
    text_of = ntriples.term

    for graph_iri, triples in graphs:
        graph = f"<{graph_iri}>"
        n = 0
        for item in triples:
            if isinstance(item, str):
                lines = item.count("\n")
                parts.write(item, lines)
                written += lines
                meter.tick(lines)
                continue
            s, p, o = item
            ts, tp, to = cache.get(s), cache.get(p), cache.get(o)
            if ts is None or tp is None or to is None:
                if len(cache) > CACHE_SIZE:
                    cache.clear()
                ts = cache[s] = text_of(s)
                tp = cache[p] = text_of(p)
                to = cache[o] = text_of(o)
            if type(s) is BNode or type(o) is BNode:
                blank.append(f"{ts} {tp} {to} {graph} .\n")
                continue
            parts.write(f"{ts} {tp} {to} {graph} .\n", 1)
            written += 1
            n += 1
            if n == TICK:
                meter.tick(n)
                n = 0
        meter.tick(n)
    dataset = ox.Dataset(ox.parse("".join(blank), ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    out = io.BytesIO()
    ox.serialize(dataset, out, ox.RdfFormat.N_QUADS)
    parts.write(out.getvalue().decode("utf-8"), len(dataset))
    parts.close_part()
    return written + len(dataset), parts.paths
