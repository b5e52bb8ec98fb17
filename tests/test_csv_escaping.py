"""Answers as people read them: CSV and TSV cannot carry a formula into a spreadsheet (numbers
stay numbers), and the query page's table shows, links and notes each term as it should.

A literal that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe, unless it is a plain number of a numeric datatype. "Plain" means the whole
text: ``"-1+cmd|' /C calc'!A0"^^xsd:integer`` is ill-typed, starts like a number, and is escaped.
"""

from __future__ import annotations

import csv
import io
import json
import threading

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kkb_lod.vocab import PREFIXES
from kkb_lod.web import _results
from kkb_lod.web._answer import written
from kkb_lod.web._results import NUMERIC_TYPES, Cell, by_length, cells, compact, is_formula, named_by

XSD = "http://www.w3.org/2001/XMLSchema#"
ATTACK = "-1+cmd|' /C calc'!A0"
#: (SPARQL term, the cell a spreadsheet must get)
CELLS = [
    (f'"{ATTACK}"^^<{XSD}integer>', "'" + ATTACK),  # starts like a number, is not one
    (f'"{ATTACK}"^^<{XSD}double>', "'" + ATTACK),
    (f'"-1\\n=cmd"^^<{XSD}integer>', "'-1\n=cmd"),  # a number, then a line that is a formula
    (f'"-1 "^^<{XSD}integer>', "'-1 "),
    (f'"-"^^<{XSD}integer>', "'-"),
    ('"=HYPERLINK(\\"http://example.org\\")"', '\'=HYPERLINK("http://example.org")'),
    ('"+1"', "'+1"),  # a string, not a number
    ('"-5"@en', "'-5"),
    ('"@SUM(A1)"', "'@SUM(A1)"),
    ('"\\t=1"', "'\t=1"),
    ('"\\r=1"', "'\r=1"),
    ('"1-2=3"', "1-2=3"),  # a formula character later in the text is harmless
    ('"plain"', "plain"),
]
#: Numbers of a numeric type that start with a sign: (SPARQL term, value). The store writes them
#: in canonical form; they must stay numbers (no apostrophe).
NUMBERS = [
    (f'"-5"^^<{XSD}integer>', -5),
    (f'"-1.5e3"^^<{XSD}double>', -1500),
    (f'"-.5"^^<{XSD}decimal>', -0.5),
    (f'"-2E-3"^^<{XSD}float>', -0.002),
    (f'"-7"^^<{XSD}short>', -7),
]


def csv_cells(client: FlaskClient, terms: list[str], accept: str = "text/csv") -> list[str]:
    query = "SELECT ?x WHERE { VALUES ?x { " + " ".join(terms) + " } }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0] == ["x"]
    return [row[0] for row in rows[1:]]


@pytest.mark.parametrize(("term", "cell"), CELLS, ids=[f"cell{i}" for i in range(len(CELLS))])
def test_csv_cells_are_safe_in_a_spreadsheet(client: FlaskClient, term: str, cell: str) -> None:
    assert csv_cells(client, [term]) == [cell]


@pytest.mark.parametrize(("term", "value"), NUMBERS, ids=[str(v) for _, v in NUMBERS])
def test_signed_numbers_stay_numbers(client: FlaskClient, term: str, value: float) -> None:
    (cell,) = csv_cells(client, [term])
    assert float(cell) == pytest.approx(value)


def test_tsv_cells_are_safe_in_a_spreadsheet(client: FlaskClient) -> None:
    """TSV writes terms in Turtle syntax: the escaped lexical form is inside the quotes, a plain
    number is written bare."""
    query = "SELECT ?x WHERE { VALUES ?x { " + " ".join(t for t, _ in CELLS) + " } }"
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    assert response.status_code == 200
    got = ox.parse_query_results(response.data, ox.QueryResultsFormat.TSV)
    assert [row["x"].value for row in got] == [cell for _, cell in CELLS]


def test_tsv_keeps_the_language_direction_and_datatype_of_an_escaped_literal(client: FlaskClient) -> None:
    """Only the apostrophe is added: the literal keeps its language, base direction and type."""
    terms = ['"=1"@ar--rtl', '"-1"@en', f'"=1"^^<{XSD}date>', f'"{ATTACK}"^^<{XSD}integer>']
    query = "SELECT ?x WHERE { VALUES ?x { " + " ".join(terms) + " } }"
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    assert response.status_code == 200
    got = [row["x"] for row in ox.parse_query_results(response.data, ox.QueryResultsFormat.TSV)]
    assert got == [
        ox.Literal("'=1", language="ar", direction=ox.BaseDirection.RTL),
        ox.Literal("'-1", language="en"),
        ox.Literal("'=1", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("'" + ATTACK, datatype=ox.NamedNode(XSD + "integer")),
    ]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_json_and_xml_answers_are_never_changed(client: FlaskClient, accept: str) -> None:
    query = "SELECT ?x WHERE { VALUES ?x { " + " ".join(t for t, _ in CELLS) + " } }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    got = ox.parse_query_results(response.data, ox.QueryResultsFormat.from_media_type(accept))
    expected = ox.Store().query(query)
    assert list(got) == list(expected)


def test_iris_and_blank_nodes_are_left_alone(client: FlaskClient) -> None:
    query = "SELECT ?x ?b WHERE { VALUES ?x { <urn:-x> } BIND(BNODE() AS ?b) }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[1][0] == "urn:-x" and rows[1][1].startswith("_:")


@pytest.mark.parametrize("datatype", sorted(NUMERIC_TYPES))
def test_every_numeric_type_keeps_its_plain_numbers(datatype: str) -> None:
    """Also the forms the store would write canonically: whatever reaches the writer."""
    for number in ("-1", "+0.5", "-.5", "+7.", "-2E-3", "+1.5e+3", "-0"):
        assert not is_formula(number, datatype), number
    for text in ("-", "+.", "-e3", "-1e", "--1", "-1.2.3", "-1 ", " -1"):
        assert is_formula(text, datatype) is text.startswith(("-", "+")), text
    assert is_formula(ATTACK, datatype) and is_formula("-1\n", datatype)
    assert is_formula("-1", XSD + "string") and is_formula("-1", None)


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_without_formulas_csv_and_tsv_are_the_stores_own(client: FlaskClient, accept: str) -> None:
    """Every kind of term (triple terms, nested; base directions; languages; datatypes; unbound)
    is written as the store's own CSV/TSV writer writes it: only formulas are changed."""
    query = """SELECT ?t ?n ?d ?l ?i ?x ?u WHERE { VALUES (?t ?n ?d ?l ?i ?x) {
        (<<( <urn:a> <urn:p> "x"@en--rtl )>> <<( <urn:a> <urn:p> <<( <urn:b> <urn:q> 3 )>> )>>
         "hi"@en--ltr "x"@id <urn:i> "1"^^<urn:type>) } }"""
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    fmt = ox.QueryResultsFormat.from_media_type(accept)
    assert response.data == ox.Store().query(query).serialize(format=fmt)


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "text/csv",
        "text/tab-separated-values",
        "application/sparql-results+xml",
    ],
)
def test_ask_answers_are_the_stores_own(client: FlaskClient, accept: str) -> None:
    """An ASK answer in each results format is what the store's writer makes (JSON: ``head``
    and ``boolean``, as SPARQL 1.1 Query Results JSON requires)."""
    for query in ("ASK {}", "ASK { <urn:x:nothing> ?p ?o }"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        fmt = ox.QueryResultsFormat.from_media_type(accept)
        expected = ox.Store().query(query).serialize(format=fmt)
        if accept.endswith("json"):
            assert response.json == json.loads(expected) and set(response.json) == {"head", "boolean"}
        else:
            assert response.data == expected


# --- the query page's table: our IRIs link to this server, others link out ---------------

CELL_BASE = "https://w3id.org/kkb/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CELLS_QUERY = """SELECT ?ours ?other ?known ?lang ?typed ?plain ?triple ?none WHERE { VALUES
    (?ours ?other ?known ?lang ?typed ?plain ?triple) {
    (<https://w3id.org/kkb/id/village/62.04.06.2020> <http://example.org/a-b>
     <https://w3id.org/kkb/def#District> "Kalahien"@id "7"^^<http://www.w3.org/2001/XMLSchema#integer>
     "teks" <<( <https://w3id.org/kkb/def#District> <http://example.org/p> "x" )>>) } }"""


def test_each_kind_of_term_as_a_cell() -> None:
    answer = written(ox.Store().query(CELLS_QUERY), 10, threading.Event())
    assert answer is not None
    columns, rows = cells(answer, CELL_BASE)
    assert columns == ["ours", "other", "known", "lang", "typed", "plain", "triple", "none"]
    assert rows == [
        [
            Cell(CELL_BASE + "id/village/62.04.06.2020", "/id/village/62.04.06.2020"),
            Cell("http://example.org/a-b", "http://example.org/a-b"),
            Cell("kkb:District", "/def#District"),
            Cell("Kalahien", note="@id"),
            Cell("7", note="xsd:integer"),
            Cell("teks"),
            Cell("<< kkb:District http://example.org/p x >>"),
            None,
        ]
    ]


def test_blank_nodes_booleans_and_graphs_as_cells() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode(CELL_BASE + "def#p"), ox.Literal("v")))
    columns, rows = cells(
        written(store.query("SELECT ?s WHERE { ?s ?p ?o }"), 10, threading.Event()), CELL_BASE
    )
    assert columns == ["s"] and rows[0][0].text.startswith("_:") and rows[0][0].href is None
    assert cells(written(store.query("ASK {}"), 10, threading.Event()), CELL_BASE) == (
        ["boolean"],
        [[Cell("true")]],
    )
    assert cells(written(store.query("ASK { ?s <urn:x> ?o }"), 10, threading.Event()), CELL_BASE) == (
        ["boolean"],
        [[Cell("false")]],
    )
    graph = written(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), 10, threading.Event())
    columns, rows = cells(graph, CELL_BASE)
    assert columns == ["subject", "predicate", "object"]
    assert rows[0][1] == Cell("kkb:p", "/def#p") and rows[0][2] == Cell("v")


def test_compact_names_only_whole_local_names() -> None:
    assert compact(CELL_BASE + "def#KKBDesignation") == "kkb:KKBDesignation"
    assert compact("http://www.w3.org/2001/XMLSchema#dateTime") == "xsd:dateTime"
    assert compact(CELL_BASE + "def#a-b.c") == "kkb:a-b.c"
    assert compact(CELL_BASE + "def#a/b") == CELL_BASE + "def#a/b"  # not a local name: the IRI itself
    assert compact("http://example.org/x") == "http://example.org/x"


def test_compact_takes_the_longest_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where one known namespace starts another, a term is named by the longer, whatever the
    order or the names of the prefixes."""
    assert by_length(PREFIXES) == _results.OURS
    nested = {"a": "http://example.org/x", "b": "http://example.org/xy"}
    for order in (nested, dict(reversed(nested.items()))):
        table = by_length(order)
        assert compact("http://example.org/xyz", table) == "b:z"
        assert compact("http://example.org/xz", table) == "a:z"
        monkeypatch.setattr(_results, "OURS", table)  # ours, ordered once, are tried the same way
        assert compact("http://example.org/xyz") == "b:z"


@pytest.mark.parametrize("accept", ["text/turtle", "application/trig", "application/n-quads", "text/plain"])
def test_a_graph_answer_of_no_triples_is_empty_in_every_plain_format(
    client: FlaskClient, accept: str
) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(false) }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.data == b""


def test_the_query_page_links_our_iris_to_this_server(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": CELLS_QUERY}, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<a href="/id/village/62.04.06.2020">{CELL_BASE}id/village/62.04.06.2020</a>' in page
    assert '<a href="http://example.org/a-b">http://example.org/a-b</a>' in page
    assert "Kalahien <small>@id</small>" in page


def test_graph_answers_in_turtle_read_with_our_prefixes(client: FlaskClient) -> None:
    query = (
        "PREFIX kkb: <https://w3id.org/kkb/def#> "
        "CONSTRUCT { ?k a kkb:KKBDesignation } WHERE { ?k a kkb:KKBDesignation } LIMIT 2"
    )
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "@prefix kkb: <https://w3id.org/kkb/def#> ." in text and "kkb:KKBDesignation" in text


def test_each_kind_of_term_as_a_cell_with_full_iris() -> None:
    """The table's full-IRI switch: the same cells and links, IRIs and datatypes written whole."""
    answer = written(ox.Store().query(CELLS_QUERY), 10, threading.Event())
    assert answer is not None
    columns, rows = cells(answer, CELL_BASE, full=True)
    assert columns == ["ours", "other", "known", "lang", "typed", "plain", "triple", "none"]
    assert rows == [
        [
            Cell(CELL_BASE + "id/village/62.04.06.2020", "/id/village/62.04.06.2020"),
            Cell("http://example.org/a-b", "http://example.org/a-b"),
            Cell(CELL_BASE + "def#District", "/def#District"),
            Cell("Kalahien", note="@id"),
            Cell("7", note="http://www.w3.org/2001/XMLSchema#integer"),
            Cell("teks"),
            Cell(f"<< {CELL_BASE}def#District http://example.org/p x >>"),
            None,
        ]
    ]
    graph = written(
        ox.Store().query("CONSTRUCT { <urn:s> <https://w3id.org/kkb/def#p> 1 } WHERE {}"),
        10,
        threading.Event(),
    )
    assert cells(graph, CELL_BASE, full=True)[1] == [
        [
            Cell("urn:s"),
            Cell(CELL_BASE + "def#p", "/def#p"),
            Cell("1", note="http://www.w3.org/2001/XMLSchema#integer"),
        ]
    ]


def test_a_query_names_its_own_prefixes_first() -> None:
    query = (
        "# PREFIX no: <http://no/>\nprefix ex: <http://example.org/> PREFIX : <http://example.org/empty#>\n"
        "PREFIX kkb: <http://example.org/k#> PREFIX rel: <relative/>\n"
        'SELECT ("PREFIX s: <http://s/>" AS ?x) {}'
    )
    named = named_by(query)
    assert list(named)[:3] == ["ex", "", "kkb"] and named["kkb"] == "http://example.org/k#"
    assert "no" not in named and "s" not in named and "rel" not in named  # comments, strings, relative IRIs
    assert named["xsd"] == PREFIXES["xsd"] and "kkb" in named and len(named) == len(PREFIXES) + 2
    answer = written(
        ox.Store().query(
            "SELECT ?a ?b ?c ?d ?n WHERE { VALUES (?a ?b ?c ?d ?n) { (<http://example.org/a-b> "
            "<http://example.org/empty#z> <http://example.org/k#Thing> <https://w3id.org/kkb/def#District> "
            '"1"^^<http://www.w3.org/2001/XMLSchema#integer>) } }'
        ),
        10,
        threading.Event(),
    )
    assert answer is not None
    _, rows = cells(answer, CELL_BASE, prefixes=named | {"x": "http://www.w3.org/2001/XMLSchema#"})
    assert [c.text for c in rows[0] if c] == [
        "ex:a-b",
        ":z",
        "kkb:Thing",
        CELL_BASE + "def#District",  # kkb: is the query's, not ours, here
        "1",
    ]
    assert rows[0][4] == Cell("1", note="xsd:integer")  # datatypes by our names: charts read them
    assert by_length({"a": "http://a/", "b": "http://a/long/", "c": "http://a/"}) == [
        ("b", "http://a/long/"),
        ("a", "http://a/"),
        ("c", "http://a/"),
    ]


def test_a_graph_and_a_triple_term_name_iris_by_the_querys_prefixes_and_link_under_the_root() -> None:
    """The query's own prefixes name the IRIs of a CONSTRUCT's triples and of a triple term too
    (not only a SELECT's cells), and every link of ours goes under the path prefix ``root``."""
    named = named_by("PREFIX ex: <http://example.org/>\nPREFIX e: <e:>\nSELECT * {}")
    assert named["ex"] == "http://example.org/" and named["e"] == "e:"  # a one-letter scheme is absolute
    graph = written(
        ox.Store().query("CONSTRUCT { <http://example.org/s> <https://w3id.org/kkb/def#p> <e:o> } WHERE {}"),
        10,
        threading.Event(),
    )
    assert cells(graph, CELL_BASE, "/kkb", prefixes=named)[1] == [
        [Cell("ex:s", "http://example.org/s"), Cell("kkb:p", "/kkb/def#p"), Cell("e:o")]
    ]
    triple = written(
        ox.Store().query(
            "SELECT ?t { BIND (<<( <http://example.org/s> <http://example.org/p> 1 )>> AS ?t) }"
        ),
        10,
        threading.Event(),
    )
    assert cells(triple, CELL_BASE, "/kkb", prefixes=named)[1] == [[Cell("<< ex:s ex:p 1 >>")]]
    ours = written(ox.Store().query(CELLS_QUERY), 10, threading.Event())
    assert cells(ours, CELL_BASE, "/kkb")[1][0][0].href == "/kkb/id/village/62.04.06.2020"
