"""The query editor in a real browser (Debian's Chromium, Playwright), against a real server:
completion, prefix insertion, syntax errors marked, paging, sorting, charts, the map view,
``#defaultView``, the address that reproduces what is shown, and axe-core.

Fixtures and helpers are test_browser's (the server over the session build; any console error or
request to another host fails a test). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests import test_browser as base

site, browser, page, shoot, AXE_RULES = base.site, base.browser, base.page, base.shoot, base.AXE_RULES

KKB = "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
#: 3,000 rows made by VALUES: a large answer without a large store.
THOUSANDS = (
    "SELECT ?n ?label WHERE {\n"
    "  VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 }\n"
    "  VALUES ?c { 0 1 2 3 4 5 6 7 8 9 } VALUES ?d { 0 1 2 }\n"
    '  BIND (?d * 1000 + ?c * 100 + ?b * 10 + ?a AS ?n) BIND (CONCAT("row ", STR(?n)) AS ?label)\n'
    "} ORDER BY ?n"
)
VILLAGES = (
    "SELECT ?village ?name ?lat ?long WHERE {\n"
    "  ?k a kkb:KKBDesignation ; kkb:village ?village .\n"
    '  ?village rdfs:label ?name ; geo:lat ?lat ; geo:long ?long FILTER (lang(?name) = "id")\n'
    "}"
)


def url(site: str, query: str, **more: str) -> str:
    return f"{site}/sparql?{urlencode({'query': query, 'format': 'html', **more})}"


def options(page: Page) -> list[str]:
    page.locator("#completions li").first.wait_for()
    return page.locator("#completions li .name").all_inner_texts()


def test_completes_prefixes_classes_properties_and_labels(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill("SELECT * WHERE {\n  ?k a ")
    editor.press("End")
    page.keyboard.type("kkb:")  # the colon declares kkb:
    page.wait_for_function(
        "() => document.getElementById('editor-status').textContent.includes('PREFIX kkb: added')"
    )
    page.keyboard.type("KKB")  # and its classes are listed
    assert "kkb:KKBDesignation" in options(page)
    assert "class" in page.locator("#completions li").first.inner_text()
    assert editor.get_attribute("aria-activedescendant") == "completion-0"
    shoot(page, "editor-completion-class")
    page.keyboard.press("Enter")
    value = editor.input_value()
    assert value.startswith("PREFIX kkb: <https://w3id.org/kkb/def#>\nSELECT")
    assert value.endswith("?k a kkb:KKBDesignation") and value.count("PREFIX kkb:") == 1
    page.keyboard.type(" ;\n    kkb:vil")
    assert options(page)[0] == "kkb:village"
    page.keyboard.press("Tab")
    assert editor.input_value().endswith("kkb:village")
    page.keyboard.type(" <Kalah")  # a resource by its label, from this server
    found = options(page)
    assert "Kalahien — <https://w3id.org/kkb/id/village/62.04.06.2020>" in found
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    chosen = page.locator('#completions li[aria-selected="true"] .name').inner_text()
    page.keyboard.press("Enter")
    assert editor.input_value().endswith(chosen.split(" — ")[1])
    page.keyboard.type(" .\n  ?k rdfs:label ?l .\n  ?l sk")  # a bare word: Ctrl+Space lists prefixes
    page.keyboard.press("Control+Space")
    assert "skos:" in options(page)
    page.locator("#completions li", has_text="skos:").first.click()
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in editor.input_value()
    assert editor.input_value().count("PREFIX skos:") == 1
    page.keyboard.press("Escape")
    assert page.locator("#completions").is_hidden()


def test_variables_complete_and_ctrl_slash_comments_lines(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill("SELECT ?village ?name WHERE {\n  ?village rdfs:label ?name .\n")
    editor.press("Control+End")
    page.keyboard.type("  ?vi")
    assert options(page) == ["?village"]
    page.keyboard.press("Enter")
    assert editor.input_value().endswith("\n  ?village")
    page.keyboard.press("Control+/")
    assert editor.input_value().endswith("\n#   ?village")
    page.keyboard.press("Control+/")
    assert editor.input_value().endswith("\n  ?village")


def test_new_lines_keep_the_indentation_and_brackets_show_their_match(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill("")
    page.keyboard.type('SELECT * WHERE {\n?s ?p "(" .\nFILTER (?s)\n}')
    assert editor.input_value() == 'SELECT * WHERE {\n  ?s ?p "(" .\n  FILTER (?s)\n}'
    page.wait_for_function("() => document.querySelectorAll('.editor pre .match').length === 2")
    assert page.locator(".editor pre .match").all_inner_texts() == ["{", "}"]
    editor.press("ArrowUp")  # beside FILTER's closing bracket: "(" in the string does not count
    editor.press("End")
    page.wait_for_function("() => document.querySelector('.editor pre .match').textContent === '('")
    assert page.locator(".editor pre .match").all_inner_texts() == ["(", ")"]


def test_shift_ctrl_f_reindents_the_query(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill('SELECT * WHERE {\n?s ?p ?o .\n      OPTIONAL {\n?s ?q "{" # {\n}\n}')
    editor.press("Control+Shift+F")
    assert editor.input_value() == 'SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL {\n    ?s ?q "{" # {\n  }\n}'
    assert page.locator("#editor-status").inner_text() == "Query formatted"


def test_a_prefix_line_completes_its_namespace(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=id")
    editor = page.locator("#query")
    editor.fill("")
    page.keyboard.type("PREFIX geosp")
    assert options(page) == ["geosparql:"]
    page.keyboard.press("Enter")
    assert editor.input_value() == "PREFIX geosparql: <http://www.opengis.net/ont/geosparql#>"
    assert "PREFIX" not in page.locator("#editor-status").inner_text()  # declared, not added


def test_an_undeclared_prefix_is_declared_by_the_server_too(page: Page, site: str) -> None:
    """Without the script's help (pasted text), the page declares the known prefixes it lacks."""
    page.goto(url(site, "SELECT ?k WHERE { ?k a kkb:KKBDesignation }", lang="en"))
    assert page.locator("section.answer .total, section.answer .count").first.inner_text() == "15"
    assert page.locator("#query").input_value().startswith("PREFIX kkb: <https://w3id.org/kkb/def#>\n")


@contextmanager
def error_page(browser: Browser) -> Iterator[Page]:
    """A page for answers with an error status (Chromium logs the status itself as an error)."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("id", "Baris 4, kolom 11: kueri tidak dapat dibaca di dekat “?s”; yang diharapkan misalnya: BY."),
        ("en", "Line 4, column 11: the query cannot be read near “?s”; expected e.g.: BY."),
    ],
)
def test_a_syntax_error_is_marked_at_its_line_with_a_short_message(
    browser: Browser, site: str, lang: str, said: str
) -> None:
    with error_page(browser) as page:
        marked_in_the_editor(page, site, lang, said)


def marked_in_the_editor(page: Page, site: str, lang: str, said: str) -> None:
    response = page.goto(url(site, KKB + "SELECT ?s WHERE {\n  ?s ?p ?o .\n} ORDER ?s\nLIMIT 5", lang=lang))
    assert response is not None and response.status == 400
    assert page.locator("#problem-text").inner_text() == said
    assert "[_]" not in page.locator("#problem-text").inner_text()  # not the parser's wall
    editor = page.locator("#query")
    assert editor.get_attribute("aria-invalid") == "true"
    mark = page.locator(".editor .error-mark")
    assert mark.get_attribute("data-line") == "4" and mark.get_attribute("data-column") == "11"
    top = page.evaluate(
        """() => {
          const area = document.getElementById('query'), mark = document.querySelector('.error-mark');
          const style = getComputedStyle(area);
          return [mark.getBoundingClientRect().top - area.getBoundingClientRect().top,
                  parseFloat(style.paddingTop), parseFloat(style.lineHeight)];
        }"""
    )
    offset, padding, line = top
    assert abs(offset - (padding + 3 * line)) < line / 2  # on the fourth line
    numbers = page.locator(".editor .gutter span")
    assert numbers.all_text_contents() == ["1", "2", "3", "4", "5"]  # numbered as the message says
    assert abs(numbers.nth(3).bounding_box()["y"] - mark.bounding_box()["y"]) < line / 2
    shoot(page, f"editor-error-{lang}")
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]
    editor.press("Control+End")
    page.keyboard.type(" ")
    assert mark.count() == 0  # edited: the mark no longer applies


def test_quick_checks_as_you_type_mark_brackets_and_prefixes(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor, status, mark = page.locator("#query"), page.locator("#editor-status"), page.locator(".error-mark")
    editor.fill("")
    page.keyboard.type("SELECT * WHERE { ?s ?p ?o ) }")
    page.wait_for_function("() => document.querySelector('.error-mark.live')")
    assert status.inner_text() == "Line 1, column 27: “)” does not close “{”"
    assert (mark.get_attribute("data-line"), mark.get_attribute("data-column")) == ("1", "27")
    assert editor.get_attribute("aria-invalid") == "true"
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.wait_for_function(
        "() => document.getElementById('editor-status').textContent.includes('not closed')"
    )
    assert status.inner_text() == "Line 1, column 16: “{” is not closed"
    page.keyboard.type("}")
    page.wait_for_function("() => !document.getElementById('query').hasAttribute('aria-invalid')")
    assert mark.count() == 0 and status.inner_text() == ""
    page.keyboard.type("\n# ?s nope:x")  # in a comment: nothing to say
    page.keyboard.press("Control+/")
    page.wait_for_function("() => document.getElementById('editor-status').textContent.includes('nope')")
    assert status.inner_text() == "Line 2, column 4: the prefix “nope:” is not declared"


def test_an_undeclared_unknown_prefix_is_named(browser: Browser, site: str) -> None:
    with error_page(browser) as page:
        page.goto(url(site, "SELECT * WHERE { ?s a nope:Thing }", lang="en"))
        assert page.locator("#problem-text").inner_text() == (
            "Line 1, column 23: the prefix “nope:” is not declared (add PREFIX nope: <…>)."
        )
        assert page.locator(".error-mark").get_attribute("data-column") == "23"


def test_paging_through_a_large_answer_with_the_total(page: Page, site: str) -> None:
    page.goto(url(site, THOUSANDS, lang="en"))
    nav = page.locator("#result-view nav.pager")
    assert nav.locator(".total").inner_text() == "3,000"
    assert "Rows 1–100 of 3,000" in nav.inner_text()
    assert page.locator("#result-view tbody tr").count() == 100
    page.get_by_role("button", name="Next ›").click()
    assert "Rows 101–200 of 3,000" in nav.inner_text()
    assert page.locator("#result-view tbody tr td").first.get_attribute("data-num") == "100"
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    assert page.evaluate("document.activeElement.id") == "page-next"  # the keyboard stays put
    page.locator("#page-number").fill("30")
    page.locator("#page-number").press("Enter")
    assert "Rows 2901–3000 of 3,000" in nav.inner_text()
    assert page.get_by_role("button", name="Next ›").is_disabled()
    page.locator("#page-size").select_option("500")
    assert "Rows 2501–3000 of 3,000" in nav.inner_text()
    page.locator("#result-filter").fill("row 299")  # row 299, rows 2990 to 2999
    assert nav.locator(".total").inner_text() == "11" and "(of 3,000 in all)" in nav.inner_text()
    assert page.locator("#result-view tbody tr").count() == 11
    assert parse_qs(urlsplit(page.url).query)["filter"] == ["row 299"]
    shoot(page, "editor-paged")
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]


def test_without_javascript_the_server_pages_the_answer(browser: Browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url(site, THOUSANDS, lang="en"))
    assert "Rows 1–100 of 3000 (page 1/30)" in page.locator("nav.pager").inner_text()
    assert page.locator("table.results tbody tr").count() == 100
    page.get_by_role("link", name="Next ›").click()
    page.wait_for_url("**page=2**")
    assert page.locator("table.results tbody tr td").first.get_attribute("data-num") == "100"
    context.close()


def test_sorting_orders_the_whole_answer(page: Page, site: str) -> None:
    page.goto(url(site, THOUSANDS, lang="en"))
    header = page.locator("#result-view th").first
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    header.get_by_role("button").press("Enter")  # the keyboard sorts too (focus kept)
    assert header.get_attribute("aria-sort") == "descending"
    assert (
        page.locator("#result-view tbody tr td").first.get_attribute("data-num") == "2999"
    )  # not this page's
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["-n"]
    label = page.locator("#result-view th").nth(1)
    label.get_by_role("button").click()
    cells = page.locator("#result-view tbody tr td:nth-child(2)").all_inner_texts()
    assert cells[:3] == ["row 0", "row 1", "row 2"]  # numbers in text compared as numbers


def test_the_reader_chooses_the_chart_columns(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    page.locator("#examples").get_by_role("link", name="Guidance activities per year").click()
    page.wait_for_selector("#result-view")
    rows = page.locator("#result-view tbody tr").count()
    page.locator(".views").get_by_role("button", name="Bar chart").click()
    assert page.locator(".views button[aria-pressed=true]").inner_text() == "Bar chart"
    assert page.locator("#chart-y-2").is_checked() and not page.locator("#chart-y-3").is_checked()
    page.locator("#chart-x").select_option(label="status")
    page.locator("#chart-y-3").check()  # kkbGuided beside activities
    page.locator("#chart-y-2").uncheck()
    bars = page.locator("svg.chart rect.bar")
    assert bars.count() == rows
    assert all("kkbGuided" in t for t in page.locator("svg.chart rect.bar title").all_text_contents())
    assert page.locator("svg.chart text.name").first.text_content() in ("Carried out", "Planned")
    query = parse_qs(urlsplit(page.url).query)
    assert query["view"] == ["BarChart"] and query["x"] == ["status"] and query["y"] == ["kkbGuided"]
    shoot(page, "editor-bar-chart")
    page.locator(".views").get_by_role("button", name="Line chart").click()
    page.locator("#chart-y-2").check()
    assert page.locator("svg.chart polyline.line").count() == 2
    assert page.locator("svg.chart circle.dot").count() == 2 * rows
    shoot(page, "editor-line-chart")
    page.locator(".views").get_by_role("button", name="Raw response").click()
    page.locator("#response-format").select_option("CSV")
    page.wait_for_function("() => document.querySelector('pre.raw').textContent.startsWith('year,status')")
    assert len(page.locator("pre.raw").inner_text().strip().splitlines()) == rows + 1
    assert parse_qs(urlsplit(page.url).query)["fmt"] == ["CSV"]
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]


def test_an_answer_with_coordinates_is_a_map(page: Page, site: str) -> None:
    page.goto(url(site, VILLAGES, lang="en"))
    assert page.locator("#result-view").get_attribute("data-view") == "Map"
    assert page.locator("svg.map circle.place").count() == 15
    titles = page.locator("svg.map circle.place title").all_text_contents()
    assert "Kalahien" in titles
    assert page.locator("svg.map a").first.get_attribute("href").startswith("/id/village/62.04.")
    shoot(page, "editor-map")
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]


def test_wkt_geometries_are_drawn(page: Page, site: str) -> None:
    wkt = "<http://www.opengis.net/ont/geosparql#wktLiteral>"
    query = (
        "SELECT ?name ?shape WHERE { VALUES (?name ?shape) {\n"
        f'  ("a point" "POINT(114.8 -1.7)"^^{wkt})\n'
        f'  ("an area" "POLYGON((114.7 -1.6, 114.9 -1.6, 114.9 -1.8, 114.7 -1.8, 114.7 -1.6), '
        f'(114.75 -1.65, 114.85 -1.65, 114.85 -1.75, 114.75 -1.65))"^^{wkt})\n'
        "} }"
    )
    page.goto(url(site, query, lang="en"))
    assert page.locator("#result-view").get_attribute("data-view") == "Map"
    assert page.locator("svg.map circle.place").count() == 1
    assert page.locator("svg.map path.area").count() == 1
    assert page.locator("svg.map path.area title").text_content() == "an area"
    assert page.locator("svg.map path.area").get_attribute("d").count("M") == 2  # the hole kept
    assert page.locator("svg.map text.name").all_text_contents() == ["an area", "a point"]  # as text too


@pytest.mark.parametrize(
    ("view", "drawn"), [("BarChart", "svg.chart rect.bar"), ("Table", "#result-view table")]
)
def test_default_view_comment_chooses_the_view(page: Page, site: str, view: str, drawn: str) -> None:
    page.goto(url(site, f"#defaultView:{view}\n" + KKB + VILLAGES, lang="en"))
    assert page.locator("#result-view").get_attribute("data-view") == view
    assert page.locator(drawn).count() > 0
    assert page.locator(".views").get_by_role("button", name="Map").count() == 1  # still offered


def test_the_address_reproduces_query_view_and_page(page: Page, site: str) -> None:
    page.goto(url(site, THOUSANDS, lang="en"))
    page.get_by_role("button", name="Next ›").click()
    page.get_by_role("button", name="Next ›").click()
    page.locator(".views").get_by_role("button", name="Line chart").click()
    page.locator(".views").get_by_role("button", name="Table").click()
    shared = page.url
    assert {"query", "view", "page"} <= set(parse_qs(urlsplit(shared).query))
    page.goto(site + "/")
    page.goto(shared)
    assert "Rows 201–300 of 3,000" in page.locator("#result-view nav.pager").inner_text()
    assert page.locator("#query").input_value().endswith("} ORDER BY ?n")
    chart = shared.replace("view=Table", "view=LineChart")
    page.goto(chart)
    assert page.locator("#result-view").get_attribute("data-view") == "LineChart"
    page.locator("nav.top").get_by_role("link", name="Bahasa Indonesia").click()  # keeps the view
    page.wait_for_function("() => document.documentElement.lang === 'id'")
    assert page.locator("#result-view").get_attribute("data-view") == "LineChart"
    assert page.locator(".views button[aria-pressed=true]").inner_text() == "Grafik garis"


@pytest.mark.parametrize("query", [KKB + VILLAGES, THOUSANDS], ids=["map", "paged-table"])
def test_the_editor_and_its_popup_are_accessible_and_fit_a_phone(
    browser: Browser, site: str, query: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    page = context.new_page()
    page.goto(url(site, query, lang="id"))
    page.locator("#query").press("Control+End")
    page.keyboard.type("\n# kkb:Vil")
    page.locator("#completions li").first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, "editor-phone-" + ("map" if "geo:" in query else "table"))
    results = Axe().run(page, options=AXE_RULES)
    context.close()
    assert overflow <= 0, f"the query page scrolls sideways by {overflow}px on a phone"
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]
