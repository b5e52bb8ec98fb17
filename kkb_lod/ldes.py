"""The Linked Data Event Stream of our descriptions: every version of every member, paged by time.

Members are the administrative units, the KKB designations (each with its parts: pokja decree and
annual records) and the activities, grouped as :mod:`kkb_lod.changes` groups them. A *version
object* ``{member}#version-{stamp}`` (:meth:`kkb_lod.iris.Minter.version`) says
``dct:isVersionOf`` the member and ``dct:created`` the time of the release in which the member
took that form (``lastmod.tsv``); the member's description as of that version is the version's
named graph. A member a release drops gets a version typed ``as:Delete`` (a tombstone), with no
graph. Latest version per member, tombstones removed, is the current release.

Build time (:func:`write`, one call of the pipeline) writes the member part of every page into the
release folder as N-Quads, immutable like the dumps: ``base`` pages hold the release's whole state
(each member's latest version, oldest first) and its tombstones, ``delta`` pages only the versions
the release made. Serve time (:func:`chain`, :func:`page_quads`) adds what depends on the releases
kept: the stream is the oldest kept release's ``base`` pages, then each later kept release's
``delta`` pages, chained by ``tree:GreaterThanOrEqualToRelation`` on ``dct:created``. A page with a
next page never changes again (immutable); the last page of the current release and the root do.
The retention policy says so: the latest version of each member is always kept
(``ldes:LatestVersionSubset``), and every version since the oldest kept release
(``ldes:PointInTimePolicy``).
"""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkb_lod.changes import REMOVED, listing, read_lastmod
from kkb_lod.iris import Minter
from kkb_lod.releases import DUMPS, KEEP_RELEASES, kept_lineage, ldes_dir, nquads_dump, read_manifest

#: Members per page: a few hundred kilobytes of N-Quads.
PAGE_MEMBERS = 100
SEGMENTS = ("base", "delta")
#: The kinds of our IRIs that are members (a KKB's parts belong to the KKB).
MEMBER_KINDS = frozenset({"province", "regency", "district", "village", "kkb", "activity"})
TREE = "https://w3id.org/tree#"
LDES = "https://w3id.org/ldes#"
DCT = "http://purl.org/dc/terms/"
AS = "https://www.w3.org/ns/activitystreams#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
TIMESTAMP, VERSION_OF, DELETE = DCT + "created", DCT + "isVersionOf", AS + "Delete"


def stamp(created: str) -> str:
    """A time as release ids spell it (``20261205T012923332473Z``), from its ISO form."""
    when = dt.datetime.fromisoformat(created)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y%m%dT%H%M%S%fZ")


def page_file(release: Path, segment: str, number: int) -> Path:
    """Where page ``number`` (from 1) of a release's ``segment`` keeps its members."""
    return ldes_dir(release) / f"{segment}-{number}.nq"


def _member(subject: bytes, prefix: bytes) -> bytes | None:
    """The member a subject's statements describe, if any: a resource's parts (a KKB's pokja
    decree and annual records, a unit's boundary geometry) are described with it."""
    if not subject.startswith(prefix):
        return None
    kind, _, key = subject[len(prefix) : -1].partition(b"/")
    if kind.decode() not in MEMBER_KINDS or b"#" in key:
        return None
    key = key.partition(b"/")[0]
    return subject[1 : len(prefix)] + kind + b"/" + key


def write(folder: Path, base_iri: str, created: str, page_members: int = PAGE_MEMBERS) -> dict[str, Any]:
    """Write the member part of the pages of the release being built in ``folder`` (its dumps,
    change set and ``lastmod.tsv`` written), created at ``created``; the manifest's ``ldes``: per
    segment, each page's member count and earliest time stamp. A first release (its change set
    follows no release) has no delta pages: it can only ever start a stream."""
    follows = bool(listing(folder).get("previous"))
    described, gone = _read(folder, f"<{base_iri}id/".encode())
    default, dates = read_lastmod(folder)
    base = sorted(
        [(dates.get(m.decode(), default or created), m, False) for m in described]
        + [(created, m, True) for m in gone]
    )
    delta = [v for v in base if v[0] == created] if follows else []  # a first release: its base
    ldes_dir(folder).mkdir(exist_ok=True)
    writer = _Writer(Minter(base_iri), described)
    pages: dict[str, list[dict[str, Any]]] = {}
    for segment, versions in zip(SEGMENTS, (base, delta), strict=True):
        chunks = [versions[i : i + page_members] for i in range(0, len(versions), page_members)]
        if not chunks and (segment == "base" or follows):  # an unchanged release: an empty page
            chunks = [[]]
        pages[segment] = [{"members": len(c), "from": c[0][0] if c else created} for c in chunks]
        for number, chunk in enumerate(chunks, 1):
            writer.page(page_file(folder, segment, number), chunk)
    return {"page_members": page_members, **pages}


def _read(folder: Path, prefix: bytes) -> tuple[dict[bytes, list[bytes]], set[bytes]]:
    """Each member's statements in the release (``S P O``, its graph left out), and the members
    the change set removed and the release no longer describes (deleted)."""
    described: dict[bytes, list[bytes]] = {}
    subject = b"\0"  # a subject's lines come together: its member is found once
    lines: list[bytes] | None = None
    with open(nquads_dump(folder), "rb") as dump:
        for line in dump:
            if not line.startswith(subject):
                subject = line[: line.index(b" ") + 1]
                member = _member(subject[:-1], prefix)
                lines = None if member is None else described.setdefault(member, [])
            if lines is not None:
                lines.append(line[: line.rindex(b" <")])
    gone: set[bytes] = set()
    with gzip.open(folder / DUMPS / REMOVED, "rb") as removed:
        for line in removed:
            member = _member(line[: line.index(b" ")], prefix)
            if member is not None and member not in described:
                gone.add(member)
    return described, gone


class _Writer:
    """Writes pages of version objects: each a ``tree:member`` of the stream, its member, time
    and (a deletion) type, and the member's statements in the version's graph."""

    def __init__(self, mint: Minter, described: dict[bytes, list[bytes]]) -> None:
        self.mint, self.described = mint, described
        self.stream = f"<{mint.stream()}>".encode()
        self.stamps: dict[str, str] = {}

    def page(self, path: Path, versions: list[tuple[str, bytes, bool]]) -> None:
        with open(path, "wb") as out:
            for when, member, deleted in versions:
                if when not in self.stamps:
                    self.stamps[when] = stamp(when)
                version = f"<{self.mint.version(member.decode(), self.stamps[when])}>".encode()
                out.write(b"%s <%s> %s .\n" % (self.stream, f"{TREE}member".encode(), version))
                out.write(b"%s <%s> <%s> .\n" % (version, VERSION_OF.encode(), member))
                out.write(
                    b'%s <%s> "%s"^^<%s> .\n'
                    % (version, TIMESTAMP.encode(), when.encode(), XSD_DATETIME.encode())
                )
                if deleted:
                    out.write(b"%s <%s> <%s> .\n" % (version, RDF_TYPE.encode(), DELETE.encode()))
                for statement in () if deleted else self.described[member]:
                    out.write(b"%s %s .\n" % (statement, version))


@dataclass(frozen=True)
class Page:
    """One page of the stream: which release and segment, its number, members, earliest time."""

    release: str
    segment: str
    number: int
    members: int
    start: str

    @property
    def path(self) -> str:
        return f"ldes/{self.release}/{self.segment}/{self.number}"


@dataclass(frozen=True)
class Stream:
    """What serving the stream needs: the releases kept (newest first: path, manifest) and the
    pages of each kept release."""

    kept: list[tuple[Path, dict[str, Any]]]

    @property
    def oldest(self) -> dict[str, Any]:
        return self.kept[-1][1]

    def pages(self, release_id: str, segment: str) -> list[Page]:
        """The pages of a kept release's segment ([] for an unknown release or segment)."""
        for _, made in self.kept:
            if made.get("id") == release_id:
                listed = (made.get("ldes") or {}).get(segment) or []
                return [
                    Page(release_id, segment, n, p["members"], p["from"]) for n, p in enumerate(listed, 1)
                ]
        return []

    def first(self) -> Page | None:
        """The first page of the stream: the oldest kept release's first base page."""
        found = self.pages(str(self.oldest.get("id")), "base")
        return found[0] if found else None

    def next(self, page: Page) -> Page | None:
        """The page after ``page``: the next of its segment, else the first delta page of the
        release after its own, if one is kept (else none: the end of the stream for now)."""
        same = self.pages(page.release, page.segment)
        if page.number < len(same):
            return same[page.number]
        ids = [str(made.get("id")) for _, made in self.kept]
        at = ids.index(page.release)
        if at == 0:
            return None
        later = self.pages(ids[at - 1], "delta")
        return later[0] if later else None

    def release_path(self, release_id: str) -> Path:
        return next(path for path, made in self.kept if made.get("id") == release_id)


def kept(current: Path, limit: int = KEEP_RELEASES) -> Stream:
    """The stream as served with release ``current``: it and the releases before it that are
    still on disk, at most ``limit`` (what pruning keeps), those built with stream pages."""
    found = []
    for path in kept_lineage(current, limit):
        try:
            made = read_manifest(path)
        except (OSError, ValueError):
            break
        if not isinstance(made.get("ldes"), dict):
            break
        found.append((path, made))
    return Stream(found)


def _iri(value: str) -> str:
    return f"<{value}>"


def _time(value: str) -> str:
    return f'"{value}"^^<{XSD_DATETIME}>'


def _relation(node: str, target: Page, site: str, name: str) -> list[str]:
    rel = f"_:{name}"
    return [
        f"{_iri(node)} <{TREE}relation> {rel} .",
        f"{rel} <{RDF_TYPE}> <{TREE}GreaterThanOrEqualToRelation> .",
        f"{rel} <{TREE}path> <{TIMESTAMP}> .",
        f"{rel} <{TREE}value> {_time(target.start)} .",
        f"{rel} <{TREE}node> {_iri(site + target.path)} .",
    ]


def root_quads(stream: Stream, base_iri: str, site: str) -> str:
    """The root node (``/ldes``) as N-Quads: the event stream, its view with the retention
    policy, and the relation to the first page."""
    collection, root = _iri(str(Minter(base_iri).stream())), site + "ldes"
    view = _iri(root + "#description")
    lines = [
        f"{collection} <{RDF_TYPE}> <{LDES}EventStream> .",
        f"{collection} <{LDES}timestampPath> <{TIMESTAMP}> .",
        f"{collection} <{LDES}versionOfPath> <{VERSION_OF}> .",
        f"{collection} <{LDES}versionDeletePath> <{RDF_TYPE}> .",
        f"{collection} <{LDES}versionDeleteObject> <{DELETE}> .",
        f"{collection} <{TREE}view> {_iri(root)} .",
        f"{_iri(root)} <{RDF_TYPE}> <{TREE}Node> .",
        f"{_iri(root)} <{TREE}viewDescription> {view} .",
        f"{view} <{RDF_TYPE}> <{TREE}ViewDescription> .",
        f"{view} <{LDES}retentionPolicy> _:latest .",
        f"_:latest <{RDF_TYPE}> <{LDES}LatestVersionSubset> .",
        f'_:latest <{LDES}amount> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        f"{view} <{LDES}retentionPolicy> _:since .",
        f"_:since <{RDF_TYPE}> <{LDES}PointInTimePolicy> .",
        f"_:since <{LDES}pointInTime> {_time(str(stream.oldest.get('created')))} .",
    ]
    first = stream.first()
    if first is not None:
        lines += _relation(root, first, site, "first")
    return "\n".join(lines) + "\n"


def page_quads(stream: Stream, page: Page, base_iri: str, site: str) -> bytes:
    """A page as N-Quads: the node, its relation to the next page (if any), its members."""
    node = site + page.path
    lines = [
        f"{_iri(node)} <{RDF_TYPE}> <{TREE}Node> .",
        f"{_iri(node)} <{DCT}isPartOf> {_iri(str(Minter(base_iri).stream()))} .",
    ]
    after = stream.next(page)
    if after is not None:
        lines += _relation(node, after, site, "next")
    members = page_file(stream.release_path(page.release), page.segment, page.number).read_bytes()
    return ("\n".join(lines) + "\n").encode() + members
