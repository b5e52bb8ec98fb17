"""The change set of a release: what it adds to and removes from the release it follows.

Both releases' ``kkb.nq`` are sorted bytewise and unique (:mod:`kkb_lod.dumps`), so one walk of
the two files side by side gives the statements only in the old one (removed) and only in the new
one (added), each in its graph, without loading a store. The walk skips identical stretches by
comparing blocks of bytes (memory-mapped; a block that differs is bisected to its first differing
byte) and goes line by line only around a difference, so its cost is mostly reading the files.

Resources are counted per kind, each kind by the IRIs :class:`kkb_lod.iris.Minter` mints:
``units`` (province, regency, district, village), ``kkb`` (a designation together with its parts:
its pokja decree and its annual records), ``activities`` and ``links`` (the Wikidata links).
A resource whose statements differ is *added* if the old release had no statement about it,
*removed* if the new one has none, else *changed*. The lines of one resource are adjacent in a
sorted dump (its IRI starts them all), so whether it has unchanged statements is told by the
unchanged lines next to its changed ones. ``classifications`` are the classification a KKB's
annual record gives it (``kkb:classification``), keyed by the record: added when a record gains
one, removed when it loses it, changed when its value differs.

A build writes ``dumps/changes-added.nq.gz`` and ``dumps/changes-removed.nq.gz`` (sorted N-Quads,
gzip without a time stamp; empty when nothing changed, and for a first release, which has nothing
to be compared with), the manifest's ``changes`` (:func:`record`), and ``changes.json`` beside the
manifest with the counts per graph and the first :data:`LISTED` IRIs of each kind and status, for
the ``/changes`` page.
"""

from __future__ import annotations

import gzip
import json
import mmap
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from kkb_lod.dumps import describe_file
from kkb_lod.releases import DUMPS, NQUADS, previous_release, read_manifest

KINDS = ("units", "kkb", "activities", "links", "classifications")
STATUSES = ("added", "removed", "changed")
ADDED, REMOVED = "changes-added.nq.gz", "changes-removed.nq.gz"
#: The media type of the change set's files in the manifest (as of ``kkb.nt.gz``).
MEDIA_TYPE = "application/gzip"
#: Beside the manifest: counts per graph and the first resources of each kind and status.
LISTING = "changes.json"
#: Per release: when each of our resources last changed (``IRI<TAB>date`` lines under a
#: ``#default<TAB>date`` line for every resource not listed): the sitemap's ``lastmod``.
LASTMOD = "lastmod.tsv"
#: How many IRIs of each kind and status ``changes.json`` lists (the counts are all).
LISTED = 300
#: The Minter kinds counted, by the kind of the change set they belong to.
_KIND_OF = {
    b"province": "units",
    b"regency": "units",
    b"district": "units",
    b"village": "units",
    b"kkb": "kkb",
    b"activity": "activities",
    b"link": "links",
}
_CLASSIFICATION = b"<https://w3id.org/kkb/def#classification>"
_FIRST_BLOCK, _LAST_BLOCK = 1 << 10, 1 << 20  # bytes compared at once while skipping
_FLUSH = 1 << 14  # diff lines buffered before they are compressed


@dataclass
class ChangeSet:
    """What :func:`diff` found: statements added and removed (in all, and per graph IRI),
    resources per kind and status, and the first :data:`LISTED` IRIs of each."""

    added: int = 0
    removed: int = 0
    graphs: dict[str, dict[str, int]] = field(default_factory=dict)
    resources: dict[str, dict[str, int]] = field(
        default_factory=lambda: {k: dict.fromkeys(STATUSES, 0) for k in KINDS}
    )
    listed: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {k: {s: [] for s in STATUSES} for k in KINDS}
    )
    #: Every resource of ours (a KKB with its parts) whose statements differ: IRI → status.
    touched: dict[str, str] = field(default_factory=dict)

    def count(self, kind: str, status: str, iri: str) -> None:
        self.resources[kind][status] += 1
        if len(shown := self.listed[kind][status]) < LISTED:
            shown.append(iri)

    def summary(self) -> str:
        """One line for the build's progress: the figures, or that nothing changed."""
        if not self.added and not self.removed:
            return "no change"
        kinds = "; ".join(
            f"{k} " + " ".join(f"{n} {s}" for s, n in c.items() if n)
            for k, c in self.resources.items()
            if any(c.values())
        )
        return f"{self.added:,} statements added, {self.removed:,} removed" + (f" ({kinds})" if kinds else "")


class _Sink:
    """Takes the walk's lines in merged order: writes the differences, tracks the resource whose
    lines are being walked (its key, and whether it has old, new and differing lines)."""

    def __init__(self, bases: tuple[str, ...], added: BinaryIO, removed: BinaryIO) -> None:
        self.prefixes = tuple(f"<{b}id/".encode() for b in dict.fromkeys(bases))
        self.out = {True: added, False: removed}
        self.buffers: dict[bool, list[bytes]] = {True: [], False: []}
        self.found = ChangeSet()
        self.classified: dict[bytes, int] = {}  # record → 1 lost a value, 2 gained one, 3 both
        self.key: bytes | None = None
        self.kind: str | None = None
        self.old = self.new = self.differs = False
        self.subject = b""
        self.grouped: tuple[bytes, str | None] = (b"", None)  # the last subject's resource, kind
        self.per_graph: dict[bytes, list[int]] = {}  # graph → [added, removed]

    def _group(self, line: bytes) -> tuple[bytes, str | None]:
        """The resource a line is about, and its kind: a resource's parts (a KKB's pokja decree
        and annual records, a unit's boundary geometry) belong to it."""
        subject = line[: line.index(b" ")]
        if subject == self.subject:  # the lines of a subject come together
            return self.grouped
        self.subject = subject
        for prefix in self.prefixes:
            if subject.startswith(prefix):
                kind, _, key = subject[len(prefix) : -1].partition(b"/")
                self.grouped = prefix + kind + b"/" + key.partition(b"/")[0], _KIND_OF.get(kind)
                return self.grouped
        self.grouped = subject, None
        return self.grouped

    def _enter(self, line: bytes) -> None:
        key, kind = self._group(line)
        if key != self.key:
            self.close()
            self.key, self.kind = key, kind
            self.old = self.new = self.differs = False

    def close(self) -> None:
        """Count the resource being walked, if its lines differ."""
        if self.differs and self.key is not None and self.key.startswith(self.prefixes):
            iri = self.key[1:].rstrip(b">").decode()
            status = "changed" if self.old and self.new else "added" if self.new else "removed"
            self.found.touched[iri] = status
            if self.kind is not None:
                self.found.count(self.kind, status, iri)
        self.differs = False

    def common(self, line: bytes) -> None:
        self._enter(line)
        self.old = self.new = True

    def differ(self, line: bytes, added: bool) -> None:
        self._enter(line)
        self.differs = True
        if added:
            self.new = True
            self.found.added += 1
        else:
            self.old = True
            self.found.removed += 1
        cut = line.rindex(b" <")
        counts = self.per_graph.get(graph := line[cut + 2 : line.rindex(b">")])
        if counts is None:
            counts = self.per_graph[graph] = [0, 0]
        counts[not added] += 1
        if _CLASSIFICATION in line and line.find(_CLASSIFICATION, 0, cut) > 0:
            subject = line[: line.index(b" ")]
            self.classified[subject] = self.classified.get(subject, 0) | (2 if added else 1)
        buffer = self.buffers[added]
        buffer.append(line)
        if len(buffer) >= _FLUSH:
            self.out[added].write(b"".join(buffer))  # GzipFile.writelines writes line by line
            buffer.clear()

    def finish(self) -> ChangeSet:
        self.close()
        for added, buffer in self.buffers.items():
            self.out[added].write(b"".join(buffer))
        self.found.graphs = {
            g.decode(): {"added": n[0], "removed": n[1]} for g, n in sorted(self.per_graph.items())
        }
        for record, how in sorted(self.classified.items()):
            status = ("changed", "removed", "added", "changed")[how]
            self.found.count("classifications", status, record[1:-1].decode())
        return self.found


def _common_prefix(a: Any, i: int, b: Any, j: int) -> int:
    """How many bytes ``a[i:]`` and ``b[j:]`` share from their start: blocks compared at once,
    growing while they match; the block that differs bisected to its first differing byte."""
    limit = min(len(a) - i, len(b) - j)
    n, size = 0, _FIRST_BLOCK
    while n < limit:
        s = min(size, limit - n)
        if a[i + n : i + n + s] == b[j + n : j + n + s]:
            n += s
            size = min(size * 2, _LAST_BLOCK)
            continue
        lo, hi = n, n + s  # the first difference lies in [lo, hi)
        while hi - lo > 32:
            mid = (lo + hi) // 2
            if a[i + lo : i + mid] == b[j + lo : j + mid]:
                lo = mid
            else:
                hi = mid
        while a[i + lo] == b[j + lo]:
            lo += 1
        return lo
    return n


def _walk(a: Any, b: Any, sink: _Sink) -> None:
    """Walk two sorted unique files (bytes or mmaps, each empty or ending in a newline) in
    merged order, telling ``sink`` each differing line and the unchanged lines that border them."""
    i = j = 0
    na, nb = len(a), len(b)
    while i < na or j < nb:
        n = _common_prefix(a, i, b, j)
        end = a.rfind(b"\n", i, i + n) + 1 if n else 0  # after the last whole common line
        if end:
            first = a.find(b"\n", i) + 1
            sink.common(a[i:first])
            if end > first:
                sink.common(a[a.rfind(b"\n", i, end - 1) + 1 : end])
            j += end - i
            i = end
        while i < na or j < nb:  # line by line until the files agree again
            ea = a.find(b"\n", i) + 1 if i < na else 0
            eb = b.find(b"\n", j) + 1 if j < nb else 0
            x, y = a[i:ea] if ea else None, b[j:eb] if eb else None
            if x == y:
                break
            if y is None or x is not None and x[:-1] < y[:-1]:
                sink.differ(x, added=False)  # type: ignore[arg-type]
                i = ea
            else:
                sink.differ(y, added=True)
                j = eb


def _mapped(stack: ExitStack, path: Path) -> Any:
    """``path``'s bytes, memory-mapped (an empty file as empty bytes: it cannot be mapped)."""
    f = stack.enter_context(open(path, "rb"))
    size = path.stat().st_size
    if not size:
        return b""
    data = stack.enter_context(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    if data[size - 1 : size] != b"\n":
        raise ValueError(f"{path} is not a dump of whole lines (no newline at its end)")
    return data


def _gzip(stack: ExitStack, path: Path) -> BinaryIO:
    """``path`` to write gzip into, reproducibly: no time stamp and no file name in its header
    (as ``gzip -n`` writes the other dumps)."""
    raw = stack.enter_context(open(path, "wb"))
    packed = gzip.GzipFile("", "wb", compresslevel=6, fileobj=raw, mtime=0)
    return cast(BinaryIO, stack.enter_context(packed))


def diff(old: Path, new: Path, added: Path, removed: Path, bases: tuple[str, ...]) -> ChangeSet:
    """The change set of sorted unique N-Quads ``new`` against ``old``: the lines only in
    ``new`` written to ``added``, those only in ``old`` to ``removed`` (gzip, sorted); resources
    told by IRIs under the base IRIs ``bases`` (the two releases' own)."""
    with ExitStack() as stack:
        a, b = _mapped(stack, old), _mapped(stack, new)
        outs = [_gzip(stack, p) for p in (added, removed)]
        sink = _Sink(bases, *outs)
        _walk(a, b, sink)
        return sink.finish()


def record(
    root: Path,
    folder: Path,
    base_iri: str,
    progress: Callable[[str], None] = lambda _: None,
    created: str = "",
) -> dict[str, Any]:
    """Compute the change set of the release being built in ``folder`` (its dumps written)
    against the current release of build folder ``root``; write its files and ``changes.json``;
    return the manifest's ``changes`` field (``previous`` null for a first release)."""
    dumps = folder / DUMPS
    previous = previous_release(root)
    if previous is None:
        with ExitStack() as stack:
            for name in (ADDED, REMOVED):
                _gzip(stack, dumps / name)
        found, previous_id = ChangeSet(), None
        progress("first release: no previous release to compare with, an empty change set")
    else:
        manifest = read_manifest(previous)
        previous_id = manifest.get("id") or previous.name
        found = diff(
            previous / DUMPS / NQUADS,
            dumps / NQUADS,
            dumps / ADDED,
            dumps / REMOVED,
            (base_iri, str(manifest.get("base_iri") or base_iri)),
        )
        progress(f"changes against release {previous_id}: {found.summary()}")
    _write_lastmod(folder / LASTMOD, previous, found, created)
    (folder / LISTING).write_text(
        json.dumps({"previous": previous_id, "graphs": found.graphs, "listed": found.listed}, indent=1),
        encoding="utf-8",
    )
    files = [asdict(describe_file(dumps / name, MEDIA_TYPE)) for name in (ADDED, REMOVED)]
    return {
        "previous": previous_id,
        "added": found.added,
        "removed": found.removed,
        "resources": found.resources,
        "files": files,
    }


def _write_lastmod(path: Path, previous: Path | None, found: ChangeSet, created: str) -> None:
    """When each resource last changed, as of this release (``created``): the previous release's
    dates, less the resources removed, with those added or changed now dated ``created``. A
    resource not listed has the default: a first release's ``created``, carried forward; after
    a release without this file, that release's ``created`` (it may have changed then)."""
    default, dates = created, dict[str, str]()
    if previous is not None:
        default, dates = read_lastmod(previous)
        if not default:
            default = str(read_manifest(previous).get("created") or created)
    for iri, status in found.touched.items():
        if status == "removed":
            dates.pop(iri, None)
        else:
            dates[iri] = created
    lines = [f"#default\t{default}", *(f"{iri}\t{date}" for iri, date in sorted(dates.items()))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_lastmod(release: Path) -> tuple[str, dict[str, str]]:
    """The default date and the dated resources of a release's :data:`LASTMOD` (``""`` and none
    if it has no such file)."""
    try:
        text = (release / LASTMOD).read_text(encoding="utf-8")
    except OSError:
        return "", {}
    default, dates = "", dict[str, str]()
    for line in text.splitlines():
        key, _, date = line.partition("\t")
        if key == "#default":
            default = date
        elif key and date:
            dates[key] = date
    return default, dates


def listing(release: Path) -> dict[str, Any]:
    """``changes.json`` of a release; empty if it has none (built before change sets) or it is
    unreadable."""
    try:
        found = json.loads((release / LISTING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
