"""The scanner's reading of a query's outermost LIMIT (what lets the store write an answer
straight in the format asked: tests/test_answer_direct.py)."""

from __future__ import annotations

import pytest

from kkb_lod.sparqlscan import outer_limit

P = "PREFIX limit: <http://example.org/LIMIT/10>\n"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 10", 10),
        ("select * where { ?s ?p ?o } limit 4 offset 2", 4),
        ("SELECT * { ?s ?p ?o } ORDER BY ?s OFFSET 3 LIMIT 7", 7),
        ("SELECT * { ?s ?p ?o } LIMIT # the most\n 8 VALUES ?s { <urn:a> }", 8),
        (P + "SELECT * { ?s limit:p ?o } LIMIT 9", 9),
        ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } LIMIT 6", 6),
        ("SELECT * WHERE { ?s ?p ?o }", None),
        (P + "SELECT * { ?s limit:p ?o }", None),  # "limit" only in the prologue and a name
        ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } }", None),  # a subquery's own
        ('SELECT * { ?s ?p "LIMIT 5" } # LIMIT 5', None),  # in a string, in a comment
        ("SELECT * { ?s ?p <urn:LIMIT> } LIMIT -1", None),
        ("SELECT * { ?s ?p ?o } LIMIT 5 ` ", None),  # something that is no token
    ],
)
def test_outer_limit(query: str, expected: int | None) -> None:
    assert outer_limit(query) == expected
