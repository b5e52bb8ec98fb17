"""Who stated it, in Chromium (issue #20 items 4 and 6): the KKB, activity, statement and person
pages say who stated what in both languages, show the KKB's source discrepancies, have no
accessibility violations (axe-core) and fit a phone. Fixtures and rules: tests/test_browser.py."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .test_browser import AXE_RULES, browser, page, shoot, site  # noqa: F401 - fixtures

PAGES = [
    "/id/kkb/62.04.01.2002",
    "/id/kkb/62.04.05.2020?lang=en",
    "/id/activity/6204-pembinaan-2021",
    "/id/statement/antara-buntok-kkb-daftar?lang=en",
    "/id/person/sunawati-barito-selatan",
]


def test_the_kkb_page_says_who_stated_it_and_what_the_source_got_wrong(page: Page, site: str) -> None:  # noqa: F811
    page.goto(site + "/id/kkb/62.04.01.2002?lang=en")
    stated = page.locator(".attribution .stated-by")
    assert stated.inner_text().startswith(
        "Stated by Sunawati (Head of the Population Control Division) on behalf of Mario "
        "(Head of DPPKBP3A Barito Selatan), in ANTARA news report"
    )
    assert "Rantau Bahuang" in page.locator(".attribution blockquote").inner_text()
    notes = page.locator(".notes").inner_text()
    assert "kelurahan" in notes and "about Rantau Bahuang" in notes
    shoot(page, "attribution-kkb")
    page.locator(".attribution").get_by_role("link", name="Sunawati", exact=True).click()
    page.wait_for_function("() => location.pathname === '/id/person/sunawati-barito-selatan'")
    assert page.locator(".backlinks a[href^='/id/statement/']").count() == 8
    shoot(page, "attribution-person")


def test_the_activity_page_in_indonesian(page: Page, site: str) -> None:  # noqa: F811
    page.goto(site + "/id/activity/6204-pembinaan-2021?lang=id")
    assert (
        page.locator(".attribution .stated-by")
        .inner_text()
        .startswith(
            "Dinyatakan oleh Sunawati (Kepala Bidang Pengendalian Penduduk (Kabid Pengendalian Penduduk)) "
            "atas nama Mario (Kepala DPPKBP3A Barito Selatan), dalam Berita ANTARA"
        )
    )
    assert page.locator(".attribution blockquote").count() == 3
    shoot(page, "attribution-activity")


@pytest.mark.parametrize("path", PAGES)
def test_no_accessibility_violations(page: Page, site: str, path: str) -> None:  # noqa: F811
    page.goto(site + path)
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_snapshot()


@pytest.mark.parametrize("path", PAGES[:3])
def test_readable_on_a_phone(browser: Browser, site: str, path: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(site + path)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(phone, "phone-attribution" + path.split("?")[0].replace("/", "-"))
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
