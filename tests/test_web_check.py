"""The editor's syntax check as you type (``_check`` and ``/sparql/check`` in ``sparql``): it
agrees with the store's parser on every W3C syntax test and reads every query of the suite the
store reads, says what the run says in the run's words and languages, is bounded, rate-limited,
cacheable, never runs the query, and answers bad input with a 4xx and a body."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import _check
from kkb_lod.web._check import Verdict, check
from kkb_lod.web._completion import prefixes
from kkb_lod.web._policy import Limits

from .test_conformance_query import SUITE, read_manifest
from .test_hardening_ratelimit import at_start_of_a_window, limited

BASE = "http://example.org/sparql"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SYNTAX_CASES = [case for folder in ("syntax-query", "syntax-fed") for case in read_manifest(SUITE / folder)]
#: W3C negative syntax tests the grammar accepts and the rules beyond it refuse (``_scope``).
BEYOND_THE_GRAMMAR = {
    "syntax-query/test_43": "SELECT * cannot be used with GROUP BY",
    "syntax-query/test_44": "“?o” is shown but neither grouped",
    "syntax-query/test_45": "“?X” is named twice in SELECT",
    "syntax-query/test_60": "BIND cannot bind “?o1”",
    "syntax-query/test_61a": "BIND cannot bind “?o1”",
    "syntax-query/test_62a": "BIND cannot bind “?Y”",
    "syntax-query/test_65": "“?X” is already bound by the query's pattern",
    "syntax-query/test_bad_values_too_few": "This VALUES row has 1 value(s) for 2 variable(s).",
    "syntax-query/test_bad_values_too_many": "This VALUES row has 3 value(s) for 2 variable(s).",
}


def store_verdict(text: str) -> str | None:
    """The store parser's message for ``text`` (as the run gives it), None if it parses."""
    try:
        ox.Store().query(text, base_iri=BASE)
    except SyntaxError as error:
        return f"Query syntax error: {error}"
    except RuntimeError:  # parsed, then refused (an unknown extension function)
        return None
    return None


def checked(text: str, lang: str = "en", known: dict[str, str] | None = None) -> Verdict:
    """The check, with every SERVICE the text names allowed (the policy is not what is compared)."""
    services = [BASE.rsplit("/", 1)[0] + "/" + s if ":" not in s else s for s in _services(text)]
    settings = Settings()
    return check(text, lang, {} if known is None else known, BASE, services, Limits.of(settings))


def _services(text: str) -> list[str]:
    return re.findall(r"SERVICE\s+(?:SILENT\s+)?<([^>]*)>", text, re.IGNORECASE)


@pytest.mark.parametrize("case", SYNTAX_CASES, ids=[case.id for case in SYNTAX_CASES])
def test_the_check_agrees_with_the_store_on_the_w3c_syntax_tests(case) -> None:  # noqa: ANN001
    text = case.query.read_text(encoding="utf-8")
    store, verdict = store_verdict(text), checked(text)
    assert (store is None) == (case.kind == "PositiveSyntaxTest11")  # the store is right
    assert verdict.ok is (store is None), (store, verdict)
    if case.id in BEYOND_THE_GRAMMAR:
        assert BEYOND_THE_GRAMMAR[case.id] in verdict.message
    if store is not None:  # said where it is, in a short sentence (never the grammar's ranges)
        assert verdict.line and verdict.column and verdict.message.startswith(f"Line {verdict.line}, ")
        assert "\\u" not in verdict.message and "..=" not in verdict.message


def test_the_w3c_syntax_tests_are_all_there() -> None:
    kinds = [case.kind for case in SYNTAX_CASES]
    assert kinds.count("PositiveSyntaxTest11") == 66 and kinds.count("NegativeSyntaxTest11") == 31
    assert set(BEYOND_THE_GRAMMAR) <= {case.id for case in SYNTAX_CASES}


def test_every_w3c_query_the_store_reads_is_read_by_the_check() -> None:
    """No false alarm: each of the suite's 300-odd queries, evaluation tests included."""
    texts = sorted(SUITE.glob("*/*.rq"))
    assert len(texts) > 250
    for path in texts:
        text = path.read_text(encoding="utf-8")
        if store_verdict(text) is None:
            assert checked(text).ok is True, path


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s nope:p ?o }",  # a prefix not declared
        "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER (?o > 3\n",  # the end reached too early
        "SELECT ?s WHERE {\n  ?s ?p ?o .\n  OPTIONAL ?s\n}",  # a word not expected, and what was
        "SELECT ?s WHERE {\n  ?s ?p ?o .\n} LIMIT x",  # a word not expected
    ],
    ids=["undeclared", "too-early", "expected", "unexpected"],
)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_check_says_what_the_run_says_in_the_pages_language(
    client: FlaskClient, text: str, lang: str
) -> None:
    """The same sentence, line and column as the page that runs the query (the store's error
    read by ``syntax_problem``), in Indonesian and in English."""
    answer = client.get("/sparql/check", query_string={"query": text, "lang": lang})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    found = answer.get_json()
    run = client.get(
        "/sparql", query_string={"query": text, "format": "html", "lang": lang}, headers={"Accept": BROWSER}
    )
    page = run.get_data(as_text=True)
    assert run.status_code == 400
    said = re.search(r'data-line="(\d+)" data-column="(\d+)">.*?<p id="problem-text">([^<]*)</p>', page, re.S)
    assert said is not None
    assert found == {"ok": False, "line": int(said[1]), "column": int(said[2]), "message": unescape(said[3])}
    assert found["message"].startswith(("Baris ", "Line ")[lang == "en"])


def unescape(html: str) -> str:
    return (
        html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )


def test_a_correct_query_is_ok_and_known_prefixes_count_as_declared(client: FlaskClient) -> None:
    """The page declares the known prefixes a query uses when it runs it; the check too."""
    for text in ("SELECT * WHERE { ?s skos:prefLabel ?o }", "ASK {}"):
        found = client.get("/sparql/check", query_string={"query": text}).get_json()
        assert found == {"ok": True, "line": None, "column": None, "message": ""}
    assert checked("SELECT * WHERE { ?s skos:prefLabel ?o }").ok is False  # not known: not declared
    assert checked("SELECT * WHERE { ?s skos:prefLabel ?o }", known=prefixes()).ok is True


def test_lines_and_columns_are_those_of_the_text_as_typed() -> None:
    """Known prefixes added before it, escapes read, CR LF line ends: the place stays the one in
    the editor."""
    text = "# a\r\nSELECT * WHERE {\r\n  ?s skos:x \\u003Fo ?p\r\n}"
    found = checked(text, known=prefixes())
    assert (found.ok, found.line, found.column) == (False, 3, 21)
    assert (
        found.message
        == "Line 3, column 21: the query cannot be read near “\\u003Fo”; expected e.g.: } { . ; ,."
    )


def test_a_query_wrong_at_its_first_character_is_marked_there() -> None:
    """A failure at offset 0 is the furthest yet of a fresh parse: the place and what the
    grammar wanted there (the query forms) are said, not a place past it."""
    found = checked("} SELECT * {}")
    assert (found.ok, found.line, found.column) == (False, 1, 1)
    assert found.message == (
        "Line 1, column 1: the query cannot be read near “}”; expected e.g.: ASK CONSTRUCT DESCRIBE SELECT."
    )


def test_the_query_is_never_run(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the check ran the query")

    monkeypatch.setattr(OxigraphStore, "query", refuse)
    monkeypatch.setattr("kkb_lod.web.sparql.run", refuse)
    text = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert client.get("/sparql/check", query_string={"query": text}).get_json()["ok"] is True


def test_a_service_the_policy_refuses_is_said_as_the_run_says_it(client: FlaskClient) -> None:
    text = "SELECT * WHERE { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }"
    found = client.get("/sparql/check", query_string={"query": text, "lang": "id"}).get_json()
    assert found["ok"] is False and found["line"] is None
    assert found["message"].startswith("SERVICE <http://elsewhere.example/sparql> tidak diizinkan")
    broken = text[:-2]  # and a syntax error comes first, with its place
    found = client.get("/sparql/check", query_string={"query": broken, "lang": "en"}).get_json()
    assert found["ok"] is False and found["line"] == 1 and "ends before it is complete" in found["message"]


def test_the_size_bound_is_a_413_with_the_runs_words(client: FlaskClient) -> None:
    text = "ASK {} #" + "x" * 70_000
    answer = client.post("/sparql/check", data={"query": text, "lang": "id"})
    assert answer.status_code == 413 and answer.get_json() == {
        "ok": False,
        "line": None,
        "column": None,
        "message": "Kueri lebih besar dari 65536 bita, batas terbesar yang diterima layanan ini "
        "(query_max_bytes).",
    }


def test_the_nesting_bounds_are_the_runs(client: FlaskClient) -> None:
    text = "ASK { " + "{ " * 70 + "}" * 70 + " }"
    found = client.get("/sparql/check", query_string={"query": text, "lang": "en"}).get_json()
    assert found["ok"] is False and "nests deeper than 64 levels" in found["message"]


def test_past_the_grammar_steps_the_check_leaves_it_to_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "SELECT * WHERE { VALUES ?x { " + " ".join(f'"v{i}"' for i in range(60)) + " } }"
    assert checked(text).ok is True
    monkeypatch.setattr(_check, "CHECK_STEPS", 500)
    for lang, words in (("en", "too long to check as you type"), ("id", "terlalu panjang untuk diperiksa")):
        found = checked(text, lang)
        assert found.ok is None and words in found.message and found.line is None


def test_too_deep_for_the_grammar_the_check_leaves_it_to_the_run() -> None:
    """Within the run's nesting bound but past the Python grammar's recursion: no crash."""
    text = "ASK { FILTER (" + "(" * 40 + "1" + ")" * 40 + ") }"
    assert store_verdict(text) is None
    found = checked(text)
    assert found.ok is None and "nests too deeply to check as you type" in found.message


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "give query="),
        ({"query": "  "}, "give query="),
        ({"query": "ASK {}", "lang": "fr"}, "lang must be"),
    ],
    ids=["none", "blank", "language"],
)
def test_bad_input_is_a_400_with_a_body(client: FlaskClient, params: dict[str, str], words: str) -> None:
    for answer in (
        client.get("/sparql/check", query_string=params),
        client.post("/sparql/check", data=params),
    ):
        assert answer.status_code == 400 and words in answer.get_data(as_text=True)


def test_get_answers_are_cacheable_and_post_answers_are_not(client: FlaskClient) -> None:
    params = {"query": "ASK {}", "lang": "en"}
    first = client.get("/sparql/check", query_string=params)
    assert (
        first.headers["ETag"]
        and "max-age" in first.headers["Cache-Control"]
        or "no-cache" in (first.headers["Cache-Control"])
    )
    again = client.get("/sparql/check", query_string=params, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/sparql/check", query_string={**params, "lang": "id"})
    assert other.headers["ETag"] != first.headers["ETag"]  # the language is part of the answer
    assert client.post("/sparql/check", data=params).headers["Cache-Control"] == "no-store"


def test_checks_are_rate_limited_like_queries(settings: Settings, store: OxigraphStore) -> None:
    client = limited(settings, store, rate_limit=2)
    at_start_of_a_window()
    answers = [client.get("/sparql/check", query_string={"query": f"ASK {{}} #{i}"}) for i in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "rate_limit" in answers[2].get_data(as_text=True) and answers[2].headers["Retry-After"]


def test_a_rule_that_cannot_read_the_tree_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules beyond the grammar are a help: one that fails on an unforeseen tree leaves the
    verdict to the grammar (and the run), never a 500."""

    def broken(*_: object) -> None:
        raise KeyError("var")

    monkeypatch.setattr(_check, "scope_problem", broken)
    assert checked("SELECT * WHERE { VALUES (?a ?b) { (1) } }").ok is True
    assert checked("SELECT * WHERE { ?s ?p }").ok is False


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_update_is_refused_as_the_run_refuses_it(client: FlaskClient, lang: str) -> None:
    text = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    found = client.get("/sparql/check", query_string={"query": text, "lang": lang}).get_json()
    run = client.post("/sparql", data={"query": text}, headers={"Accept-Language": lang})
    assert run.status_code == 403 and found["ok"] is False and found["line"] is None
    said = ("Ini titik akhir SPARQL baca-saja", "This is a read-only SPARQL endpoint")[lang == "en"]
    assert found["message"].startswith(said) and "INSERT" in found["message"]
