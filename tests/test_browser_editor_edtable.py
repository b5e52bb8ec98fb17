"""The query page's answer table in Chromium: the compact/full IRI switch (kept in the address,
and in the server's table without JavaScript), long cells cut and shown whole, and column widths
set by dragging and by the keyboard, kept across paging, sorting and a reload (``table.js``).

Fixtures and helpers are test_browser's (any console error or request to another host fails a
test); axe-core in each state at 1280 and 360 px. Screenshots: ``test-artifacts/editor-edtable-*``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page

from tests import test_browser as base
from tests.test_browser_editor import THOUSANDS, url

site, browser, page, shoot, AXE_RULES = base.site, base.browser, base.page, base.shoot, base.AXE_RULES

KKB_DEF = "https://w3id.org/kkb/def#"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: A compact class, one of our resources (never compact), a typed number, a language literal.
TERMS = (
    "SELECT ?class ?place ?n ?name WHERE { VALUES (?class ?place ?n ?name) {\n"
    f'  (<{KKB_DEF}KKBDesignation> <https://w3id.org/kkb/id/village/62.04.06.2020> 7 "Kalahien"@id)\n'
    "} }"
)
LONG_TEXT = " ".join(f"kata{i}" for i in range(150))  # 1,039 characters
LONG = f'SELECT ?short ?long WHERE {{ VALUES (?short ?long) {{ ("pendek" "{LONG_TEXT}") }} }}'
WIDTHS = [(1280, 900), (360, 740)]


def audited(page: Page, name: str) -> None:
    """Zero axe-core violations, and no sideways scroll of the page on a phone; a screenshot."""
    shoot(page, f"editor-edtable-{name}")
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, [
        (v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]
    ]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px ({name})"


def row(page: Page) -> list[str]:
    """The first row's cells as read (the text and its note; a cut cell's "more" button left out)."""
    return (
        page.locator("#result-view tbody tr")
        .first.locator("td")
        .evaluate_all(
            """cells => cells.map((td) => [...td.childNodes].filter((n) => !n.matches || !n.matches('button'))
             .map((n) => n.textContent).join('').replace(/\\s+/g, ' ').trim())"""
        )
    )


def address(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop", "phone"])
def test_the_switch_shows_full_iris_and_back_and_survives_a_reload(
    browser: Browser, site: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.goto(url(site, TERMS, lang="en"))
    switch = page.locator("#iri-switch")
    assert switch.inner_text() == "Full IRIs" and switch.get_attribute("aria-pressed") == "false"
    compact = [
        "kkb:KKBDesignation",
        "https://w3id.org/kkb/id/village/62.04.06.2020",
        "7 xsd:integer",
        "Kalahien @id",
    ]
    assert row(page) == compact
    if width > 1000:  # our village's IRI is long enough to be cut, but fits in three lines here
        more = page.locator("#result-view tbody button.more")
        assert more.count() == 1 and more.is_hidden()
    audited(page, f"compact-{width}")
    switch.click()
    full = [f"{KKB_DEF}KKBDesignation", compact[1], f"7 {XSD}integer", "Kalahien @id"]
    assert row(page) == full and switch.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.id") == "iri-switch"  # the keyboard stays put
    assert address(page)["iris"] == ["full"]
    link = page.locator("#result-view tbody a").first
    assert link.get_attribute("href") == "/def#KKBDesignation"  # still our page of the class
    audited(page, f"full-{width}")
    page.reload()
    assert row(page) == full and page.locator("#iri-switch").get_attribute("aria-pressed") == "true"
    page.locator("nav.top").get_by_role("link", name="Bahasa Indonesia").click()  # kept in the language link
    page.wait_for_function("() => document.documentElement.lang === 'id'")
    assert page.locator("#iri-switch").inner_text() == "IRI lengkap" and row(page) == full
    page.locator("#query").fill(TERMS + " LIMIT 1")  # the next query run keeps the choice
    with page.expect_navigation():
        page.locator("#query").press("Control+Enter")
    assert address(page)["query"][0].endswith("LIMIT 1") and address(page)["iris"] == ["full"]
    assert row(page) == full
    page.locator("#iri-switch").press("Enter")
    assert row(page) == compact and "iris" not in address(page)
    context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop", "phone"])
def test_a_long_literal_is_cut_and_shown_whole_on_demand(
    browser: Browser, site: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(url(site, LONG, lang="id"))
    short, long = page.locator("#result-view tbody td").all()
    assert short.locator("button.more").count() == 0  # short: nothing to cut
    whole, more = long.locator("span.long"), long.locator("button.more")
    assert more.inner_text() == "selengkapnya" and more.get_attribute("aria-expanded") == "false"
    assert more.get_attribute("aria-controls") == whole.get_attribute("id")
    cut = whole.evaluate("e => [e.clientHeight, e.scrollHeight, getComputedStyle(e).webkitLineClamp]")
    assert cut[0] < cut[1] and cut[2] == "3"  # three lines shown, ending with an ellipsis
    assert whole.text_content() == LONG_TEXT  # the whole text is in the page: read and copied whole
    whole.click(click_count=3)
    page.keyboard.press("Control+C")
    assert page.evaluate("navigator.clipboard.readText()").strip() == LONG_TEXT
    audited(page, f"cut-{width}")
    big_enough(more, page.locator("#iri-switch"))
    more.click()
    assert more.get_attribute("aria-expanded") == "true"
    opened = whole.evaluate("e => [e.clientHeight, e.scrollHeight]")
    assert opened[0] == opened[1] > cut[0]
    audited(page, f"whole-{width}")
    more.press("Enter")  # and cut again, by the keyboard
    assert more.get_attribute("aria-expanded") == "false"
    assert whole.evaluate("e => e.clientHeight") == cut[0]
    context.close()


def big_enough(*targets: Locator) -> None:
    """Tap targets of 24 px at least each way."""
    for target in targets:
        box = target.bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, (target, box)


def head_width(page: Page, column: int) -> float:
    return page.locator("#result-view th").nth(column).bounding_box()["width"]


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop", "phone"])
def test_columns_resized_by_drag_and_keys_keep_their_widths(
    browser: Browser, site: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.goto(url(site, THOUSANDS, lang="en"))
    bar = page.locator("#result-view th").nth(0).get_by_role("separator")
    assert bar.get_attribute("aria-label") == "Width of column n"
    assert bar.get_attribute("title") == "Drag, or press the left/right arrows"
    assert page.get_by_role("columnheader", name="label", exact=True).count() == 1  # not its separator's name
    before = head_width(page, 0)
    assert abs(int(bar.get_attribute("aria-valuenow")) - before) <= 1
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 20, y)
    page.mouse.move(x - 40, y)
    page.mouse.up()
    dragged = round(before) - 40
    assert abs(head_width(page, 0) - dragged) <= 1
    assert bar.get_attribute("aria-valuenow") == str(dragged)
    label = page.locator("#result-view th").nth(1).get_by_role("separator")
    label.focus()
    label.press("ArrowRight")
    label.press("ArrowRight")
    label.press("Shift+ArrowRight")  # 10 + 10 + 50 px
    keyed = int(label.get_attribute("aria-valuenow"))
    assert (
        abs(head_width(page, 1) - keyed) <= 1 and label.get_attribute("aria-valuetext") == f"{keyed} pixels"
    )
    label.press("ArrowLeft")
    keyed -= 10
    assert abs(head_width(page, 1) - keyed) <= 1
    big_enough(bar, label)
    assert address(page)["widths"] == [f"n:{dragged},label:{keyed}"]
    audited(page, f"resized-{width}")

    def kept() -> None:
        assert abs(head_width(page, 0) - dragged) <= 1 and abs(head_width(page, 1) - keyed) <= 1

    page.get_by_role("button", name="Next ›").click()
    assert "Rows 101–200" in page.locator("#result-view nav.pager").inner_text()
    kept()
    page.locator("#result-view th").nth(1).get_by_role("button").click()  # sorted by label
    assert page.locator("#result-view th").nth(1).get_attribute("aria-sort") == "ascending"
    kept()
    page.reload()
    kept()
    page.locator("#query").fill(THOUSANDS.replace("?n ?label", "?label ?n", 1))  # a new run: same names
    with page.expect_navigation():
        page.locator("#query").press("Control+Enter")
    assert abs(head_width(page, 1) - dragged) <= 1 and abs(head_width(page, 0) - keyed) <= 1
    first = page.locator("#result-view th").nth(0).get_by_role("separator")
    first.press("End")
    assert first.get_attribute("aria-valuenow") == "1200" and abs(head_width(page, 0) - 1200) <= 1
    first.press("Home")
    assert first.get_attribute("aria-valuenow") == "48" and abs(head_width(page, 0) - 48) <= 1
    page.locator("#widths-reset").click()
    assert "widths" not in address(page) and page.locator("#widths-reset").count() == 0
    assert page.locator("#result-view table.sized").count() == 0
    context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop", "phone"])
def test_without_javascript_the_server_table_has_the_switch(
    browser: Browser, site: str, width: int, height: int
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url(site, TERMS, lang="en"))
    cells = page.locator("table.results tbody td")
    assert cells.first.inner_text() == "kkb:KKBDesignation"
    assert cells.nth(2).inner_text() == "7 xsd:integer"
    page.get_by_role("link", name="Show full IRIs").click()
    page.wait_for_url("**iris=full**")
    assert cells.first.inner_text() == f"{KKB_DEF}KKBDesignation"
    assert cells.nth(2).inner_text() == f"7 {XSD}integer" and cells.nth(2).get_attribute("data-num") == "7"
    page.get_by_role("link", name="Show compact names").click()
    page.wait_for_function("() => !location.search.includes('iris=')")
    assert cells.first.inner_text() == "kkb:KKBDesignation"
    page.goto(url(site, THOUSANDS, lang="en", iris="full", page="2"))  # paging keeps the choice
    assert "iris=full" in page.get_by_role("link", name="Next ›").get_attribute("href")
    context.close()
    # axe-core needs script: the same page with our scripts withheld, as a reader without them sees it
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.route("**/static/*.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.goto(url(site, TERMS, lang="en", iris="full"))
    assert page.locator("#static-results td").first.inner_text() == f"{KKB_DEF}KKBDesignation"
    audited(page, f"no-script-full-{width}")
    context.close()
