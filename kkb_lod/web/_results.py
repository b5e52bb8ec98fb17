"""Writing a materialised answer in the negotiated format, and as table cells for the HTML page.

The store has written the answer already (SPARQL TSV for SELECT, or the format asked when the
query's own LIMIT bounds it; N-Triples for graphs: :class:`kkb_lod.web._answer.Answer`); pyoxigraph
reads it back and writes the negotiated format where that is another.

CSV and TSV answers are opened in spreadsheets, which run a cell starting with ``=``, ``+``, ``-``
or ``@`` (or a tab or carriage return before one) as a formula: such a literal gets a leading
apostrophe, the mark spreadsheets read as "text" (OWASP's advice on CSV injection), unless it is
a plain number of a numeric type. JSON and XML answers are never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from kkb_lod.formats import Format
from kkb_lod.vocab import PREFIXES
from kkb_lod.web._answer import Answer, Term, tsv_head, tsv_line

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_TYPES = frozenset(
    XSD + name
    for name in (
        "integer decimal float double nonPositiveInteger negativeInteger long int short byte "
        "nonNegativeInteger unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger"
    ).split()
)
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
SPREADSHEET_FORMATS = (QueryResultsFormat.CSV, QueryResultsFormat.TSV)


def to_bytes(answer: Answer, fmt: Format) -> bytes:
    """The answer serialised in ``fmt`` (a "results" format for SELECT/ASK, else an RDF one)."""
    target = fmt.ox
    if answer.kind == "graph":
        assert isinstance(target, RdfFormat)
        if target == RdfFormat.N_TRIPLES:
            return answer.body
        return serialize(parse(answer.body, RdfFormat.N_TRIPLES), format=target, prefixes=PREFIXES) or b""
    assert isinstance(target, QueryResultsFormat)
    body, written = answer.body, answer.format
    if answer.kind == "boolean":
        body, written = (
            f'{{"head":{{}},"boolean":{str(answer.boolean).lower()}}}'.encode(),
            QueryResultsFormat.JSON,
        )
    elif target in SPREADSHEET_FORMATS:  # read back below: pyoxigraph writes some terms its way
        body, written = spreadsheet_safe(answer), QueryResultsFormat.TSV
    elif target == written:
        return body
    return parse_query_results(body, written).serialize(format=target) or b""


def spreadsheet_safe(answer: Answer) -> bytes:
    """A SELECT answer as SPARQL TSV with every literal that a spreadsheet would run as a formula
    prefixed by an apostrophe (plain numbers of a numeric type excepted)."""

    def safe(term: Term | None) -> Term | None:
        if not isinstance(term, Literal) or not is_formula(term.value, term.datatype.value):
            return term
        if term.language:
            return Literal("'" + term.value, language=term.language, direction=term.direction)
        return Literal("'" + term.value, datatype=term.datatype)

    lines = [tsv_line([safe(term) for term in row]) for row in answer.rows]
    return (tsv_head(answer.variables) + "".join(lines)).encode()


def is_formula(text: str, datatype: str | None = None) -> bool:
    """Whether a spreadsheet would read the cell ``text`` as a formula: it starts with = + - @,
    a tab or a carriage return, and it is not a plain number of a numeric datatype."""
    if not text.startswith(FORMULA_START):
        return False
    return not (datatype in NUMERIC_TYPES and PLAIN_NUMBER.fullmatch(text))


@dataclass(frozen=True)
class Cell:
    """A term as the HTML page shows it: text, an optional link, and a note (language, type)."""

    text: str
    href: str | None = None
    note: str = ""


def cells(answer: Answer, base_iri: str, root: str = "") -> tuple[list[str], list[list[Cell | None]]]:
    """Column names and rows of cells for the HTML page (a graph as subject/predicate/object),
    linked by :func:`link` (under the path prefix ``root``), so browsing stays on the instance
    being queried."""
    if answer.kind == "boolean":
        return ["boolean"], [[Cell("true" if answer.boolean else "false")]]
    if answer.kind == "graph":
        return (
            ["subject", "predicate", "object"],
            [
                [
                    cell(t.subject, base_iri, root),
                    cell(t.predicate, base_iri, root),
                    cell(t.object, base_iri, root),
                ]
                for t in answer.triples
            ],
        )
    return answer.variables, [
        [None if term is None else cell(term, base_iri, root) for term in row] for row in answer.rows
    ]


def cell(term: Term, base_iri: str, root: str = "") -> Cell:
    """One term as a :class:`Cell`."""
    if isinstance(term, NamedNode):
        return Cell(compact(term.value), link(term.value, base_iri, root))
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, Triple):
        inner = (cell(t, base_iri).text for t in (term.subject, term.predicate, term.object))
        return Cell("<< " + " ".join(inner) + " >>")
    if term.language:
        return Cell(term.value, note="@" + term.language)
    datatype = term.datatype.value
    return Cell(term.value, note="" if datatype == XSD_STRING else compact(datatype))


def link(iri: str, base_iri: str, root: str = "") -> str | None:
    """Where a link to ``iri`` points: one of ours to its path on this server, under the path
    prefix ``root`` (unless the path would start "//", another host), another web IRI as it is,
    any other scheme nowhere."""
    if iri.startswith(base_iri) and not iri[len(base_iri) :].startswith("/"):
        return root + "/" + iri[len(base_iri) :]
    return iri if is_web(iri) else None


def is_web(iri: str) -> bool:
    """Whether ``iri`` is an ``http`` or ``https`` IRI: the only ones a page makes links of
    (``javascript:`` runs script, ``data:`` draws the query's document, ``file:`` reads the
    reader's disk; the pages do not rely on the Content-Security-Policy to stop them)."""
    scheme, colon, _ = iri.partition(":")
    return bool(colon) and scheme.lower() in ("http", "https")


def compact(iri: str) -> str:
    """``kkb:KKBDesignation`` for a term of a known namespace, else the IRI itself."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local.replace("-", "_").replace(".", "_").isidentifier():
            return f"{prefix}:{local}"
    return iri
