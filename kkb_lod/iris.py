"""The only place that mints and parses our IRIs.

Every data IRI is ``{base}id/{kind}/{key}``: administrative units and KKB designations are keyed by
their official Kemendagri code, everything else by a checked slug. A KKB designation has parts of
its own under its IRI: ``{kkb}/pokja`` (the decree forming its working group) and ``{kkb}/{year}``
(its record of one year); an administrative unit has one, ``{unit}/geometry`` (its boundary).
Minting and parsing are inverse functions (``tests/test_iris.py`` proves ``parse(mint(x)) == x``
with Hypothesis), and both refuse anything that would not round-trip, so no unchecked text ever
reaches an IRI or a SPARQL query.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rdflib import URIRef

#: Kemendagri code, dotted: province, regency/city, district, village (1 kelurahan, 2 desa, 3 adat).
#: ASCII digits only (``\d`` would take any script's digits) and ``\Z``, not ``$`` (which also
#: accepts a trailing newline): the one guard of every pattern below, used with ``.match``.
CODE_RE = re.compile(r"^[1-9][0-9](?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[123][0-9]{3})?)?)?\Z")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?\Z")
GRAPH_RE = re.compile(r"^[a-z0-9](?:[a-z0-9/-]{0,78}[a-z0-9])?\Z")

#: Administrative level by number of code segments.
LEVELS: dict[int, str] = {1: "province", 2: "regency", 3: "district", 4: "village"}

#: Resource kinds keyed by an official code; all other kinds are keyed by a slug.
CODE_KINDS = frozenset({"province", "regency", "district", "village", "kkb"})
SLUG_KINDS = frozenset(
    {
        "activity",
        "org",
        "post",
        "person",
        "programme",
        "objective",
        "source",
        "note",
        "dataset",
        "link",
        "indicator",
        "observation",
        "name",
        "edition",
        "record",
        "statement",
    }
)
KINDS = CODE_KINDS | SLUG_KINDS
#: Named graphs of a build (names for :meth:`Minter.graph`).
REGIONS, REGISTRY, INDICATORS, REFERENCE = "regions", "registry", "indicators", "reference"
#: The parts of a KKB designation: its pokja decree, and its record of one year (a year YYYY).
POKJA = "pokja"
#: The one part of an administrative unit: its boundary, a GeoSPARQL geometry (``{unit}/geometry``).
GEOMETRY = "geometry"
UNIT_KINDS = frozenset(LEVELS.values())
YEAR_PART_RE = re.compile(r"^(?:19|20)[0-9]{2}\Z")
#: A time stamp as release ids spell it (UTC, to the microsecond): what keys a version IRI.
STAMP_RE = re.compile(r"^[0-9]{8}T[0-9]{12}Z\Z")


class IriError(ValueError):
    """A code, slug or IRI that cannot be minted or parsed."""


@dataclass(frozen=True)
class ResourceRef:
    """What an IRI names: its kind and its key (a code or a slug), and for a part of a KKB
    designation which part (``pokja`` or a year)."""

    kind: str
    key: str
    part: str | None = None


def is_code(value: str) -> bool:
    """True if ``value`` is a well-formed dotted Kemendagri code."""
    return bool(CODE_RE.match(value))


def level_of(code: str) -> str:
    """The administrative level (province, regency, district, village) of a Kemendagri code."""
    if not is_code(code):
        raise IriError(f"not a Kemendagri code: {code!r}")
    return LEVELS[code.count(".") + 1]


def parent_code(code: str) -> str | None:
    """The code one level up, or None for a province."""
    level_of(code)
    return code.rsplit(".", 1)[0] if "." in code else None


def check_base(base: str) -> str:
    """A base IRI must be absolute http(s) and end with a slash, so ``base + path`` is an IRI."""
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/\Z", base):
        raise IriError(f"base IRI must be an http(s) IRI ending in '/': {base!r}")
    return base


class Minter:
    """Mints and parses data IRIs under one base IRI."""

    def __init__(self, base: str) -> None:
        self.base = check_base(base)

    def mint(self, kind: str, key: str, part: str | None = None) -> URIRef:
        """The IRI of the resource ``kind``/``key`` (or of its ``part``); raises IriError if the
        key or the part is malformed."""
        _check_key(kind, key)
        if part is None:
            return URIRef(f"{self.base}id/{kind}/{key}")
        _check_part(kind, part)
        return URIRef(f"{self.base}id/{kind}/{key}/{part}")

    def unit(self, code: str) -> URIRef:
        """The IRI of an administrative unit, its kind taken from the code's level."""
        return self.mint(level_of(code), code)

    def kkb(self, village_code: str) -> URIRef:
        """The IRI of the KKB designation of a village (one per village)."""
        if level_of(village_code) != "village":
            raise IriError(f"a KKB is keyed by a village code, got {village_code!r}")
        return self.mint("kkb", village_code)

    def pokja(self, village_code: str) -> URIRef:
        """The IRI of the decree (SK) forming the working group (pokja) of a village's KKB."""
        return self.mint("kkb", village_code, POKJA)

    def annual(self, village_code: str, year: int) -> URIRef:
        """The IRI of the record of one year of a village's KKB."""
        return self.mint("kkb", village_code, str(year))

    def geometry(self, code: str) -> URIRef:
        """The IRI of the boundary (a ``geo:Geometry``) of an administrative unit."""
        return self.mint(level_of(code), code, GEOMETRY)

    def record(self, file: str, row: int, sheet: str | None = None) -> URIRef:
        """The IRI of one row of a registry file (of one sheet of it, for a workbook)."""
        return self.mint("record", record_key(file, row, sheet))

    def graph(self, name: str) -> URIRef:
        """The IRI of one of our named graphs (``registry``, ``regions``, ``links/wikidata`` …)."""
        if not GRAPH_RE.match(name):
            raise IriError(f"not a graph name: {name!r}")
        return URIRef(f"{self.base}graph/{name}")

    def stream(self) -> URIRef:
        """The IRI of our Linked Data Event Stream of versioned descriptions (:mod:`kkb_lod.ldes`)."""
        return URIRef(f"{self.base}ldes")

    def version(self, member: str, stamp: str) -> URIRef:
        """The IRI of the version of resource ``member`` (one of ours, not a part) made at ``stamp``
        (a release id, ``YYYYMMDDTHHMMSSffffffZ``): a fragment of the member's own IRI, so it
        resolves to the member's page."""
        ref = self.parse(member)
        if ref.part is not None or not STAMP_RE.match(stamp):
            raise IriError(f"no version IRI for {member!r} at {stamp!r}")
        return URIRef(f"{member}#version-{stamp}")

    def parse(self, iri: str) -> ResourceRef:
        """The kind and key an IRI of ours names; raises IriError for anything else."""
        if not iri.startswith(self.base + "id/"):
            raise IriError(f"not a data IRI under {self.base}: {iri!r}")
        kind, _, key = iri[len(self.base) + 3 :].partition("/")
        key, slash, part = key.partition("/")
        _check_key(kind, key)
        if not slash:
            return ResourceRef(kind, key)
        _check_part(kind, part)
        return ResourceRef(kind, key, part)

    def owns(self, iri: str) -> bool:
        """True if ``iri`` is a well-formed data IRI of ours."""
        try:
            self.parse(iri)
        except IriError:
            return False
        return True


def _check_key(kind: str, key: str) -> None:
    if kind not in KINDS:
        raise IriError(f"unknown resource kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    if kind in CODE_KINDS:
        if not is_code(key):
            raise IriError(f"{kind} key must be a Kemendagri code, got {key!r}")
        expected = "village" if kind == "kkb" else kind
        if level_of(key) != expected:
            raise IriError(f"{kind} key must be a {expected} code, got {key!r}")
    elif not SLUG_RE.match(key):
        raise IriError(f"{kind} key must be a slug (a-z, 0-9, '-'), got {key!r}")


def _check_part(kind: str, part: str) -> None:
    if kind in UNIT_KINDS:
        if part != GEOMETRY:
            raise IriError(f"the one part of an administrative unit is {GEOMETRY!r}, got {part!r}")
        return
    if kind != "kkb":
        raise IriError(f"only a kkb designation or an administrative unit has parts, not a {kind}")
    if part != POKJA and not YEAR_PART_RE.match(part):
        raise IriError(f"a part of a kkb designation is {POKJA!r} or a year YYYY, got {part!r}")


def record_key(file: str, row: int, sheet: str | None = None) -> str:
    """The key of a registry row: its file (and sheet) as a slug, then its row number, e.g.
    ``registry-kkb-csv-2``. Too long a name is shortened and a hash of it keeps keys apart."""
    name = re.sub(r"[^a-z0-9]+", "-", f"{file} {sheet or ''}".casefold()).strip("-") or "file"
    if len(name) > 60:
        name = name[:50].rstrip("-") + "-" + hashlib.sha256(f"{file}\0{sheet}".encode()).hexdigest()[:8]
    if row < 1:
        raise IriError(f"a row number is 1 or more, got {row}")
    return f"{name}-{row}"
