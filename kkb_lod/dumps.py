"""Write a release's downloadable files, deterministically, with their sizes and checksums.

The same dataset always gives byte-identical files: blank nodes are canonicalised, lines of the
line-based formats are sorted and unique, and the gzip header carries no time stamp. That makes a
dump diffable between builds, and its checksum meaningful in the DCAT description.
"""

from __future__ import annotations

import gzip
import hashlib
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


@dataclass(frozen=True)
class Dump:
    """One written file, as the catalog describes it."""

    name: str
    media_type: str
    size: int
    sha256: str


def write_dumps(dataset: ox.Dataset, folder: Path) -> list[Dump]:
    """Write every dump of ``dataset`` into ``folder`` (plus ``kkb.nt.gz``); return their facts."""
    folder.mkdir(parents=True, exist_ok=True)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    quads = sorted(dataset, key=_quad_key)
    triples = sorted({q.triple for q in quads}, key=_triple_key)
    written = []
    for name, (fmt, with_graphs) in DUMPS.items():
        path = folder / name
        data = ox.serialize(quads if with_graphs else triples, format=fmt,
                            prefixes=None if fmt in _LINE_FORMATS else PREFIXES)
        if fmt in _LINE_FORMATS:
            data = b"".join(sorted(set(data.splitlines(keepends=True))))
        path.write_bytes(data)
        written.append(_describe(path, fmt.media_type))
    gz = folder / "kkb.nt.gz"
    with open(gz, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write((folder / "kkb.nt").read_bytes())
    written.append(_describe(gz, "application/gzip"))
    return written


_LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return str(t.subject), str(t.predicate), str(t.object)


def _quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)


def _describe(path: Path, media_type: str) -> Dump:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Dump(path.name, media_type, path.stat().st_size, digest)
