"""Maps with boundaries and chart text in Chromium (fixtures of tests/test_browser.py): the
polygons and their legend as drawn, names on hover, the page's place outlined, chart text at
least 12 CSS px on a 360 px phone, and axe-core at zero violations. Screenshots go to
``test-artifacts/``."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from kkb_lod.web._examples import EXAMPLES

from . import test_browser
from .test_browser import ARTIFACTS, AXE_RULES, shoot

#: The browser, the served app and a checked page, as tests/test_browser.py makes them.
browser, site, page = test_browser.browser, test_browser.site, test_browser.page

#: A point inside a boundary's fill, in the page's CSS pixels (a polygon's box centre may lie
#: outside it, or inside a neighbour).
INSIDE = """path => {
  const box = path.getBBox(), m = path.getScreenCTM();
  for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
    const p = new DOMPoint(box.x + box.width * i / 40, box.y + box.height * j / 40);
    if (path.isPointInFill(p)) {
      const s = p.matrixTransform(m);
      if (document.elementFromPoint(s.x, s.y) === path) return [s.x, s.y];
    }
  }
  return null;
}"""
#: Every text of every SVG on the page (charts, maps, legends) that draws: its name and the size
#: (CSS px) it is drawn at, its font size times the scale its SVG's viewBox puts on it.
TEXT_SIZES = """() => [...document.querySelectorAll('svg text')].filter(t => t.getClientRects().length)
  .map(t => {
    const m = t.getScreenCTM(), scale = Math.hypot(m.a, m.b);
    return [t.closest('svg').getAttribute('class') + ': ' + t.textContent,
            parseFloat(getComputedStyle(t).fontSize) * scale];
  })"""
EXAMPLE = {e.name: e for e in EXAMPLES}
#: The KKB villages with their positions: the query page's map view.
VILLAGES = (
    "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
    "SELECT ?village ?name ?lat ?long WHERE {\n"
    "  ?k a kkb:KKBDesignation ; kkb:village ?village .\n"
    '  ?village rdfs:label ?name ; geo:lat ?lat ; geo:long ?long FILTER (lang(?name) = "id")\n'
    "}"
)
#: One page of each kind that draws a chart or a map, and the query page's charts and map.
PHONE_PAGES = [
    "/",
    "/?lang=en",
    "/id/province/62",
    "/id/regency/62.04",
    "/id/district/62.04.06",
    "/id/village/62.04.06.2020",
    "/id/kkb/62.04.06.2020",
    *(
        "/sparql?" + urlencode({"query": EXAMPLE[name].text("en"), "format": "html", "view": view})
        for name, view in (
            ("kkb-per-kecamatan", "BarChart"),
            ("activities-per-year", "LineChart"),
        )
    ),
    "/sparql?" + urlencode({"query": VILLAGES, "format": "html", "view": "Map"}),
]


@pytest.mark.parametrize(
    ("path", "name", "fills"),
    [
        ("/?lang=en", "landing-map-boundaries", {"kkb": 15, "other": 78}),
        ("/id/district/62.04.06?lang=en", "district-map-boundaries", {"inside": 24, "kkb": 3, "other": 66}),
        ("/id/kkb/62.04.06.2020?lang=en", "kkb-map-boundaries", {"kkb": 15, "other": 78}),
        ("/id/province/62?lang=en", "province-map-boundaries", {"inside": 78, "kkb": 15}),
    ],
)
def test_maps_draw_boundaries_and_their_legend(
    page: Page, site: str, path: str, name: str, fills: dict
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site + path)
    for role, n in fills.items():
        assert page.locator(f"svg.map path.area.{role}").count() == n, role
    assert page.locator("svg.map path.area.outline").count() >= 7
    legend = page.locator("figure.map ul.legend")
    assert legend.is_visible() and legend.locator("svg.swatch").count() == legend.locator("li").count() >= 3
    assert "(hatched)" in legend.inner_text()
    # the KKB are hatched: their fill is the pattern, whose ground is the KKB orange
    fill = page.locator("svg.map path.area.kkb").first.evaluate("p => getComputedStyle(p).fill")
    assert fill.startswith("url(") and "hatch" in fill
    here = page.locator("svg.map path.here-line")
    if path.startswith("/?"):
        assert here.count() == 0
    else:  # the page's place: a thick dark-blue line, unlike any fill or border
        assert here.count() == 1
        style = here.evaluate(
            "p => [getComputedStyle(p).stroke, parseFloat(getComputedStyle(p).strokeWidth)]"
        )
        assert style[0] == "rgb(11, 60, 140)" and style[1] >= 3
        border = page.locator("svg.map path.area.outline").first.evaluate(
            "p => parseFloat(getComputedStyle(p).strokeWidth)"
        )
        assert style[1] >= 2 * border  # told apart by width, not colour alone
    page.locator("figure.map").first.screenshot(path=_artifact(name))
    shoot(page, name + "-page")


def test_a_boundary_names_itself_on_hover_and_links_its_page(page: Page, site: str) -> None:
    page.goto(site + "/id/district/62.04.06?lang=en")
    kalahien = page.locator("svg.map a[href='/id/village/62.04.06.2020'] path.area")
    assert kalahien.locator("title").text_content() == "Kalahien (KKB)"
    page.locator("svg.map").scroll_into_view_if_needed()
    x, y = kalahien.evaluate(INSIDE)
    page.mouse.move(x, y)
    hovered = page.evaluate(
        "() => [...document.querySelectorAll('svg.map path.area:hover')].map(p => p.textContent)"
    )
    assert hovered == ["Kalahien (KKB)"]
    assert kalahien.evaluate("p => getComputedStyle(p).stroke") == "rgb(21, 101, 192)"  # the focus colour
    shoot(page, "district-map-hover")
    page.mouse.click(x, y)
    page.wait_for_function("() => location.pathname === '/id/village/62.04.06.2020'")
    names = page.locator("details.map-names")
    names.locator("summary").click()
    assert names.get_by_role("link", name="Kalahien", exact=True).is_visible()


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_svg_text_is_at_least_12_px_on_a_phone(browser: Browser, site: str, path: str) -> None:
    """Every text in every chart and map, tick labels and the scale included: a map keeps its
    natural size on a phone and scrolls sideways in its frame, as a chart does."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(site + path)
    sizes = phone.evaluate(TEXT_SIZES)
    drawn = phone.evaluate(
        "[...document.querySelectorAll('svg.bars, svg.stacked, svg.map, svg.chart')].length"
    )
    frames = phone.evaluate(
        """[...document.querySelectorAll('svg.map, svg.bars, svg.stacked, svg.chart')].map(svg => {
          if (svg.getBoundingClientRect().right <= window.innerWidth) return 0;  // fits the phone
          let box = svg.parentElement;
          while (box && getComputedStyle(box).overflowX !== 'auto') box = box.parentElement;
          return box ? box.tabIndex : null;
        })"""
    )
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    width = phone.evaluate("window.innerWidth")  # not widened to fit a chart (then zoomed out)
    asked = urlsplit(path)
    shown = [v for k, v in parse_qsl(asked.query) if k in ("view", "lang")]
    shoot(phone, "-".join(["phone-svg-text", *asked.path.strip("/").split("/"), *shown]).rstrip("-"))
    context.close()
    assert drawn >= 1 and len(sizes) >= drawn, f"{path}: no chart or map text measured"
    assert width == 360, f"{path}: the page is laid out {width} px wide on a 360 px phone"
    small = [(text, round(px, 1)) for text, px in sizes if px < 12]
    assert not small, f"{path}: SVG text under 12 px: {small[:8]}"
    # what is wider than the phone scrolls in a frame a keyboard can reach, not the page
    assert all(f == 0 for f in frames), f"{path}: a chart or map without a focusable scroll frame"
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


@pytest.mark.parametrize(
    ("path", "width"),
    [
        ("/id/village/62.04.06.2020", 1280),
        ("/id/province/62?lang=en", 1280),
        ("/id/district/62.04.06", 360),
        ("/?lang=en", 360),
    ],
)
def test_map_pages_have_no_accessibility_violations(
    browser: Browser, site: str, path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(site + path)
    results = Axe().run(tab, options=AXE_RULES)
    context.close()
    assert results.violations_count == 0, results.generate_snapshot()


def _artifact(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")
