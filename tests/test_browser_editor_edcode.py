"""The editor's text contract, code folding and the formatter, in Debian's Chromium.

``window.kkbEditor`` is what the other scripts read the query through (folding puts placeholders
in the textarea); the form sends ``text()``. Fixtures are test_browser's, as in
test_browser_editor.py; screenshots go to ``test-artifacts/editor-edcode-*.png``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page

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
