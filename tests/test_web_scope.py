"""The rules beyond SPARQL's grammar that the store applies (``_scope``), read on rdflib's parse
tree for the editor's check: each variant below is refused by the check exactly when the store
refuses it (no false alarm, no miss), and each problem is placed at its token and said in id and en.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kkb_lod.web import _policy
from kkb_lod.web._scope import SAYS, Problem, scope_problem

#: Queries the grammar reads, around each rule: right and wrong, with the scoping subtleties
#: (FILTER, MINUS and EXISTS bind nothing; OPTIONAL, UNION, GRAPH, SERVICE, VALUES, subqueries'
#: shown variables and paths do; HAVING and ORDER BY aggregates group the whole answer).
VARIANTS = [
    "SELECT * { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?o { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?q { ?s ?p ?o } GROUP BY (str(?s) AS ?q)",
    "SELECT (str(?s) AS ?x) { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s (COUNT(?o) AS ?c) { ?s ?p ?o }",
    "SELECT (COUNT(?o) AS ?c) { ?s ?p ?o }",
    "SELECT ?s (COUNT(?o) AS ?c) { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s { ?s ?p ?o } HAVING (COUNT(?o) > 1)",
    "SELECT (1 AS ?X) (1 AS ?X) {}",
    "SELECT ?x (1 AS ?x) { ?x ?p ?o }",
    "SELECT ?x ?x { ?x ?p ?o }",
    "SELECT (1 AS ?X) { SELECT (2 AS ?X) {} }",
    "SELECT (1 AS ?o) { ?s ?p ?o }",
    "SELECT (1 AS ?o) { ?s ?p ?x FILTER(?o) }",
    "SELECT (1 AS ?o) { ?s ?p ?x MINUS { ?o ?p ?x } }",
    "SELECT (1 AS ?o) { ?s ?p ?x OPTIONAL { ?s ?q ?o } }",
    "SELECT * { ?s ?p ?o BIND(1 AS ?o) }",
    "SELECT * { BIND(1 AS ?o) ?s ?p ?o }",
    "SELECT * { ?s ?p ?x FILTER(?o) BIND(1 AS ?o) }",
    "SELECT * { ?s ?p ?x MINUS { ?o ?p ?x } BIND(1 AS ?o) }",
    "SELECT * { ?s ?p ?x OPTIONAL { ?s ?q ?o } BIND(1 AS ?o) }",
    "SELECT * { { ?s ?p ?o } BIND(1 AS ?o) }",
    "SELECT * { { ?s ?p ?o } UNION { ?s ?q ?r } BIND(1 AS ?o) }",
    "SELECT * { GRAPH ?o { ?s ?p ?x } BIND(1 AS ?o) }",
    "SELECT * { ?s <p>/<q> ?o BIND(1 AS ?o) }",
    "SELECT * { { SELECT ?s { ?s ?p ?o } } BIND(1 AS ?o) }",
    "SELECT * { { SELECT ?o { ?s ?p ?o } } BIND(1 AS ?o) }",
    "SELECT * { { SELECT * { ?s ?p ?o } } BIND(1 AS ?o) }",
    "SELECT * { VALUES ?o { 1 } BIND(1 AS ?o) }",
    "SELECT * { BIND(2 AS ?o) BIND(1 AS ?o) }",
    "SELECT * { ?s ?p ?x . { BIND(1 AS ?s) } }",
    "SELECT * { ?s ?p ?x FILTER EXISTS { ?s ?q ?o } BIND(1 AS ?o) }",
    "SELECT * { [] ?p ?o BIND(1 AS ?o) }",
    "SELECT * { ?s ?p (?a ?o) BIND(1 AS ?o) }",
    "SELECT * { ?s ?p ?x SERVICE <http://x/> { ?o ?p ?x } BIND(1 AS ?o) }",
    "SELECT * WHERE { VALUES (?a ?b) { (1) } }",
    "SELECT * WHERE { VALUES (?a ?b) { (1 2 3) } }",
    "SELECT * WHERE { VALUES (?a ?b) { (1 UNDEF) (UNDEF 2) } }",
    "SELECT * WHERE { VALUES (?a) { (1) (2) } }",
    'SELECT * WHERE { VALUES ?a { 1 2 "abc" } }',
    "SELECT * WHERE { VALUES () { () } }",
    "SELECT * WHERE { } VALUES (?a ?b) { (1 2) (3) }",
    "SELECT ?s (SAMPLE(?o) AS ?x) { ?s ?p ?o } GROUP BY ?s",
    "SELECT (?s AS ?t) { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s { ?s ?p ?o { SELECT (COUNT(*) AS ?c) {} } } GROUP BY ?s",
    "SELECT ?c { { SELECT (COUNT(*) AS ?c) { ?s ?p ?o } } }",
    "SELECT $s { $s ?p ?o } GROUP BY ?s",
    "ASK { ?s ?p ?o BIND(1 AS ?o) }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o BIND(1 AS ?o) }",
    "SELECT * { ?s ?p ?o . BIND(1 AS ?x) BIND(2 AS ?y) }",
    "SELECT (COUNT(*) AS ?c) { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s { ?s ?p ?o } GROUP BY ?s ?p",
    "SELECT ?p { ?s ?p ?o } GROUP BY ?s ?p",
    "SELECT ?s { ?s ?p ?o } ORDER BY (COUNT(?o))",
    "SELECT ?s { ?s ?p ?o } HAVING (COUNT(?o) > 1)",
    "SELECT (COUNT(*) AS ?c) { ?s ?p ?o } HAVING (?c > 1)",
    "SELECT ?s { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(?o) > 1)",
]


def store_refuses(text: str) -> bool:
    try:
        ox.Store().query(text, base_iri="http://example.org/")
    except SyntaxError:
        return True
    except RuntimeError:  # parsed, then refused for another reason (SERVICE unreachable …)
        return False
    return False


def found(text: str) -> Problem | None:
    return scope_problem(_policy.parse(text, 10**6), text)


@pytest.mark.parametrize("text", VARIANTS)
def test_the_rules_refuse_what_the_store_refuses_and_only_that(text: str) -> None:
    assert (found(text) is not None) == store_refuses(text)


@pytest.mark.parametrize(
    ("text", "token", "english"),
    [
        (
            "SELECT * { ?s ?p ?o } GROUP BY ?s",
            "*",
            "SELECT * cannot be used with GROUP BY: name the variables to show.",
        ),
        (
            "SELECT ?s ?o { ?s ?p ?o } GROUP BY ?s",
            "?o {",
            "“?o” is shown but neither grouped (GROUP BY) nor inside an aggregate (COUNT, SUM …).",
        ),
        ("SELECT ?x (1 AS ?y) (2 AS ?x) { ?x ?p ?o }", "?x)", "“?x” is named twice in SELECT."),
        (
            "SELECT (1 AS ?o) { ?s ?p ?x OPTIONAL { ?s ?q ?o } }",
            "?o)",
            "“?o” is already bound by the query's pattern; (… AS ?o) cannot bind it again.",
        ),
        (
            "SELECT * {\n  ?s ?p ?o .\n  BIND (?s AS ?o)\n}",
            "?o)\n",
            "BIND cannot bind “?o”: it is already bound before it in the same group.",
        ),
        (
            "SELECT * { VALUES (?a ?b) { (1 2) (3) } }",
            "(3)",
            "This VALUES row has 1 value(s) for 2 variable(s).",
        ),
    ],
    ids=["star", "ungrouped", "twice", "rebound", "bind", "row"],
)
def test_each_problem_is_placed_at_its_token_and_said_in_both_languages(
    text: str, token: str, english: str
) -> None:
    problem = found(text)
    assert problem is not None and problem.offset == text.index(token) and problem.text_en == english
    assert problem.text_id and problem.text_id != problem.text_en


def test_every_rule_is_said_in_indonesian_and_english() -> None:
    for text_id, text_en in SAYS.values():
        assert text_id != text_en and text_id.count("{") == text_en.count("{")


def test_keywords_are_counted_as_the_grammar_reads_them() -> None:
    """A prefix named like a keyword, and keywords in strings and comments, are no SELECT, BIND
    or VALUES: the n-th node is still placed at the n-th keyword."""
    text = (
        'PREFIX BIND: <http://e/> SELECT * { ?s BIND:p "BIND VALUES" # SELECT BIND\n'
        "  VALUES ?z { 1 } BIND (1 AS ?z) }"
    )
    problem = found(text)
    assert store_refuses(text) and problem is not None and problem.offset == text.index("?z)")
