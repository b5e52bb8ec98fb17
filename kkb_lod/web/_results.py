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
from collections.abc import Mapping, Sequence
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
from kkb_lod.sparqlscan import is_absolute_iri, tokens
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


def cells(
    answer: Answer,
    base_iri: str,
    root: str = "",
    full: bool = False,
    prefixes: Mapping[str, str] = PREFIXES,
) -> tuple[list[str], list[list[Cell | None]]]:
    """Column names and rows of cells for the HTML page (a graph as subject/predicate/object),
    linked by :func:`link` (under the path prefix ``root``), so browsing stays on the instance
    being queried; IRIs as compact names by ``prefixes`` (``kkb:KKBDesignation``), datatypes by
    ours, or both in full with ``full``."""
    table = by_length(prefixes)
    if answer.kind == "boolean":
        return ["boolean"], [[Cell("true" if answer.boolean else "false")]]
    if answer.kind == "graph":
        return (
            ["subject", "predicate", "object"],
            [
                [cell(t, base_iri, root, full, table) for t in (s.subject, s.predicate, s.object)]
                for s in answer.triples
            ],
        )
    return answer.variables, [
        [None if term is None else cell(term, base_iri, root, full, table) for term in row]
        for row in answer.rows
    ]


def cell(
    term: Term,
    base_iri: str,
    root: str = "",
    full: bool = False,
    table: Sequence[tuple[str, str]] | None = None,
) -> Cell:
    """One term as a :class:`Cell`: its IRIs compact by ``table`` (:func:`by_length`; ours
    without it) and its datatype by ours, or both in full with ``full``; links under ``root``."""
    if isinstance(term, NamedNode):
        return Cell(term.value if full else compact(term.value, table), link(term.value, base_iri, root))
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, Triple):
        inner = (
            cell(t, base_iri, root, full, table).text for t in (term.subject, term.predicate, term.object)
        )
        return Cell("<< " + " ".join(inner) + " >>")
    if term.language:
        return Cell(term.value, note="@" + term.language)
    datatype = term.datatype.value
    return Cell(term.value, note="" if datatype == XSD_STRING else datatype if full else compact(datatype))


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


def named_by(query: str) -> dict[str, str]:
    """The prefixes a table's IRIs are compacted by: those ``query`` declares (with an absolute
    IRI), as the reader chose them, then ours whose names it does not take."""
    found, declared = tokens(query), {}
    for (kind, word, _), (pkind, pname, _), (ikind, iri, _) in zip(found, found[1:], found[2:], strict=False):
        declaration = (kind, word.upper(), pkind, ikind) == ("word", "PREFIX", "pname", "iri")
        if declaration and is_absolute_iri(iri[1:-1]):
            declared[pname[:-1]] = iri[1:-1]
    return declared | {p: ns for p, ns in PREFIXES.items() if p not in declared}


def by_length(prefixes: Mapping[str, str]) -> list[tuple[str, str]]:
    """(prefix, namespace) pairs, the longest namespace first (the first given first on a tie)."""
    return sorted(prefixes.items(), key=lambda p: -len(p[1]))


#: Our prefixes as :func:`compact` tries them.
OURS = by_length(PREFIXES)


def compact(iri: str, table: Sequence[tuple[str, str]] | None = None) -> str:
    """``kkb:KKBDesignation`` for a term of a known namespace (ours, or those of ``table``, as
    :func:`by_length` orders them), else the IRI itself."""
    for prefix, namespace in OURS if table is None else table:
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local.replace("-", "_").replace(".", "_").isidentifier():
            return f"{prefix}:{local}"
    return iri
