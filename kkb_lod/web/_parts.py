"""The IRIs below a KKB's and the registry records' IRIs, as the web layer reads them.

Issue #16 publishes, next to every KKB ``{base}id/kkb/{village code}``, its Pokja decree
``…/{code}/pokja`` and its annual records ``…/{code}/{year}``, and the rows of a registry file
``{base}id/record/{key}``. :class:`kkb_lod.iris.Minter` keeps one key per kind; until it mints these
itself, this module accepts exactly those shapes (a village code, then ``pokja`` or a four-digit
year; a record key of slugs joined by ``/``) and nothing else, so no unchecked text reaches an
IRI or a SPARQL query. Whatever the Minter accepts is taken from it first.
"""

from __future__ import annotations

import re

from kkb_lod.iris import IriError, Minter, level_of

#: What may follow a KKB's code: its Pokja decree, or the year of an annual record.
PART_RE = re.compile(r"^(?:pokja|[12][0-9]{3})\Z")
#: A registry record's key: one to four slugs joined by ``/`` (``registry-xlsx-kampung-kb-12``).
_SLUG = r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"
RECORD_RE = re.compile(rf"^{_SLUG}(?:/{_SLUG}){{0,3}}\Z")


def mint(minter: Minter, kind: str, key: str) -> str:
    """The IRI ``/id/{kind}/{key}`` stands for; raises IriError for anything not ours."""
    try:
        return str(minter.mint(kind, key))
    except IriError:
        part = part_of(kind, key)
        if part is None:
            raise
        return f"{minter.base}id/{kind}/{key}"


def part_of(kind: str, key: str) -> str | None:
    """``pokja``, a year or ``record`` when ``kind``/``key`` names one of the resources above;
    None otherwise."""
    if kind == "record":
        return "record" if RECORD_RE.match(key) else None
    if kind != "kkb" or key.count("/") != 1:
        return None
    code, part = key.split("/")
    try:
        if level_of(code) != "village":
            return None
    except IriError:
        return None
    return part if PART_RE.match(part) else None


def owns(minter: Minter, iri: str) -> bool:
    """True if ``iri`` is one of our data IRIs, the parts above included."""
    if minter.owns(iri):
        return True
    if not iri.startswith(minter.base + "id/"):
        return False
    kind, _, key = iri[len(minter.base) + 3:].partition("/")
    return part_of(kind, key) is not None
