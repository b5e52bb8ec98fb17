"""The editor's text contract, code folding and the formatter, in Debian's Chromium.

``window.kkbEditor`` is what the other scripts read the query through (folding puts placeholders
in the textarea); the form sends ``text()``. Fixtures are test_browser's, as in
test_browser_editor.py; screenshots go to ``test-artifacts/editor-edcode-*.png``.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from kkb_lod.web._examples import EXAMPLES
from tests import test_browser as base

site, browser, page, shoot, AXE_RULES = base.site, base.browser, base.page, base.shoot, base.AXE_RULES


def test_the_editor_text_contract_and_the_form_sends_it(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    seen = page.evaluate(
        """() => {
          const seen = [];
          window.kkbEditor.onChange((text) => seen.push(text));
          window.kkbEditor.set("SELECT * WHERE {\\n  ?s ?p ?o\\n} LIMIT 2");
          return seen;
        }"""
    )
    assert seen == ["SELECT * WHERE {\n  ?s ?p ?o\n} LIMIT 2"]
    assert page.evaluate("window.kkbEditor.area === document.getElementById('query')")
    assert page.locator("#query").input_value() == seen[0]
    page.locator("#query").press("Control+Enter")
    page.wait_for_url("**/sparql?*")
    sent = parse_qs(urlsplit(page.url).query)["query"]
    assert [q.replace("\r\n", "\n") for q in sent] == [seen[0]]  # forms send CRLF


SUITE = Path(__file__).parent / "conformance" / "sparql11-query"
#: rdflib keeps a SERVICE's text to send it on: compared without its spaces.
SERVICE = re.compile(r"'service_string': '((?:[^'\\]|\\.)*)'")


def algebra(query: str) -> str | None:
    """rdflib's algebra of ``query`` as text, or None when rdflib cannot read the query. Blank
    nodes are numbered in the order they are made (rdflib draws them from uuid4, and orders
    patterns by them)."""
    serial = itertools.count()
    with mock.patch("rdflib.term.uuid4", lambda: SimpleNamespace(hex=f"{next(serial):032x}")):
        try:
            parsed = translateQuery(parseQuery(query))
        except Exception:  # noqa: BLE001 - any failure to read: compared, not raised
            return None
        text = repr((parsed.prologue.base, parsed.algebra))
    return SERVICE.sub(lambda m: re.sub(r"\s|\\n", "", m.group(1)), text)


def formatted(page: Page, queries: list[str]) -> list[list[str]]:
    """Each query formatted once and twice, by the page's own formatter."""
    return page.evaluate(
        "qs => qs.map((q) => [window.kkbFormat(q), window.kkbFormat(window.kkbFormat(q))])", queries
    )


def test_the_formatter_keeps_the_meaning_of_the_w3c_queries(page: Page, site: str) -> None:
    """Every query of the W3C SPARQL 1.1 test suite: formatted, it means what it meant (rdflib
    reads the same algebra, or fails on both), and formatting it again changes nothing."""
    files = sorted(SUITE.rglob("*.rq"))
    assert len(files) > 300
    queries = [f.read_text(encoding="utf-8") for f in files]
    page.goto(site + "/sparql?lang=en")
    read = 0
    for path, query, (once, twice) in zip(files, queries, formatted(page, queries), strict=True):
        assert twice == once, path
        before = algebra(query)
        assert algebra(once) == before, path
        read += before is not None
        lines = [line for line in once.split("\n") if line.strip()]
        assert len(lines) == len(once.split("\n")), path  # no blank line left
    assert read > 250  # most of them are read (the negative syntax tests are not)


def test_the_formatter_breaks_lines_as_yasgui_does(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    query = (
        'PREFIX kkb: <https://w3id.org/kkb/def#> select ?k (group_concat(?n; separator="; ") as ?ns) '
        "where { ?k a kkb:KKBDesignation ; rdfs:label ?n , ?m . # a comment { . ;\n"
        'OPTIONAL { ?k kkb:village ?v } FILTER (?n != "a { b . c ;") ?k kkb:x 1.5e3 . } '
        "group by ?k order by ?k limit 5"
    )
    ((once, twice),) = formatted(page, [query])
    assert once == (
        "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
        'select ?k (group_concat(?n; separator="; ") as ?ns) where {\n'
        "  ?k a kkb:KKBDesignation ;\n"
        "    rdfs:label ?n , ?m . # a comment { . ;\n"
        "  OPTIONAL {\n"
        "    ?k kkb:village ?v\n"
        "  }\n"
        '  FILTER (?n != "a { b . c ;")\n'
        "  ?k kkb:x 1.5e3 .\n"
        "}\n"
        "group by ?k\n"
        "order by ?k\n"
        "limit 5"
    )
    assert twice == once


def test_the_formatter_keeps_the_meaning_of_the_example_queries(page: Page, site: str) -> None:
    """The page's example queries, formatted: the same algebra, the same answers from the store."""
    queries = [e.text(lang) for e in EXAMPLES for lang in ("id", "en")]
    page.goto(site + "/sparql?lang=en")
    for query, (once, twice) in zip(queries, formatted(page, queries), strict=True):
        assert twice == once and once != query
        assert algebra(once) == algebra(query) is not None
