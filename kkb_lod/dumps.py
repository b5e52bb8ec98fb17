"""Write a release's downloadable files, deterministically, with their sizes and checksums.

The same dataset always gives byte-identical files: blank nodes are canonicalised (by the caller,
see :mod:`kkb_lod.stream`), lines of the line-based formats are sorted bytewise and unique, the
other formats are written in that same order, and the gzip header carries no time stamp. That makes
a dump diffable between builds, and its checksum meaningful in the DCAT description.

Everything streams from an N-Quads file on disk, so a national build (1e7 triples) needs no more
memory than a small one: sorting is GNU ``sort`` (an external merge sort, ``LC_ALL=C`` so the order
is plain byte order), and pyoxigraph parses and serialises one statement at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kkb_lod.vocab import PREFIXES

#: The dumps of a release: file name → (format, whether it holds named graphs).
DUMPS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "kkb.nq": (ox.RdfFormat.N_QUADS, True),
    "kkb.trig": (ox.RdfFormat.TRIG, True),
    "kkb.nt": (ox.RdfFormat.N_TRIPLES, False),
    "kkb.ttl": (ox.RdfFormat.TURTLE, False),
    "kkb.jsonld": (ox.RdfFormat.JSON_LD, False),
}
#: Memory GNU sort may use before it spills to temporary files.
SORT_MEMORY = "512M"


@dataclass(frozen=True)
class Dump:
    """One written file, as the catalog describes it."""

    name: str
    media_type: str
    size: int
    sha256: str


def write_dumps(raw: Path, folder: Path) -> tuple[list[Dump], dict[str, int]]:
    """Write every dump (plus ``kkb.nt.gz``) from ``raw``, an N-Quads file in any order.

    ``raw`` may repeat statements; every quad must be in a named graph and its blank nodes must
    already carry canonical labels. Returns the files' facts and the number of distinct quads in
    each named graph (keyed by graph IRI).
    """
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".tmp"
    tmp.mkdir(exist_ok=True)
    try:
        sort_unique(raw, folder / "kkb.nq", tmp)
        counts = _split_graphs(folder / "kkb.nq", tmp)
        sort_unique(tmp / "triples.nt", folder / "kkb.nt", tmp)
        in_graph_order = [tmp / f"{i}.nq" for i in range(len(counts))]
        ox.serialize(_quads(*in_graph_order), folder / "kkb.trig", ox.RdfFormat.TRIG,
                     prefixes=PREFIXES)
        for name, fmt in (("kkb.ttl", ox.RdfFormat.TURTLE), ("kkb.jsonld", ox.RdfFormat.JSON_LD)):
            ox.serialize((q.triple for q in _quads(folder / "kkb.nt")), folder / name, fmt,
                         prefixes=PREFIXES)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(folder / "kkb.nt", "rb") as src, open(folder / "kkb.nt.gz", "wb") as raw_out, \
            gzip.GzipFile(fileobj=raw_out, mode="wb", mtime=0, filename="", compresslevel=6) as out:
        shutil.copyfileobj(src, out, 1 << 20)
    written = [_describe(folder / name, fmt.media_type) for name, (fmt, _) in DUMPS.items()]
    written.append(_describe(folder / "kkb.nt.gz", "application/gzip"))
    return written, counts


def sort_unique(source: Path, target: Path, tmp: Path) -> None:
    """Sort the lines of ``source`` bytewise, without repeats, into ``target`` (external sort)."""
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(["sort", "-u", "-S", SORT_MEMORY, "-T", str(tmp), "-o", str(target),
                    str(source)], env=env, check=True)


def _split_graphs(nquads: Path, tmp: Path) -> dict[str, int]:
    """One file per named graph (in graph order) and ``triples.nt``, from sorted N-Quads lines.

    N-Quads from our serialiser end with `` <graph> .``: an IRI holds no space, so the graph is
    what follows the last `` <`` of the line.
    """
    files: dict[bytes, list] = {}
    with open(nquads, "rb") as src, open(tmp / "triples.nt", "wb") as triples:
        for line in src:
            cut = line.rindex(b" <")
            graph = line[cut + 1:-3]
            triples.write(line[:cut] + b" .\n")
            if graph not in files:
                files[graph] = [open(tmp / f"graph-{len(files)}.nq", "wb"), 0]  # noqa: SIM115
            entry = files[graph]
            entry[0].write(line)
            entry[1] += 1
    counts = {}
    for i, graph in enumerate(sorted(files)):
        handle, n = files[graph]
        handle.close()
        os.replace(handle.name, tmp / f"{i}.nq")
        counts[graph.decode("utf-8")[1:-1]] = n
    return counts


def _quads(*paths: Path) -> Iterator[ox.Quad]:
    for path in paths:
        yield from ox.parse(path=path, format=ox.RdfFormat.N_QUADS)


def _describe(path: Path, media_type: str) -> Dump:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return Dump(path.name, media_type, path.stat().st_size, digest.hexdigest())
