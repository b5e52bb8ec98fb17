"""The only place that mints and parses our IRIs.

Every data IRI is ``{base}id/{kind}/{key}``: administrative units and KKB designations are keyed by
their official Kemendagri code, everything else by a checked slug. Minting and parsing are inverse
functions (``tests/test_iris.py`` proves ``parse(mint(x)) == x`` with Hypothesis), and both refuse
anything that would not round-trip, so no unchecked text ever reaches an IRI or a SPARQL query.
"""

from __future__ import annotations

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
    {"activity", "org", "post", "person", "programme", "objective", "source", "note", "dataset",
     "link", "indicator", "observation", "name", "edition"}
)
KINDS = CODE_KINDS | SLUG_KINDS


class IriError(ValueError):
    """A code, slug or IRI that cannot be minted or parsed."""


@dataclass(frozen=True)
class ResourceRef:
    """What an IRI names: its kind and its key (a code or a slug)."""

    kind: str
    key: str


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

    def mint(self, kind: str, key: str) -> URIRef:
        """The IRI of the resource ``kind``/``key``; raises IriError if the key is malformed."""
        _check_key(kind, key)
        return URIRef(f"{self.base}id/{kind}/{key}")

    def unit(self, code: str) -> URIRef:
        """The IRI of an administrative unit, its kind taken from the code's level."""
        return self.mint(level_of(code), code)

    def kkb(self, village_code: str) -> URIRef:
        """The IRI of the KKB designation of a village (one per village)."""
        if level_of(village_code) != "village":
            raise IriError(f"a KKB is keyed by a village code, got {village_code!r}")
        return self.mint("kkb", village_code)

    def graph(self, name: str) -> URIRef:
        """The IRI of one of our named graphs (``registry``, ``regions``, ``links/wikidata`` …)."""
        if not GRAPH_RE.match(name):
            raise IriError(f"not a graph name: {name!r}")
        return URIRef(f"{self.base}graph/{name}")

    def parse(self, iri: str) -> ResourceRef:
        """The kind and key an IRI of ours names; raises IriError for anything else."""
        if not iri.startswith(self.base + "id/"):
            raise IriError(f"not a data IRI under {self.base}: {iri!r}")
        kind, _, key = iri[len(self.base) + 3 :].partition("/")
        _check_key(kind, key)
        return ResourceRef(kind, key)

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

