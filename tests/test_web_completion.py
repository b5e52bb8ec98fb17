"""The editor's server side: completion data and label search (``_completion`` and their routes in
``sparql``), the short reading of syntax errors, and the query page's paging and added prefixes."""

from __future__ import annotations

import html as htmllib
import json
import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import KKB, ONTOLOGY_FILE, PREFIXES
from kkb_lod.web import create_app
from kkb_lod.web._completion import COMMON_PREFIXES, MAX_HITS, MAX_SEARCH, prefixes, syntax_problem

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
THOUSANDS = (
    "SELECT ?n WHERE { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } "
    "VALUES ?c { 0 1 2 3 4 5 6 7 8 9 } VALUES ?d { 0 1 2 } "
    "BIND (?d * 1000 + ?c * 100 + ?b * 10 + ?a AS ?n) } ORDER BY ?n"
)


def page(client: FlaskClient, status: int = 200, **params: str) -> str:
    response = client.get("/sparql", query_string={"format": "html", **params}, headers={"Accept": BROWSER})
    assert response.status_code == status, response.get_data(True)[:300]
    return response.get_data(True)


def parser_message(query: str) -> str:
    """The message our endpoint passes on for ``query``, from the parser itself."""
    try:
        ox.Store().query(query)
    except SyntaxError as error:
        return f"Query syntax error: {error}"
    raise AssertionError(f"{query!r} parsed")


def test_completion_data_has_prefixes_ours_first() -> None:
    found = prefixes()
    assert list(found)[: len(PREFIXES)] == list(PREFIXES)
    assert found["sh"] == COMMON_PREFIXES["sh"] and found["wdt"] == COMMON_PREFIXES["wdt"]
    assert len(set(found.values())) == len(found)  # one name per namespace


def test_completion_data_lists_the_ontology_classes_and_properties(client: FlaskClient) -> None:
    response = client.get("/sparql/completions")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["prefixes"]["kkb"] == PREFIXES["kkb"]
    terms = {(t["kind"], t["name"]): t for t in data["terms"]}
    kkb = terms[("class", "kkb:KKBDesignation")]
    assert kkb["iri"] == str(KKB.KKBDesignation) and kkb["count"] == 15  # the VoID's partition
    assert kkb["label"]["en"] == "Quality Family Village designation" and kkb["label"]["id"]
    assert terms[("property", "kkb:village")]["count"] > 0
    assert ("property", "geo:lat") in terms  # used in the data (VoID), not in our ontology
    ontology = Graph().parse(ONTOLOGY_FILE)
    ours = {str(c) for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(KKB))}
    assert ours <= {t["iri"] for t in data["terms"] if t["kind"] == "class"}
    kinds = [t["kind"] for t in data["terms"]]
    assert kinds == sorted(kinds) and set(kinds) == {"class", "property"}  # classes first


def test_completion_data_is_cacheable_for_the_release(client: FlaskClient) -> None:
    first = client.get("/sparql/completions")
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    again = client.get("/sparql/completions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("text", ["kalah", "KALAH", "Kalahien"])
def test_label_search_finds_resources_by_the_start_of_a_label(client: FlaskClient, text: str) -> None:
    hits = client.get("/sparql/labels", query_string={"q": text}).get_json()["result"]
    assert hits[0] == {
        "name": "<https://w3id.org/kkb/id/village/62.04.06.2020>",
        "iri": "https://w3id.org/kkb/id/village/62.04.06.2020",
        "label": "Kalahien",
        "type": "kkb:Village",
    }
    # a word of a longer label counts too, after the labels that start with it
    assert "https://w3id.org/kkb/id/kkb/62.04.06.2020" in [h["iri"] for h in hits[1:]]


def test_label_search_answers_at_most_a_few(client: FlaskClient) -> None:
    hits = client.get("/sparql/labels", query_string={"q": "k"}).get_json()["result"]
    assert len(hits) == MAX_HITS and len({h["iri"] for h in hits}) == MAX_HITS
    assert client.get("/sparql/labels", query_string={"q": "zzzqqq"}).get_json() == {"result": []}


def test_label_search_without_a_release_asks_the_store(settings: Settings, store: OxigraphStore) -> None:
    """A store that may change (no release) is searched afresh, the text quoted safely."""
    client = create_app(settings, store, {}).test_client()
    hits = client.get("/sparql/labels", query_string={"q": "kalah"}).get_json()["result"]
    assert [h["label"] for h in hits] == ["Kalahien", "Quality Family Village Kalahien"]
    odd = client.get("/sparql/labels", query_string={"q": 'Kalah" ) } \\'})
    assert odd.status_code == 200 and odd.get_json() == {"result": []}


@pytest.mark.parametrize("given", [{}, {"q": "   "}, {"q": "x" * (MAX_SEARCH + 1)}])
def test_label_search_refuses_bad_input_with_a_reason(client: FlaskClient, given: dict) -> None:
    response = client.get("/sparql/labels", query_string=given)
    assert response.status_code == 400 and "start of a label" in response.get_data(True)


def test_an_undeclared_prefix() -> None:
    query = "SELECT * WHERE {\n  ?s a nope:Thing }"
    problem = syntax_problem(parser_message(query), query)
    assert problem is not None and (problem.line, problem.column) == (2, 8)  # where nope: starts
    assert (
        problem.text("en") == "Line 2, column 8: the prefix “nope:” is not declared (add PREFIX nope: <…>)."
    )
    assert problem.text("id").startswith("Baris 2, kolom 8: prefiks “nope:” belum dideklarasikan")


def test_a_query_that_ends_too_early() -> None:
    query = "SELECT * WHERE {\n  ?s ?p ?o\n"
    problem = syntax_problem(parser_message(query), query)
    assert problem is not None and problem.line == 3
    assert "ends before it is complete" in problem.text("en")
    assert "berakhir sebelum selesai" in problem.text("id")


def test_a_word_that_cannot_be_read_is_named_without_the_parsers_ranges() -> None:
    query = "SELECT ?s WHERE {\n  ?s ?p ?o .\n} ORDER ?s\nLIMIT 5"
    message = parser_message(query)
    assert "expected" in message
    problem = syntax_problem(message, query)
    assert problem is not None and (problem.line, problem.column) == (3, 11)
    assert problem.text("en") == "Line 3, column 11: the query cannot be read near “?s”; expected e.g.: BY."
    wall = "SELECT * WHERE { ?s ?p ?o . ?s ?q 'x }\nLIMIT 1"
    short = syntax_problem(parser_message(wall), wall)
    assert short is not None and "[" not in short.text("en") and "\\u" not in short.text("en")


def test_other_errors_are_not_read_as_syntax() -> None:
    assert syntax_problem("The query did not finish within 10 s", "SELECT") is None


@pytest.mark.parametrize(
    ("lang", "said"), [("id", "Baris 1, kolom 23: prefiks"), ("en", "Line 1, column 23: the prefix")]
)
def test_the_page_tells_a_syntax_error_briefly_in_its_language(
    client: FlaskClient, lang: str, said: str
) -> None:
    html = page(client, 400, query="SELECT * WHERE { ?s a nope:Thing }", lang=lang)
    assert f'<p id="problem-text">{said}' in html
    assert 'data-line="1" data-column="23"' in html
    assert 'aria-invalid="true"' in html and "problem-text" in html.split("<textarea")[1].split(">")[0]
    assert "Prefix not found" in htmllib.unescape(html)  # the parser's message, folded away


def test_the_page_declares_the_known_prefixes_a_query_lacks(client: FlaskClient) -> None:
    query = "SELECT ?k WHERE { ?k a kkb:KKBDesignation ; sh:x ?y }"  # sh: is a common one
    html = page(client, 200, query=query.replace(" ; sh:x ?y", ""))
    assert "&lt;https://w3id.org/kkb/def#&gt;\nSELECT ?k" in html and '<span class="count">15</span>' in html
    html = page(client, 200, query=query + " LIMIT 0")
    assert "PREFIX sh: &lt;http://www.w3.org/ns/shacl#&gt;" in html
    program = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert program.status_code == 400  # programs get the query as they sent it


def test_a_large_answer_is_paged_with_its_total(client: FlaskClient) -> None:
    first = page(client, query=THOUSANDS, lang="en")
    assert '<span class="count">3000</span>' in first
    assert "Rows 1–100 of" in first and '<span class="total">3000</span> (page 1/30)' in first
    assert first.count('<td data-num="') == 100
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = page(client, query=THOUSANDS, lang="en", page="2")
    assert re.search(r'<tbody>\s*<tr><td data-num="100">', second) and 'rel="prev"' in second
    last = page(client, query=THOUSANDS, lang="en", page="999")  # beyond the end: the last page
    assert "Rows 2901–3000 of" in last and 'rel="next"' not in last
    data = json.loads(htmllib.unescape(first.split('id="answer-data">')[1].split("</script>")[0]))
    assert data["columns"] == ["n"] and len(data["rows"]) == 3000  # the whole answer, for the script
    assert data["rows"][2999] == [["2999", None, "xsd:integer"]] and "xsd:integer" in data["numeric"]


def test_pages_of_an_answer_are_cached_apart(client: FlaskClient) -> None:
    one = client.get(
        "/sparql", query_string={"query": THOUSANDS, "format": "html"}, headers={"Accept": BROWSER}
    )
    two = client.get(
        "/sparql",
        query_string={"query": THOUSANDS, "format": "html", "page": "2"},
        headers={"Accept": BROWSER},
    )
    assert one.headers["ETag"] != two.headers["ETag"]


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "١"])
def test_a_bad_page_number_is_refused(client: FlaskClient, bad: str) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": THOUSANDS, "format": "html", "page": bad},
        headers={"Accept": BROWSER, "Accept-Language": "en"},
    )
    assert response.status_code == 400 and "page must be a whole number" in response.get_data(True)


# --- the table's compact/full IRI switch (iris=full) -------------------------------------------

TERMS = "SELECT ?class ?n WHERE { VALUES (?class ?n) { (<https://w3id.org/kkb/def#KKBDesignation> 7) } }"


def answer_data(html: str) -> dict:
    return json.loads(htmllib.unescape(html.split('id="answer-data">')[1].split("</script>")[0]))


def test_the_table_writes_iris_in_full_on_asking_and_links_back(client: FlaskClient) -> None:
    compact = page(client, query=TERMS, lang="en")
    assert '<a href="/def#KKBDesignation">kkb:KKBDesignation</a>' in compact
    assert "<small>xsd:integer</small>" in compact and "Show full IRIs" in compact
    full = page(client, query=TERMS, lang="en", iris="full")
    assert '<a href="/def#KKBDesignation">https://w3id.org/kkb/def#KKBDesignation</a>' in full
    assert '<td data-num="7">7 <small>http://www.w3.org/2001/XMLSchema#integer</small>' in full
    back = re.search(r'IRIs are written in full · <a href="([^"]+)">Show compact names</a>', full)
    assert back is not None and "iris=" not in back.group(1)
    assert "Tampilkan IRI lengkap" in page(client, query=TERMS, lang="id")
    data = answer_data(full)  # the script gets both, whatever the server drew
    assert data == answer_data(compact)
    assert data["rows"] == [
        [
            ["kkb:KKBDesignation", "/def#KKBDesignation", "", "https://w3id.org/kkb/def#KKBDesignation"],
            ["7", None, "xsd:integer"],
        ]
    ]
    assert data["prefixes"]["xsd"] == "http://www.w3.org/2001/XMLSchema#"


def test_paging_keeps_full_iris_and_they_are_cached_apart(client: FlaskClient) -> None:
    second = page(client, query=THOUSANDS, lang="en", iris="full", page="2")
    links = re.findall(r'<a href="([^"]+)" rel="(?:prev|next)">', second)
    assert len(links) == 2 and all("iris=full" in htmllib.unescape(link) for link in links)
    assert "page=2" in htmllib.unescape(re.search(r'<a href="([^"]+)">Show compact names', second).group(1))
    compact = page(client, query=THOUSANDS, lang="en", page="2")
    assert all("iris=" not in link for link in re.findall(r'<a href="([^"]+)" rel="(?:prev|next)">', compact))
    one, two = (
        client.get(
            "/sparql",
            query_string={"query": THOUSANDS, "format": "html", **more},
            headers={"Accept": BROWSER},
        )
        for more in ({}, {"iris": "full"})
    )
    assert one.headers["ETag"] != two.headers["ETag"]
    table = re.compile(r'<table class="results">.*?</table>', re.S)
    assert (
        table.search(page(client, query=THOUSANDS, iris="compact")).group()
        == table.search(one.get_data(True)).group()
    )


@pytest.mark.parametrize("bad", ["FULL", "yes", ""])
def test_a_bad_iris_choice_is_refused(client: FlaskClient, bad: str) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": TERMS, "format": "html", "iris": bad},
        headers={"Accept": BROWSER, "Accept-Language": "en"},
    )
    assert response.status_code == 400 and "iris must be compact or full" in response.get_data(True)
    indonesian = client.get(
        "/sparql",
        query_string={"query": TERMS, "format": "html", "iris": bad, "lang": "id"},
        headers={"Accept": BROWSER},
    )
    assert indonesian.status_code == 400 and "iris harus compact atau full" in indonesian.get_data(True)


def test_the_table_compacts_by_the_query_s_own_prefixes(client: FlaskClient) -> None:
    query = "PREFIX ex: <http://example.org/ns#>\nSELECT ?x WHERE { VALUES ?x { ex:thing } }"
    compact = page(client, query=query, lang="en")
    assert '<a href="http://example.org/ns#thing">ex:thing</a>' in compact
    assert answer_data(compact)["rows"] == [
        [["ex:thing", "http://example.org/ns#thing", "", "http://example.org/ns#thing"]]
    ]
    full = page(client, query=query, lang="en", iris="full")
    assert '<a href="http://example.org/ns#thing">http://example.org/ns#thing</a>' in full
