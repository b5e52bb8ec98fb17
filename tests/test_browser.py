"""HTML pages in a real browser: Debian's Chromium driven by Playwright, against a real server.

Playwright may not download a browser here, so it launches ``/usr/bin/chromium`` (installed by
``.ci/run``). Screenshots go to ``test-artifacts/``. Any console error or failed request fails
the test: the pages must work on their own, with no external request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app

from .server import serve_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(app: Flask) -> Iterator[str]:
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is required (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def left_behind(request: Request) -> bool:
    """A script's background request (fetch) cut off because the page was left, as the editor's
    syntax check as you type is when a test moves on: not a failure of the server. A document,
    script, style or image that fails to load still fails the test."""
    return request.resource_type in {"fetch", "xhr"} and request.failure == "net::ERR_ABORTED"


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(locale="id-ID")  # a reader in Indonesia
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: None if left_behind(request) else problems.append(f"failed: {request.url}"),
    )
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(site) else problems.append(f"external request: {request.url}")
        ),
    )
    yield page
    context.close()
    assert problems == []


def arrived(page: Page, path: str) -> None:
    """Wait until the browser shows ``path`` (polling the URL, not a navigation event)."""
    page.wait_for_function("p => location.pathname === p", arg=path)
    page.wait_for_load_state()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_landing_to_kecamatan_to_village(page: Page, site: str) -> None:
    page.goto(site + "/")
    assert "15" in page.locator(".figures").inner_text()
    shoot(page, "landing")
    page.get_by_role("link", name="Kabupaten Barito Selatan").first.click()
    arrived(page, "/id/regency/62.04")
    page.get_by_role("link", name="Gn. Bintang Awai", exact=True).first.click()
    arrived(page, "/id/district/62.04.05")
    assert "Gunung Bintang Awai" in page.locator(".notes").inner_text()
    shoot(page, "kecamatan")
    page.get_by_role("link", name="Marga Jaya", exact=True).first.click()
    arrived(page, "/id/village/62.04.05.2020")
    assert page.locator("h1").inner_text() == "Marga Jaya"
    assert "Gn. Bintang Awai" in page.locator("nav.crumbs").inner_text()
    shoot(page, "village")


def test_an_english_browser_gets_english_pages_until_it_chooses(browser: Browser, site: str) -> None:
    """Without a choice (``?lang=`` and its cookie) the page follows the browser's languages."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(site + "/id/kkb/62.04.06.2020")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Quality Family Village Kalahien"
    page.locator("nav.top").get_by_role("link", name="Bahasa Indonesia").click()
    page.wait_for_function("() => document.documentElement.lang === 'id'")
    page.goto(site + "/id/district/62.04.06")
    assert page.locator("html").get_attribute("lang") == "id"
    context.close()


def test_language_switch_persists_across_pages(page: Page, site: str) -> None:
    page.goto(site + "/id/kkb/62.04.06.2020")
    assert page.locator("h1").inner_text() == "Kampung Keluarga Berkualitas Kalahien"
    assert page.locator("html").get_attribute("lang") == "id"
    page.locator("nav.top").get_by_role("link", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("h1").inner_text() == "Quality Family Village Kalahien"
    shoot(page, "kkb-en")
    page.locator("nav.crumbs").get_by_role("link", name="Dusun Selatan").click()  # no ?lang=
    arrived(page, "/id/district/62.04.06")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Quality Family Village Kalahien" in page.locator("section.kkbs").inner_text()
    assert page.get_by_role("heading", name="Referenced by").is_visible()
    page.locator("nav.top").get_by_role("link", name="Home").click()
    arrived(page, "/")
    assert "Quality Family Villages" in page.locator("h1").inner_text()
    shoot(page, "landing-en")
    page.locator("nav.top").get_by_role("link", name="Bahasa Indonesia").click()
    page.wait_for_function("() => document.documentElement.lang === 'id'")
    page.goto(site + "/id/kkb/62.04.06.2020")
    assert page.locator("h1").inner_text() == "Kampung Keluarga Berkualitas Kalahien"


def test_ontology_page_and_formats(page: Page, site: str) -> None:
    page.goto(site + "/def?lang=en")
    assert page.locator("#fungsiKeagamaan").is_visible()
    assert "Religious function" in page.locator("#fungsiKeagamaan").inner_text()
    shoot(page, "ontology")
    page.goto(site + "/id/village/62.04.06.2020")
    turtle = page.get_by_role("link", name="ttl")
    assert turtle.get_attribute("href") == "/id/village/62.04.06.2020.ttl"


def test_query_editor_runs_an_example_shows_table_and_chart_and_sorts(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    assert page.locator(".editor.enhanced").count() == 1  # the script has enhanced the editor
    assert page.locator(".editor .tok-keyword").first.inner_text() == "PREFIX"
    page.locator("#examples").get_by_role("link", name="KKB per kecamatan (district)").click()
    page.wait_for_selector("table.results")
    assert "query=" in page.url  # the address carries the query: it can be shared
    shared = page.url
    assert page.locator("table.results tbody tr").count() == 6
    shoot(page, "sparql-example")
    header = page.locator("table.results th").nth(2)
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.locator("table.results tbody tr td:nth-child(3)").first.inner_text().startswith("2")
    header.get_by_role("button").press("Enter")  # the keyboard sorts too
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("table.results tbody tr td:nth-child(3)").first.inner_text().startswith("3")
    page.get_by_role("button", name="Bar chart").click()  # the chart is a view of its own
    assert page.locator("svg.chart rect.bar").count() == 6
    page.goto(shared)
    assert page.locator("table.results tbody tr").count() == 6


def test_typing_a_query_and_ctrl_enter_runs_it(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    editor = page.locator("#query")
    editor.fill(
        "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
        "SELECT ?village WHERE { ?k a kkb:KKBDesignation ; kkb:village ?village }"
    )
    assert page.locator(".editor .tok-var").first.inner_text() == "?village"  # redrawn as typed
    editor.press("Control+Enter")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 15
    assert page.locator("svg.bars").count() == 0  # nothing numeric, no chart


def test_csv_download(page: Page, site: str) -> None:
    page.goto(site + "/sparql?lang=en")
    page.locator("#examples").get_by_role("link", name="KKB per kecamatan (district)").click()
    page.wait_for_selector("table.results")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "kkb-query.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "kecamatan,name,kkbs" and len(lines) == 7
    shoot(page, "sparql-downloaded")


def test_landing_chart_and_map(page: Page, site: str) -> None:
    page.goto(site + "/?lang=en")
    assert page.locator("svg.bars rect.bar").count() == 6
    assert page.locator("svg.map path.area.kkb").count() == 15
    assert page.locator("#kkb-list tbody tr").count() == 15
    shoot(page, "landing-chart-map")
    page.locator("svg.bars").get_by_role("link").filter(has_text="Jenamas").click()
    arrived(page, "/id/district/62.04.01")
    assert page.locator("svg.map path.area.inside").count() > 0
    shoot(page, "kecamatan-map")


def test_map_fallback_offline_without_javascript(browser: Browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    outside: list[str] = []

    def no_internet(route: Route) -> None:
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", no_internet)
    page = context.new_page()
    page.goto(site + "/?lang=en")
    assert page.locator("svg.map path.area.kkb").count() == 15  # drawn by the server
    assert page.locator("#kkb-list").is_visible()
    assert page.locator("#kkb-list tbody tr").first.inner_text().count(",") >= 1
    shoot(page, "landing-offline-nojs")
    page.goto(site + "/id/kkb/62.04.06.2020?lang=en")
    assert page.locator("svg.map path.here-line").count() == 1
    assert page.locator("ol.functions li.worked").count() == 8
    shoot(page, "kkb-offline-nojs")
    page.goto(site + "/sparql?query=ASK+%7B%7D&format=html")
    assert page.locator(".boolean").inner_text() == "true"  # the form works without script
    context.close()
    assert outside == []


def test_keyboard_reaches_the_content_and_the_chart(page: Page, site: str) -> None:
    page.goto(site + "/?lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    for _ in range(40):  # tab on until the chart's first bar link has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg.bars') !== null"):
            break
    else:
        raise AssertionError("no chart link is reachable with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.pathname.startsWith('/id/district/')")


AUDITED = [
    "/",
    "/?lang=en",
    "/id/kkb/62.04.06.2020",
    "/id/district/62.04.06",
    "/id/regency/62.04",
    "/sparql?query=SELECT+%3Fs+%3Fn+WHERE+%7B+%3Fs+%3Chttp%3A%2F%2Fwww.w3.org%2F2004%2F02"
    "%2Fskos%2Fcore%23notation%3E+%3Fn+%7D+LIMIT+5&format=html",
    "/def",
    "/catalog",
]
AXE_RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
}


@pytest.mark.parametrize("path", AUDITED)
def test_no_accessibility_violations(page: Page, site: str, path: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules and best practices, in the page as Chromium draws it."""
    page.goto(site + path)
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_snapshot()


@pytest.mark.parametrize(
    ("path", "status"), [("/sparql?query=SELEC&format=html", 400), ("/id/village/62.04.06.2099", 404)]
)
def test_error_pages_are_accessible_too(browser: Browser, site: str, path: str, status: int) -> None:
    page = browser.new_page()  # Chromium logs the error status itself: no console check here
    response = page.goto(site + path)
    assert response is not None and response.status == status
    results = Axe().run(page, options=AXE_RULES)
    page.close()
    assert results.violations_count == 0, results.generate_snapshot()


@pytest.mark.parametrize("path", ["/", "/id/kkb/62.04.06.2020", "/id/district/62.04.06", "/sparql", "/def"])
def test_readable_on_a_phone(browser: Browser, site: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(site + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, "phone" + path.replace("/", "-").rstrip("-"))
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


def test_hostile_label_does_not_run(browser: Browser, settings: Settings) -> None:
    import pyoxigraph as ox

    store = OxigraphStore()
    village = ox.NamedNode("https://w3id.org/kkb/id/village/62.04.06.2020")
    store.ox.add(
        ox.Quad(
            village,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("<img src=x onerror=alert(1)><script>alert(2)</script>"),
        )
    )
    dialogs: list[str] = []
    with serve_app(create_app(settings, store, {})) as url:
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url + "/id/village/62.04.06.2020")
        assert "<script>alert(2)</script>" in page.locator("h1").inner_text()  # shown as text
        page.close()
    assert dialogs == []


#: IRIs of other schemes than the web's, each in a result table: none may become a link.
NOT_WEB = (
    "javascript:alert(1)",
    "JavaScript:alert(2)",
    "vbscript:msgbox(3)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "mailto:a@example.org",
    "urn:x-y:z",
)


def test_query_results_link_only_web_iris(page: Page, site: str) -> None:
    values = " ".join(
        f"<{iri}>"
        for iri in (
            *NOT_WEB,
            "http://a.example/x",
            "HTTPS://b.example/",
            "https://w3id.org/kkb/id/village/62.04.06.2020",
        )
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site + "/sparql?lang=en")
    page.locator("#query").fill(f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}")
    page.locator("#query").press("Control+Enter")
    page.wait_for_selector("table.results")
    links = page.locator("table.results a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert links == ["http://a.example/x", "HTTPS://b.example/", "/id/village/62.04.06.2020"]
    cells = page.locator("table.results td").all_inner_texts()
    assert all(iri in cells for iri in NOT_WEB)  # shown, as text
    for iri in NOT_WEB:
        page.get_by_role("cell", name=iri, exact=True).click()  # a click on the text does nothing
    assert dialogs == [] and "/sparql" in page.url
    shoot(page, "sparql-not-web-iris")


@pytest.fixture(scope="module")
def province_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The province-wide test registry (``tests/cases/regions``) built and served for real."""
    import json

    from kkb_lod.pipeline import build

    from .test_regions import BASE, assemble

    folder = assemble("province-kalimantan-tengah", tmp_path_factory.mktemp("province") / "data")
    settings = Settings(data_dir=folder, build_dir=folder.parent / "build", base_iri=BASE)
    release = build(settings).release
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["path"] = str(release)
    store = OxigraphStore.from_release(release, "memory")
    with serve_app(create_app(settings, store, manifest)) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 360])
def test_a_province_wide_landing_fits_and_has_no_errors(
    browser: Browser, province_site: str, width: int
) -> None:
    """The landing page of a registry over three regencies: figures per regency, the chart per
    regency and the map with the regencies, without sideways scrolling, console errors, external
    requests or accessibility violations, on a desktop and on a phone."""
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: None if r.url.startswith(province_site) else problems.append(r.url))
    page.goto(province_site + "/?lang=en")
    regencies = page.locator("#regency-list tbody tr").count()
    assert regencies == 3 == page.locator("svg.bars a").count()
    assert page.locator("svg.map circle.pt.regency").count() == regencies
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, f"province-landing-{width}")
    results = Axe().run(page, options=AXE_RULES)
    context.close()
    assert overflow <= 0, f"the landing page scrolls sideways by {overflow}px at {width}px"
    assert problems == []
    assert results.violations_count == 0, results.generate_snapshot()


@pytest.fixture(scope="module")
def other_origin() -> Iterator[str]:
    """A page server of another origin (another port), as OpenRefine's own pages are: it serves
    ``/frame?src=URL``, a page holding one iframe of ``URL``."""
    import html
    import threading

    from werkzeug.serving import make_server

    def host(environ: dict, start_response) -> list[bytes]:  # noqa: ANN001 - WSGI's callable
        from urllib.parse import parse_qs

        src = html.escape(parse_qs(environ["QUERY_STRING"]).get("src", [""])[0])
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [
            f'<!doctype html><title>host</title><iframe id="card" src="{src}" width="360" '
            'height="220"></iframe>'.encode()
        ]

    server = make_server("127.0.0.1", 0, host, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def framed(browser: Browser, other_origin: str, url: str) -> tuple[Page, list[str]]:
    """A page of ``other_origin`` framing ``url``, and the console errors it logs."""
    import urllib.parse

    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(other_origin + "/frame?" + urllib.parse.urlencode({"src": url}))
    page.wait_for_load_state()
    return page, errors


def test_reconcile_preview_renders_in_an_iframe(browser: Browser, site: str, other_origin: str) -> None:
    """A page of another origin frames the preview card: it renders, styled by our own
    stylesheet, under the card's CSP, without a console error."""
    page, errors = framed(browser, other_origin, site + "/reconcile/preview?id=62.04.05.2020")
    frame = page.frame_locator("#card")
    heading = frame.locator("h1")
    assert heading.inner_text() == "Marga Jaya"
    assert heading.evaluate("h => getComputedStyle(h).fontSize") == "18px"  # reconcile.css loaded
    card = frame.locator("main").inner_text()
    for fact in ("62.04.05.2020", "Gn. Bintang Awai", "Kalimantan Tengah", "Designated"):
        assert fact in card
    shoot(page, "reconcile-preview-iframe")
    page.close()
    assert errors == []


def test_other_pages_refuse_to_be_framed(browser: Browser, site: str, other_origin: str) -> None:
    """The control: a resource page keeps frame-ancestors 'none', so the same iframe shows no
    heading of ours (Chromium logs the refusal)."""
    page, errors = framed(browser, other_origin, site + "/id/village/62.04.05.2020")
    assert page.frame_locator("#card").locator("h1.title, main h1").count() == 0
    page.close()
    assert any("frame-ancestors" in e or "X-Frame-Options" in e for e in errors), errors


@pytest.fixture(scope="module")
def registry_site(built, settings: Settings) -> Iterator[str]:  # noqa: ANN001
    """The bundled build with the registry fields of ``tests/cases/pages`` (SYNTHETIC)."""
    from .test_web_registry import registry_store

    with serve_app(create_app(settings, registry_store(built.release), {})) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 360])
def test_registry_fields_and_figures_per_year_fit_and_have_no_errors(
    browser: Browser, registry_site: str, width: int
) -> None:
    """A KKB's registry fields and annual records, the chart and tables per year on the landing
    and a kecamatan page, a year's own page: no sideways scrolling, console errors, external
    requests or accessibility violations, on a desktop and on a phone."""
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: None if r.url.startswith(registry_site) else problems.append(r.url))
    for path in (
        "/?lang=en",
        "/id/kkb/62.04.06.2020",
        "/id/district/62.04.06?lang=en",
        "/id/kkb/62.04.06.2020/2024",
    ):
        page.goto(registry_site + path)
        if "kkb" not in path or path.endswith("2020"):
            shown = "#annual-records" if path.endswith("2020") else "svg.stacked"
            assert page.locator(shown).is_visible(), path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shoot(page, f"registry{path.split('?')[0].replace('/', '-').rstrip('-')}-{width}")
        results = Axe().run(page, options=AXE_RULES)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        assert results.violations_count == 0, (path, results.generate_snapshot())
    context.close()
    assert problems == []
