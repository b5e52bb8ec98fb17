"""An older release's pages in a real browser (Debian's Chromium, as ``tests/test_browser.py``):
no axe-core violations, the note atop each page, links that stay in the release, a way back to the
current one, readable on a phone. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .server import serve_app
from .test_archive import DROPPED_KKB, server_app
from .test_archive import build_dir as build_dir  # noqa: F401 (the module's three releases)
from .test_archive import ids as ids  # noqa: F401
from .test_browser import AXE_RULES, arrived, shoot
from .test_browser import browser as browser  # noqa: F401
from .test_browser import page as page  # noqa: F401


@pytest.fixture(scope="module")
def site(build_dir: Path) -> Iterator[str]:  # noqa: F811
    with serve_app(server_app(build_dir)) as url:
        yield url


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", [f"/id/kkb/{DROPPED_KKB}", "/", "/changes", ""])
def test_an_older_release_has_no_accessibility_violations(
    page: Page,  # noqa: F811
    site: str,
    ids: list[str],  # noqa: F811
    path: str,
    lang: str,
) -> None:
    """``""``: the release's own page, at ``/releases/<id>``."""
    page.goto(f"{site}/releases/{ids[0]}{path}?lang={lang}")
    if path:
        assert ids[0] in page.locator("#archived").inner_text()
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_snapshot()


def test_a_reader_stays_in_the_older_release_and_finds_the_current(
    page: Page,  # noqa: F811
    site: str,
    ids: list[str],  # noqa: F811
) -> None:
    prefix = f"/releases/{ids[1]}"
    page.goto(f"{site}{prefix}/?lang=en")
    assert "Older release" in page.locator("#archived").inner_text()
    page.get_by_role("link", name="Kabupaten Barito Selatan").first.click()
    arrived(page, f"{prefix}/id/regency/62.04")
    page.get_by_role("link", name="Gn. Bintang Awai", exact=True).first.click()
    arrived(page, f"{prefix}/id/district/62.04.05")
    shoot(page, "archive-kecamatan")
    page.get_by_role("link", name="This page in the current release").click()
    arrived(page, "/id/district/62.04.05")
    assert page.locator("#archived").count() == 0


@pytest.mark.parametrize("path", ["/", f"/id/kkb/{DROPPED_KKB}"])
def test_an_older_page_is_readable_on_a_phone(
    browser: Browser,  # noqa: F811
    site: str,
    ids: list[str],  # noqa: F811
    path: str,
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{site}/releases/{ids[0]}{path}")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(phone, "archive-phone" + path.replace("/", "-").rstrip("-"))
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


#: The KKB the newest release dropped, as the editor's label completion names it.
DROPPED_IRI = f"<https://w3id.org/kkb/id/kkb/{DROPPED_KKB}>"


def completed(tab: Page, typed: str) -> list[str]:
    """What the editor offers after ``typed`` at the end of an empty query's pattern."""
    editor = tab.locator("#query")
    editor.fill("SELECT * WHERE {\n  ?k ?p ")
    editor.press("Control+End")
    tab.keyboard.type(typed)
    tab.locator("#completions li").first.wait_for()
    return tab.locator("#completions li .name").all_inner_texts()


def test_the_editor_of_an_older_release_completes_and_asks_that_release(
    page: Page,  # noqa: F811
    site: str,
    ids: list[str],  # noqa: F811
) -> None:
    """Completion (terms and labels) and the query itself go to the older release's routes, and
    answer from its data: the KKB the current release dropped is found there, not here."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.removeprefix(site)))
    prefix = f"/releases/{ids[1]}"
    page.goto(f"{site}{prefix}/sparql?lang=en")
    assert "kkb:KKBDesignation" in completed(page, "kkb:KKB")
    assert any(c.endswith(DROPPED_IRI) for c in completed(page, " <Kalah"))
    assert any(u.startswith(f"{prefix}/sparql/completions") for u in asked), asked
    assert any(u.startswith(f"{prefix}/sparql/labels?") for u in asked), asked
    assert not any(u.startswith("/sparql") for u in asked), asked
    page.locator("#query").fill(
        "PREFIX kkb: <https://w3id.org/kkb/def#>\nSELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }"
    )
    page.locator("#query").press("Control+Enter")
    page.wait_for_url(f"{site}{prefix}/sparql?**")
    older = page.locator("section.answer td").first.inner_text().split()[0]
    assert "Older release" in page.locator("#archived").inner_text()
    # the answer's links, drawn by the page's script, lead to the older release's pages
    page.locator("#query").fill(f"SELECT ?k WHERE {{ BIND ({DROPPED_IRI} AS ?k) }}")
    page.locator("#query").press("Control+Enter")
    page.wait_for_url(f"{site}{prefix}/sparql?**")
    link = page.locator("section.answer td a").first
    assert link.get_attribute("href") == f"{prefix}/id/kkb/{DROPPED_KKB}"
    link.click()
    page.wait_for_url(f"{site}{prefix}/id/kkb/{DROPPED_KKB}")
    shoot(page, "archive-editor-answer-link")
    page.goto(f"{site}/sparql?lang=en")  # the current release: one KKB fewer, and not found
    assert not any(c.endswith(DROPPED_IRI) for c in completed(page, " <Kalah"))
    page.locator("#query").fill(
        "PREFIX kkb: <https://w3id.org/kkb/def#>\nSELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }"
    )
    page.locator("#query").press("Control+Enter")
    page.wait_for_url(f"{site}/sparql?**")
    assert int(page.locator("section.answer td").first.inner_text().split()[0]) == int(older) - 1
