"""The editor's text contract, code folding and the formatter, in Debian's Chromium.

``window.kkbEditor`` is what the other scripts read the query through (folding puts placeholders
in the textarea); the form sends ``text()``. Fixtures are test_browser's, as in
test_browser_editor.py; screenshots go to ``test-artifacts/editor-edcode-*.png``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from pyoxigraph import QueryBoolean, QuerySolution
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from kkb_lod.store import OxigraphStore
from kkb_lod.web._examples import EXAMPLES
from tests import test_browser as base
from tests.test_browser_people import CROWDED

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


def answers(store: OxigraphStore, query: str) -> object:
    """The store's answer to ``query``: a boolean, or its rows or triples as a multiset (blank
    nodes unnamed)."""
    result = store.query(query)
    if isinstance(result, QueryBoolean):
        return bool(result)
    return Counter(
        re.sub(r"_:\w+", "_:", repr(list(item) if isinstance(item, QuerySolution) else item))
        for item in result
    )


def test_the_formatter_keeps_the_meaning_of_the_example_queries(
    page: Page, site: str, store: OxigraphStore
) -> None:
    """The page's example queries, formatted: the same algebra, the same answers from the store
    (the federated one, whose SERVICE would leave this machine, by its algebra only)."""
    queries = [e.text(lang) for e in EXAMPLES for lang in ("id", "en")]
    page.goto(site + "/sparql?lang=en")
    run = 0
    for query, (once, twice) in zip(queries, formatted(page, queries), strict=True):
        assert twice == once and once != query
        assert algebra(once) == algebra(query) is not None
        if "SERVICE" not in query:
            before = answers(store, query)
            assert answers(store, once) == before and before
            run += 1
    assert run >= len(queries) - 2


NESTED = (
    "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
    "SELECT ?k ?village WHERE {\n"
    "  ?k a kkb:KKBDesignation .\n"
    "  OPTIONAL {\n"
    "    ?k kkb:village ?village .\n"
    '    FILTER (STR(?village) != "}")\n'
    "  }\n"
    "}\n"
    "LIMIT 3"
)


def text(page: Page) -> str:
    return str(page.evaluate("window.kkbEditor.text()"))


def numbers(page: Page) -> list[str]:
    return page.locator(".editor .gutter span").all_inner_texts()


def test_folding_by_keys_and_toggles_keeps_the_query_whole(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill(NESTED)
    toggles = page.locator(".editor .folds button")
    assert [t.get_attribute("aria-label") for t in toggles.all()] == ["Fold line 2", "Fold line 4"]
    assert all(t.get_attribute("aria-expanded") == "true" for t in toggles.all())
    box = toggles.first.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
    editor.press("Control+Home")
    for _ in range(4):
        editor.press("ArrowDown")  # into the OPTIONAL block
    editor.press("Control+Shift+BracketLeft")
    value = editor.input_value()
    assert value.count("\n") == 5 and "OPTIONAL {\ue001}" in value.replace("\ue000", "\ue001")
    assert text(page) == NESTED
    assert numbers(page) == ["1", "2", "3", "4", "8", "9"]  # lines 5-7 are in the fold
    assert page.locator("#editor-status").inner_text() == "Lines 4–7 folded"
    assert page.locator(".editor pre .fold-mark").count() == 1
    folded = page.locator('.editor .folds button[aria-expanded="false"]')
    assert folded.get_attribute("aria-label") == "Unfold line 4 (4 lines)"
    shoot(page, "editor-edcode-folded")
    editor.press("Control+Shift+BracketRight")  # the caret's line: unfolded
    assert editor.input_value() == NESTED and text(page) == NESTED
    page.get_by_role("button", name="Fold all", exact=True).click()
    assert editor.input_value().count("\n") == 2 and text(page) == NESTED
    assert numbers(page) == ["1", "2", "9"]
    page.locator('.editor .folds button[aria-expanded="false"]').click()  # the outer one opens,
    assert page.locator('.editor .folds button[aria-expanded="false"]').get_attribute("aria-label") == (
        "Unfold line 4 (4 lines)"  # the inner one stays folded
    )
    assert page.evaluate("document.activeElement.dataset.line") == "1"  # focus stays on its toggle
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # a toggle works from the keyboard
    assert editor.input_value() == NESTED
    page.get_by_role("button", name="Fold all", exact=True).click()
    editor.press("Control+Enter")  # the run sends the whole query
    page.wait_for_url("**/sparql?*")
    sent = parse_qs(urlsplit(page.url).query)["query"]
    assert [q.replace("\r\n", "\n") for q in sent] == [NESTED]
    assert page.locator("table.results tbody tr").count() == 3


def test_undo_edits_and_copy_around_a_fold(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill(NESTED)
    page.get_by_role("button", name="Fold all", exact=True).click()
    folded = editor.input_value()
    editor.focus()
    page.keyboard.press("Control+z")  # folding is one edit: undone, the text is back
    assert editor.input_value() == NESTED
    page.keyboard.press("Control+Shift+z")
    assert editor.input_value() == folded and text(page) == NESTED
    copied = page.evaluate(
        """() => {
          const area = window.kkbEditor.area, data = new DataTransfer();
          area.setSelectionRange(0, area.value.length);
          area.dispatchEvent(new ClipboardEvent("copy", { clipboardData: data, cancelable: true }));
          return data.getData("text/plain");
        }"""
    )
    assert copied == NESTED
    at = folded.index("{") + 2  # just after the outer placeholder
    page.evaluate(f"window.kkbEditor.area.setSelectionRange({at}, {at})")
    page.keyboard.press("Backspace")  # deleting a placeholder unfolds it instead
    assert text(page) == NESTED and "OPTIONAL {" in editor.input_value()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# ?vil")  # completion sees the variables in folded text
    page.get_by_role("button", name="Fold all", exact=True).click()
    editor.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type("l")
    assert page.locator("#completions li .name").all_inner_texts() == ["?village"]


def test_the_quick_checks_read_inside_folds(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill(NESTED.replace("?k kkb:village", "?k nope:village"))
    page.get_by_role("button", name="Fold all", exact=True).click()
    page.wait_for_function("() => document.getElementById('editor-status').textContent.includes('nope')")
    assert (
        page.locator("#editor-status").inner_text() == "Line 5, column 8: the prefix “nope:” is not declared"
    )
    assert page.locator(".editor .error-mark").count() == 1


def test_folded_editor_is_accessible_at_1280_and_360(browser: Browser, site: str) -> None:
    """axe-core (WCAG 2.1 A/AA, best practices, WCAG 2.2 AA) finds nothing with the editor folded;
    no sideways scroll at 360 px; every toggle a 24 px target."""
    for width in (1280, 360):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
        page = context.new_page()
        page.goto(site + "/sparql")
        page.locator("#query").fill(NESTED)
        page.locator("#query").press("Control+Home")
        page.locator("#query").press("Control+Alt+BracketLeft")  # fold all, by keys
        assert text(page) == NESTED and page.locator(".editor pre .fold-mark").count() == 1
        assert page.locator(".editor .folds button").first.get_attribute("aria-label") == (
            "Buka lipatan baris 2 (7 baris)"
        )
        rules = {"runOnly": {"type": "tag", "values": [*AXE_RULES["runOnly"]["values"], "wcag22aa"]}}
        results = Axe().run(page, options=rules)
        assert results.violations_count == 0, results.generate_snapshot()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.evaluate(CROWDED) == []  # tap targets of 24 px, or spaced
        shoot(page, f"editor-edcode-folded-{width}")
        context.close()


def test_a_click_on_a_placeholder_comments_and_formatting_unfold(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill(NESTED)
    page.get_by_role("button", name="Fold all", exact=True).click()
    editor.scroll_into_view_if_needed()  # the button below it may have scrolled it out of view
    mark = page.locator(".editor pre .fold-mark").bounding_box()
    assert mark is not None and mark["width"] > 4
    page.mouse.click(mark["x"] + mark["width"] / 2, mark["y"] + mark["height"] / 2)
    assert editor.input_value().count("\ue000") + editor.input_value().count("\ue001") == 1  # the inner one
    assert text(page) == NESTED
    editor.press("Control+End")
    editor.press("Control+Shift+BracketRight")  # the last line has no fold: nothing happens
    assert "OPTIONAL {}" not in editor.input_value() and text(page) == NESTED
    line = (
        editor.input_value()
        .split("\n")
        .index("  OPTIONAL {" + editor.input_value().split("OPTIONAL {")[1][0] + "}")
    )
    start = sum(len(x) + 1 for x in editor.input_value().split("\n")[:line])
    page.evaluate(f"window.kkbEditor.area.setSelectionRange({start}, {start})")
    editor.press("Control+/")  # a folded line commented out: all its lines are
    assert text(page) == NESTED.replace("  OPTIONAL {\n", "#   OPTIONAL {\n").replace(
        "\n    ?k kkb", "\n#     ?k kkb"
    ).replace("\n    FILTER", "\n#     FILTER").replace("\n  }\n}", "\n#   }\n}")
    editor.fill(NESTED.replace("\n  ", " ").replace("\n    ", " "))
    page.get_by_role("button", name="Fold all", exact=True).click()
    editor.press("Control+Shift+F")  # the whole query is formatted, its folds open
    assert text(page) == editor.input_value() == NESTED
    assert page.locator("#editor-status").inner_text() == "Query formatted"
    editor.press("Control+z")
    assert text(page) == NESTED.replace("\n  ", " ").replace("\n    ", " ")


def test_the_toggles_are_reached_by_tab_and_moved_through_by_arrows(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill(NESTED)
    editor.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Fold line 2"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Fold line 4"
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Unfold line 4 (4 lines)"
    assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "false"
    assert page.locator(".editor .folds button[tabindex='0']").count() == 1
    page.keyboard.press("Tab")  # one stop for all the toggles: on to the next control
    assert page.evaluate("document.activeElement.textContent") == "Fold all"


def test_the_formatter_keeps_tricky_tokens_whole(page: Page, site: str) -> None:
    """Numbers with dots, names with escaped or inner dots and semicolons, long strings with
    blank lines and braces, comments with quotes: copied whole, the algebra unchanged."""
    page.goto(site + "/sparql?lang=en")
    query = (
        "PREFIX ex: <http://example.org/a;b#> BASE <http://example.org/> "
        "SELECT * WHERE { ?s ex:a\\.b\\;c 1.e5 ; ex:a.b .5 , 2. ?s ex:p '''x\n\n{ . ; }\n''' . "
        '# a "comment { ;\n'
        '?s <p> "y"@en-GB FILTER (?s<?o) }'
    )
    ((once, twice),) = formatted(page, [query])
    assert twice == once and algebra(once) == algebra(query) is not None
    assert "ex:a\\.b\\;c 1.e5 ;\n" in once and "ex:a.b .5 , 2.\n" in once
    assert "'''x\n\n{ . ; }\n''' . # a \"comment { ;\n  ?s <p>" in once  # the comment stays on its line


def test_prefix_lines_fold_as_one_block(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    query = (
        "PREFIX kkb: <https://w3id.org/kkb/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "prefix skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT * WHERE { ?s rdfs:label ?l } LIMIT 1"
    )
    editor.fill(query)
    toggle = page.locator(".editor .folds button").first
    assert toggle.get_attribute("aria-label") == "Fold line 1"
    toggle.click()
    assert editor.input_value().split("\n")[1:] == ["SELECT * WHERE { ?s rdfs:label ?l } LIMIT 1"]
    assert editor.input_value().startswith("PREFIX kkb: <https://w3id.org/kkb/def#>\ue000")
    assert numbers(page) == ["1", "4"] and text(page) == query
    assert toggle.get_attribute("aria-label") == "Unfold line 1 (3 lines)"
    at = len("PREFIX kkb: <https://w3id.org/kkb/def#>") + 1  # after the placeholder
    page.evaluate(
        f"(() => {{ const a = window.kkbEditor.area; a.focus(); a.setSelectionRange({at}, {at}); }})()"
    )
    page.keyboard.type("x")  # typing at a fold's end leaves it folded, the text after it
    assert text(page) == query.replace("core#>\n", "core#>x\n")
