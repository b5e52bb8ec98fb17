"""Write a release's downloadable files, deterministically, with their sizes and checksums.

The same dataset always gives byte-identical files: blank nodes are canonicalised (by the caller,
see :mod:`kkb_lod.stream`), lines of the line-based formats are sorted bytewise and unique, the
other formats are written in that same order, and the gzip header carries no time stamp. That makes
a dump diffable between builds, and its checksum meaningful in the DCAT description.

Everything streams from N-Quads files on disk, so a national build (1e7 triples) needs no more
memory than a small one: sorting is GNU ``sort`` (an external merge sort, ``LC_ALL=C`` so the order
is plain byte order). The other formats are text rewritings of the sorted lines
(:mod:`kkb_lod.textdumps`), never a Python object per statement, run in parallel processes:

* ``kkb.nt`` is ``kkb.nq`` without the graph, repeats dropped: sorting ``s p o g`` lines bytewise
  orders them by ``s p o`` first (each term ends at a space), so no second sort is needed;
* ``kkb.trig`` holds those lines in graph blocks; ``kkb.ttl`` groups them by subject (N-Triples
  terms are valid Turtle);
* ``kkb.jsonld`` is expanded JSON-LD, one node object per subject.

Two processes write them (``kkb.nt`` + ``kkb.trig``; ``kkb.ttl`` + ``kkb.jsonld``), each in one
pass over ``kkb.nq``; gzip and the checksums run beside them. pyoxigraph's own writers
(``Store.dump``) were measured against these and are several times slower on our data
(``benchmarks/dumps.py``), so the text rewritings stay. ``kkb.nq`` itself is the merge of the
sorted part files, which the store's loader can read as it is written (:func:`merging`).
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from kkb_lod import textdumps
from kkb_lod.formats import FORMATS, Format
from kkb_lod.vocab import PREFIXES

#: The dumps of a release, by file name (``kkb.{suffix}``): formats of :data:`kkb_lod.formats.FORMATS`.
DUMPS: dict[str, Format] = {
    f"kkb.{fmt.suffix}": fmt
    for name in ("nquads", "trig", "ntriples", "turtle", "jsonld")
    for fmt in FORMATS
    if fmt.name == name
}
#: Memory GNU sort may use before it spills to temporary files.
SORT_MEMORY = "512M"
#: gzip level of ``kkb.nt.gz`` (1: the N-Triples of a build are very repetitive, 1 is ~2x faster).
GZIP_LEVEL = "1"


@dataclass(frozen=True)
class Dump:
    """One written file, as the catalog describes it."""

    name: str
    media_type: str
    size: int
    sha256: str


def write_dumps(folder: Path, workers: int = 2) -> tuple[list[Dump], dict[str, int], int]:
    """Write every other dump (plus ``kkb.nt.gz``) from ``folder/kkb.nq``, sorted and without
    repeats (:func:`sort_unique`, :func:`merge_unique`).

    Every quad must be in a named graph and its blank nodes must already carry canonical labels.
    Returns the files' facts, the number of distinct quads in each named graph (keyed by graph
    IRI) and the number of distinct triples (lines of ``kkb.nt``).
    """
    nq, nt = str(folder / "kkb.nq"), str(folder / "kkb.nt")
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        nt_trig = pool.submit(textdumps.ntriples_and_trig, nq, nt, str(folder / "kkb.trig"))
        ttl_jsonld = pool.submit(
            textdumps.turtle_and_jsonld, nq, str(folder / "kkb.ttl"), str(folder / "kkb.jsonld"), PREFIXES
        )
        described = {"kkb.nq": pool.submit(describe_file, folder / "kkb.nq", DUMPS["kkb.nq"].media_type)}
        counts, triples = nt_trig.result()
        with open(folder / "kkb.nt.gz", "wb") as gz_out:
            gz = subprocess.Popen(
                ["gzip", f"-{GZIP_LEVEL}", "-n", "-c", nt], stdout=gz_out, stderr=subprocess.PIPE, text=True
            )
        ttl_jsonld.result()
        described.update(
            {
                name: pool.submit(describe_file, folder / name, fmt.media_type)
                for name, fmt in DUMPS.items()
                if name not in described
            }
        )
        _, said = gz.communicate()
        if gz.returncode != 0:
            raise OSError(f"gzip of {nt} failed: {said.strip() or gz.returncode}")
        described["kkb.nt.gz"] = pool.submit(describe_file, folder / "kkb.nt.gz", "application/gzip")
        written = [described[name].result() for name in (*DUMPS, "kkb.nt.gz")]
    return written, counts, triples


def _sort(args: list[str]) -> None:
    """Run GNU sort; its failure (a full disk, most likely) is an OSError carrying its message."""
    done = subprocess.run(
        ["sort", *args], env={**os.environ, "LC_ALL": "C"}, stderr=subprocess.PIPE, text=True, check=False
    )
    if done.returncode != 0:
        raise OSError(f"sort failed: {done.stderr.strip() or done.returncode}")


def sort_unique(source: Path, target: Path, tmp: Path) -> None:
    """Sort the lines of ``source`` bytewise, without repeats, into ``target`` (external sort)."""
    _sort(["-u", "-S", SORT_MEMORY, "-T", str(tmp), "-o", str(target), str(source)])


def merge_unique(sources: list[Path], target: Path, tmp: Path) -> None:
    """Merge files sorted by :func:`sort_unique` into one sorted file without repeats."""
    _sort(["-m", "-u", "-S", SORT_MEMORY, "-T", str(tmp), "-o", str(target), *map(str, sources)])


class _Tee(io.RawIOBase):
    """Bytes read from ``source`` are also written to ``copy``."""

    def __init__(self, source: BinaryIO, copy: BinaryIO) -> None:
        super().__init__()
        self.source, self.copy = source, copy

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        self.copy.write(data)
        return len(data)


@contextmanager
def merging(sources: list[Path], target: Path, tmp: Path) -> Iterator[BinaryIO]:
    """:func:`merge_unique` whose merged bytes the caller reads (to the end) as they are written
    to ``target``: the store's loader parses the lines while GNU sort merges the next ones, on the
    other core. A failure of sort (a full disk) is an OSError carrying its message."""
    with open(target, "wb") as copy, tempfile.TemporaryFile() as said:
        merge = subprocess.Popen(
            ["sort", "-m", "-u", "-S", SORT_MEMORY, "-T", str(tmp), *map(str, sources)],
            stdout=subprocess.PIPE,
            stderr=said,
            env={**os.environ, "LC_ALL": "C"},
        )
        merged = cast(BinaryIO, merge.stdout)  # stdout=PIPE
        try:
            yield io.BufferedReader(_Tee(merged, copy), 1 << 20)
        except BaseException as failed:
            merge.kill()
            if merge.wait() > 0:  # sort failed first: its message says why
                said.seek(0)
                raise OSError(f"sort failed: {said.read().decode().strip()}") from failed
            raise
        finally:
            merged.close()
        if merge.wait() != 0:
            said.seek(0)
            raise OSError(f"sort failed: {said.read().decode().strip() or merge.returncode}")


def describe_file(path: Path, media_type: str) -> Dump:
    """A written file's facts: name, media type, size and SHA-256."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return Dump(path.name, media_type, path.stat().st_size, digest.hexdigest())
