"""The catalog, VoID, language and small screens in Chromium (#20 items 2 and 5), with the
fixtures of ``test_browser.py`` (Debian's Chromium, a real server, no external request, no
console error): every download the catalog offers answers with the size and SHA-256 it shows, its
RDF links give the same graph, the VoID tables link our terms, ``Accept-Language`` picks the
language, ``/def`` keeps its terms whole at 360 px, and every tap target is 24 px or spaced as
WCAG 2.2 2.5.8 asks, measured in the page. Screenshots in ``test-artifacts/``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from rdflib import Graph
from rdflib.compare import isomorphic

from .test_browser import AXE_RULES, browser, page, shoot, site  # noqa: F401 - fixtures

#: The undersized targets of the page that are crowded (WCAG 2.2 2.5.8, measured on bounding
#: boxes: a 24 px circle on each undersized target's centre may touch no other target nor another
#: undersized target's circle), unless another target with the same href passes ("Equivalent").
#: Points of a map are exempt ("Essential": their position is the information).
CROWDED = """() => {
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const boxes = [...document.querySelectorAll(targets)]
    .filter(e => !e.closest('svg.map'))
    .map(e => ({e, r: e.getBoundingClientRect()}))
    .filter(b => b.r.width > 0 && b.r.height > 0 && b.r.right > 0 && b.r.bottom > 0
                 && b.e.checkVisibility({visibilityProperty: true}));
  const small = b => b.r.width < 23.99 || b.r.height < 23.99;
  const centre = b => [b.r.left + b.r.width / 2, b.r.top + b.r.height / 2];
  const crowding = b => {
    if (!small(b)) return null;
    const [cx, cy] = centre(b);
    return boxes.find(o => {
      if (o === b || o.e.contains(b.e) || b.e.contains(o.e)) return false;
      const dx = Math.max(o.r.left - cx, 0, cx - o.r.right), dy = Math.max(o.r.top - cy, 0, cy - o.r.bottom);
      if (Math.hypot(dx, dy) < 11.99) return true;
      const [ox, oy] = centre(o);
      return small(o) && Math.hypot(ox - cx, oy - cy) < 23.99;
    }) || null;
  };
  const href = b => b.e.getAttribute('href');
  const crowded = new Map(boxes.map(b => [b, crowding(b)]));
  const fine = new Set(boxes.filter(b => !crowded.get(b)).map(href).filter(Boolean));
  const name = b => (b.e.textContent || b.e.tagName).trim().replace(/\\s+/g, ' ').slice(0, 40);
  return boxes.filter(b => crowded.get(b) && !(href(b) && fine.has(href(b))))
    .map(b => `${name(b)} (${Math.round(b.r.width)}x${Math.round(b.r.height)}) near ${name(crowded.get(b))}`);
}"""
#: Links and code of one word (no space) that the browser drew on more than one line.
BROKEN = """sel => [...document.querySelectorAll(sel)]
  .filter(e => !/\\s/.test(e.textContent.trim()) && e.textContent.trim().length > 1)
  .filter(e => { const r = new Range(); r.selectNodeContents(e);
                 const lines = [...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top));
                 return new Set(lines).size > 1; })
  .map(e => e.textContent.trim())"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    yield context.new_page()
    context.close()


def test_every_download_answers_with_the_size_and_checksum_shown(page: Page, site: str) -> None:  # noqa: F811
    page.goto(site + "/catalog?lang=en")
    rows = page.locator("table.files tbody tr")
    assert rows.count() == 8
    for i in range(rows.count()):
        row = rows.nth(i)
        href = row.locator("a.download").get_attribute("href") or ""
        size = int(row.locator("data").get_attribute("value") or -1)
        checksum = row.locator("code.sha256").inner_text()
        got = page.request.get(href)
        assert got.status == 200, href
        body = got.body()
        assert len(body) == size and hashlib.sha256(body).hexdigest() == checksum, href
    shoot(page, "people-catalog-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download kkb.nt.gz").click()
    assert download.value.suggested_filename == "kkb.nt.gz"


def test_the_rdf_links_give_one_graph_in_every_format(page: Page, site: str) -> None:  # noqa: F811
    for path in ("/catalog", "/.well-known/void"):
        page.goto(site + path)
        links = page.locator("p.formats a")
        assert links.count() == 4
        graphs = []
        for i in range(links.count()):
            link = links.nth(i)
            got = page.request.get(site + (link.get_attribute("href") or ""))
            assert got.status == 200 and got.headers["content-type"].startswith(
                link.get_attribute("type") or "?"
            )
            rdflib_name = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}[link.inner_text()]
            graphs.append(Graph().parse(data=got.body(), format=rdflib_name))
        assert all(isomorphic(graphs[0], g) for g in graphs[1:]), path


def test_the_sparql_service_is_a_link_to_the_query_page(page: Page, site: str) -> None:  # noqa: F811
    page.goto(site + "/catalog")
    page.locator("p.access").get_by_role("link").click()
    page.wait_for_url("**/sparql")
    assert page.locator("#query").count() == 1


def test_void_tables_link_our_terms_to_def(page: Page, site: str) -> None:  # noqa: F811
    page.goto(site + "/.well-known/void?lang=en")
    classes = page.locator("#class-partitions tbody tr")
    stated = page.locator(".figures li", has_text="classes").locator("strong").inner_text()
    assert classes.count() == int(stated) > 10
    assert page.locator("#property-partitions tbody tr").count() > 50
    assert "Wikidata" in page.locator("table.linksets").inner_text()
    shoot(page, "people-void-en")
    classes.filter(has_text="kkb:KKBDesignation").get_by_role("link").click()
    page.wait_for_url("**/def#KKBDesignation")
    assert page.locator("#KKBDesignation").is_visible()


@pytest.mark.parametrize(
    ("locale", "lang"), [("en-GB", "en"), ("en-US", "en"), ("id-ID", "id"), ("fr-FR", "id")]
)
def test_the_browsers_language_picks_the_first_visits(
    browser: Browser,  # noqa: F811
    site: str,  # noqa: F811
    locale: str,
    lang: str,
) -> None:
    context = browser.new_context(locale=locale)
    tab = context.new_page()
    tab.goto(site + "/catalog")
    assert tab.locator("html").get_attribute("lang") == lang
    heading = {"en": "Distributions: files to download", "id": "Distribusi: berkas unduhan"}[lang]
    assert tab.locator("table.files caption").first.inner_text() == heading
    shoot(tab, f"people-catalog-{locale}")
    missing = tab.goto(site + "/no/such/page")
    assert missing is not None and missing.status == 404
    assert tab.locator("h1").inner_text() == {"en": "404 Not Found", "id": "404 Tidak ditemukan"}[lang]
    shoot(tab, f"people-404-{locale}")
    if lang == "en":  # a choice on the page wins over the browser's language, from then on
        tab.locator("nav.top").get_by_role("link", name="Bahasa Indonesia").click()
        tab.wait_for_function("() => document.documentElement.lang === 'id'")
        tab.goto(site + "/.well-known/void")
        assert tab.locator("h2#classes").inner_text() == "Partisi kelas"
    context.close()


def test_def_keeps_every_term_whole_on_a_phone(phone: Page, site: str) -> None:  # noqa: F811
    for path in ("/def", "/def?lang=en"):
        phone.goto(site + path)
        assert phone.locator("table.relations a").count() > 30
        broken = phone.evaluate(BROKEN, "main table.relations a, main dt a, main nav.toc a")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert broken == [] and overflow <= 0, (path, broken, overflow)
    shoot(phone, "people-def-360")


TAPPED = [
    "/",
    "/id/kkb/62.04.06.2020",
    "/id/village/62.04.06.2020",
    "/id/district/62.04.06",
    "/id/regency/62.04",
    "/def",
    "/catalog",
    "/.well-known/void",
    "/sparql",
    "/sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+%3Chttps%3A%2F%2Fw3id.org%2Fkkb%2Fdef%23Village%3E+%7D+LIMIT+5&format=html",
    "/changes",
    "/reconcile/preview?id=62.04.05.2020",
    "/no/such/page",
]


@pytest.mark.parametrize("path", TAPPED)
def test_tap_targets_on_a_phone(browser: Browser, site: str, path: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    tab = context.new_page()  # no console check: the 404 is logged by Chromium itself
    tab.goto(site + path)
    assert tab.locator("h1").count() == 1
    crowded = tab.evaluate(CROWDED)  # the content of a closed <details> is laid out, not drawn
    opened = tab.evaluate(
        "[...document.querySelectorAll('details:not([open])')].map(d => d.open = true).length"
    )
    crowded += [f"(opened) {c}" for c in tab.evaluate(CROWDED)] if opened else []
    context.close()
    assert crowded == [], f"{path}: tap targets under 24 px and crowded: {crowded}"


@pytest.mark.parametrize(
    "path", ["/catalog", "/catalog?lang=en", "/.well-known/void", "/.well-known/void?lang=en"]
)
@pytest.mark.parametrize("width", [1280, 360])
def test_catalog_and_void_have_no_accessibility_violations(
    browser: Browser,  # noqa: F811
    site: str,  # noqa: F811
    path: str,
    width: int,
) -> None:
    """axe-core's WCAG 2.1 A/AA rules and best practices, and WCAG 2.2's target size."""
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600)
    tab = context.new_page()
    tab.goto(site + path)
    rules = {"runOnly": {"type": "tag", "values": [*AXE_RULES["runOnly"]["values"], "wcag22aa"]}}
    results = Axe().run(tab, options=rules)
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(tab, f"people{path.replace('/', '-').replace('?lang=', '-').replace('.', '')}-{width}")
    context.close()
    assert results.violations_count == 0, results.generate_snapshot()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"


@pytest.mark.parametrize("path", ["/no/such/page", "/catalog?page=0", "/id/village/62.04.06.2099"])
def test_error_pages_in_indonesian_are_accessible(browser: Browser, site: str, path: str) -> None:  # noqa: F811
    context = browser.new_context(locale="id-ID")
    tab = context.new_page()
    response = tab.goto(site + path)
    assert response is not None and response.status in (400, 404)
    assert tab.locator("html").get_attribute("lang") == "id"
    assert "Kembali ke beranda" in tab.locator("main").inner_text()
    results = Axe().run(tab, options=AXE_RULES)
    shoot(tab, "people-error" + path.replace("/", "-").replace("?", "-").replace("=", "-").replace(".", ""))
    context.close()
    assert results.violations_count == 0, results.generate_snapshot()
