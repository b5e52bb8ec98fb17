"""rdflib terms → N-Triples text, exactly as pyoxigraph writes it, without a pyoxigraph object.

A national build writes ~1e7 statements; building a Python object per term (rdflib → pyoxigraph)
was most of the mapping time. The text of a term is what the store's bulk loader and the dumps
read anyway, so the streaming build writes it directly. The escaping is pyoxigraph's (canonical
N-Triples: ``\\b \\t \\n \\f \\r \\" \\\\`` and ``\\uXXXX`` for the other control characters),
checked against pyoxigraph's own serialiser with Hypothesis-generated strings
(``tests/test_ntriples.py``), so the text dumps sort and compare byte for byte as before.
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: An absolute IRI with none of the characters N-Triples forbids in one (IRIREF): checked here,
#: where each distinct term is written once, so the store's loader need not check them again.
_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*\Z')

#: As pyoxigraph writes them (the dumps are compared with its output): C0 controls, DEL and the
#: two noncharacters U+FFFE and U+FFFF as \uXXXX, the usual ones by their short escapes.
_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}
_ESCAPES.update(
    {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", ord('"'): '\\"', ord("\\"): "\\\\"}
)


def quoted(value: str) -> str:
    """A string as an N-Triples quoted string (the lexical form of a literal)."""
    return '"' + value.translate(_ESCAPES) + '"'


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """The N-Triples text of a literal; ``xsd:string`` is written without its datatype."""
    if language:
        return f"{quoted(value)}@{language.lower()}"
    if datatype and datatype != XSD_STRING:
        return f"{quoted(value)}^^<{datatype}>"
    return quoted(value)


def term(t: Node) -> str:
    """The N-Triples text of an rdflib IRI, blank node or literal."""
    kind = type(t)
    if isinstance(t, URIRef):
        if not _IRI.match(t):
            raise ValueError(f"not an IRI N-Triples can write: {str(t)!r}")
        return f"<{t}>"
    if kind is Literal or isinstance(t, Literal):
        return literal(str(t), t.datatype and str(t.datatype), t.language)  # type: ignore[attr-defined]
    if kind is BNode or isinstance(t, BNode):
        return f"_:{t}"
    raise TypeError(f"cannot write {t!r} as N-Triples")
