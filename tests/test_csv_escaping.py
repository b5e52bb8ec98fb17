"""CSV and TSV answers cannot carry a formula into a spreadsheet; numbers stay numbers.

A literal that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe, unless it is a plain number of a numeric datatype. "Plain" means the whole
text: ``"-1+cmd|' /C calc'!A0"^^xsd:integer`` is ill-typed, starts like a number, and is escaped.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kkb_lod.web._results import NUMERIC_TYPES, is_formula

XSD = "http://www.w3.org/2001/XMLSchema#"
ATTACK = "-1+cmd|' /C calc'!A0"
#: (SPARQL term, the cell a spreadsheet must get)
CELLS = [
    (f'"{ATTACK}"^^<{XSD}integer>', "'" + ATTACK),  # starts like a number, is not one
    (f'"{ATTACK}"^^<{XSD}double>', "'" + ATTACK),
    (f'"-1\\n=cmd"^^<{XSD}integer>', "'-1\n=cmd"),  # a number, then a line that is a formula
    (f'"-1 "^^<{XSD}integer>', "'-1 "),
    (f'"-"^^<{XSD}integer>', "'-"),
    ('"=HYPERLINK(\\"http://example.org\\")"', "'=HYPERLINK(\"http://example.org\")"),
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
NUMBERS = [(f'"-5"^^<{XSD}integer>', -5), (f'"-1.5e3"^^<{XSD}double>', -1500),
           (f'"-.5"^^<{XSD}decimal>', -0.5), (f'"-2E-3"^^<{XSD}float>', -0.002),
           (f'"-7"^^<{XSD}short>', -7)]


def csv_cells(client: FlaskClient, terms: list[str], accept: str = "text/csv") -> list[str]:
    query = "SELECT ?x WHERE { VALUES ?x { " + " ".join(terms) + " } }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0] == ["x"]
    return [row[0] for row in rows[1:]]


@pytest.mark.parametrize(("term", "cell"), CELLS, ids=[c for _, c in CELLS])
def test_csv_cells_are_safe_in_a_spreadsheet(client: FlaskClient, term: str, cell: str) -> None:
    assert csv_cells(client, [term]) == [cell]


@pytest.mark.parametrize(("term", "value"), NUMBERS, ids=[str(v) for _, v in NUMBERS])
def test_signed_numbers_stay_numbers(client: FlaskClient, term: str, value: float) -> None:
    (cell,) = csv_cells(client, [term])
    assert float(cell) == pytest.approx(value)


def test_tsv_cells_are_safe_in_a_spreadsheet(client: FlaskClient) -> None:
    """TSV writes terms in Turtle syntax: the escaped lexical form is inside the quotes, a plain
    number is written bare."""
    query = ("SELECT ?x WHERE { VALUES ?x { " + " ".join(t for t, _ in CELLS) + " } }")
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "text/tab-separated-values"})
    assert response.status_code == 200
    got = ox.parse_query_results(response.data, ox.QueryResultsFormat.TSV)
    assert [row["x"].value for row in got] == [cell for _, cell in CELLS]


@pytest.mark.parametrize("accept", ["application/sparql-results+json",
                                    "application/sparql-results+xml"])
def test_json_and_xml_answers_are_never_changed(client: FlaskClient, accept: str) -> None:
    query = ("SELECT ?x WHERE { VALUES ?x { " + " ".join(t for t, _ in CELLS) + " } }")
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


def test_ask_in_csv_is_its_boolean(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.get_data(as_text=True).strip().endswith("true")


@pytest.mark.parametrize("datatype", sorted(NUMERIC_TYPES))
def test_every_numeric_type_keeps_its_plain_numbers(datatype: str) -> None:
    """Also the forms the store would write canonically: whatever reaches the writer."""
    for number in ("-1", "+0.5", "-.5", "+7.", "-2E-3", "+1.5e+3", "-0"):
        assert not is_formula(number, datatype), number
    for text in ("-", "+.", "-e3", "-1e", "--1", "-1.2.3", "-1 ", " -1"):
        assert is_formula(text, datatype) is text.startswith(("-", "+")), text
    assert is_formula(ATTACK, datatype) and is_formula("-1\n", datatype)
    assert is_formula("-1", XSD + "string") and is_formula("-1", None)
