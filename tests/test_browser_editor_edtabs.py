"""The query page's workspace in a real browser (Debian's Chromium, Playwright): tabs kept in
local storage across reloads, the query history, and the Request panel, whose requests are
checked as the server received them (a WSGI recorder in front of the app).

The server serves two real builds (the bundled registry, then a copy without one KKB), so the
older release's endpoint ``/releases/<id>/sparql`` answers differently from the current one.
Fixtures and checks are test_browser's (any console error or request to another host fails a
test). Screenshots go to ``test-artifacts/editor-edtabs-*.png``.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page

from kkb_lod.config import Settings
from kkb_lod.pipeline import build
from kkb_lod.web._workspace import endpoints
from tests import test_browser as base
from tests.conftest import BASE, DATA
from tests.test_archive import server_app
from tests.test_browser_editor import THOUSANDS, url
from tests.test_changes import DROPPED_KKB, changed_registry

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

site, browser, page, shoot, AXE_RULES = base.site, base.browser, base.page, base.shoot, base.AXE_RULES
ASK = f"ASK {{ <{BASE}id/kkb/{DROPPED_KKB}> ?p ?o }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DEFAULT = "SELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10"


class Recorder:
    """WSGI in front of the app: what each request to a SPARQL endpoint carried, as received."""

    def __init__(self, inner: WSGIApplication) -> None:
        self.inner = inner
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").endswith("/sparql"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            headers = {
                k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
            }
            self.seen.append(
                {
                    "method": environ["REQUEST_METHOD"],
                    "path": environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"],
                    "args": parse_qs(environ.get("QUERY_STRING", "")),
                    "type": environ.get("CONTENT_TYPE", ""),
                    "body": body.decode("utf-8"),
                    "headers": headers,
                }
            )
        return self.inner(environ, start_response)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two releases: the bundled registry, then a copy without one KKB (the current one)."""
    root = tmp_path_factory.mktemp("edtabs")
    for data in (DATA, changed_registry(root / "data")):
        build(Settings(data_dir=data, build_dir=root / "build", base_iri=BASE))
    return root / "build"


@pytest.fixture(scope="module")
def older(build_dir: Path) -> str:
    return sorted(p.name for p in (build_dir / "releases").iterdir())[0]


@pytest.fixture(scope="module")
def app(build_dir: Path) -> Flask:
    """The server's app over the two builds (it serves the older one under /releases/<id>/)."""
    made = server_app(build_dir)
    made.wsgi_app = Recorder(made.wsgi_app)  # type: ignore[method-assign]
    return made


@pytest.fixture
def seen(app: Flask) -> list[dict[str, Any]]:
    recorder = app.wsgi_app
    assert isinstance(recorder, Recorder)
    recorder.seen.clear()
    return recorder.seen


def tab_names(page: Page) -> list[str]:
    return page.locator("[role=tablist] [role=tab]").all_inner_texts()


def selected(page: Page) -> str:
    return page.locator("[role=tab][aria-selected=true]").inner_text()


def editor_text(page: Page) -> str:
    return page.evaluate(
        "() => window.kkbEditor ? window.kkbEditor.text() : document.getElementById('query').value"
    )


def set_text(page: Page, text: str) -> None:
    page.locator("#query").fill(text)


def settle(page: Page) -> None:
    """Wait until the page's requests are done (the editor asks for its completions 400 ms after
    typing stops), so that opening another page aborts none of them (an aborted request fails
    the test). The first call starts following the page's requests."""
    pending: set[Any] | None = getattr(page, "kkb_in_flight", None)
    if pending is None:
        pending = set()
        page.on("request", lambda r: pending.add(r))
        page.on("requestfinished", lambda r: pending.discard(r))
        page.on("requestfailed", lambda r: pending.discard(r))
        setattr(page, "kkb_in_flight", pending)  # noqa: B010
    page.wait_for_timeout(700)  # past the editor's pause: its request, if any, has started
    quiet = 0
    for _ in range(200):
        quiet = quiet + 1 if not pending else 0
        if quiet == 3:  # and nothing more was asked since
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"requests still running: {pending}")


def unfold(page: Page, panel: str) -> None:
    """Open a panel (one left open stays open on the next page)."""
    if not page.locator(panel).evaluate("d => d.open"):
        page.locator(f"{panel} > summary").click()
    assert page.locator(panel).evaluate("d => d.open")


def violations(page: Page) -> list[Any]:
    results = Axe().run(page, options=AXE_RULES)
    return [(v["id"], [n["html"][:300] for n in v["nodes"]]) for v in results.response["violations"]]


def test_tabs_survive_a_reload_and_keep_their_addresses(page: Page, site: str) -> None:
    settle(page)  # its requests are followed from now on
    page.goto(site + "/sparql?lang=en")
    assert tab_names(page) == ["Query 1"] and page.locator("#tab-close").is_disabled()
    assert page.locator(".workbench").get_attribute("role") == "tabpanel"
    set_text(page, THOUSANDS)
    settle(page)
    page.locator("#query").press("Control+Enter")  # run: the tab keeps the answer's address
    page.wait_for_selector("#result-view nav.pager")
    page.get_by_role("button", name="Next ›").click()
    assert "Rows 101–200 of 3,000" in page.locator("#result-view nav.pager").inner_text()
    settle(page)
    page.locator("#tab-add").click()
    page.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 2")
    assert selected(page) == "Query 2" and editor_text(page) == DEFAULT
    assert page.locator("section.answer").count() == 0  # a new tab has run nothing
    page.locator("#tab-rename").click()
    page.locator("#tab-name").fill("Count")
    page.locator("#tab-name").press("Enter")
    assert tab_names(page) == ["Query 1", "Count"]
    assert page.evaluate("document.activeElement.id") == "tab-2"
    set_text(page, COUNT)  # typed, not run: kept as the tab's draft
    page.locator("#tab-2").press("Control+Shift+ArrowLeft")  # reordered by keyboard
    assert tab_names(page) == ["Count", "Query 1"]
    assert page.evaluate("document.activeElement.id") == "tab-2"
    settle(page)
    page.reload()
    assert tab_names(page) == ["Count", "Query 1"] and selected(page) == "Count"
    assert editor_text(page) == COUNT
    page.locator("#tab-2").press("ArrowRight")  # arrows move between tabs, Enter opens one
    assert page.evaluate("document.activeElement.id") == "tab-1"
    settle(page)
    page.keyboard.press("Enter")  # opens the tab's address: a new document, whose tabs come later
    page.wait_for_function("() => document.querySelector('[role=tab][aria-selected=true]')?.id === 'tab-1'")
    assert editor_text(page) == THOUSANDS
    assert "Rows 101–200 of 3,000" in page.locator("#result-view nav.pager").inner_text()  # its address
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    settle(page)
    page.locator("#tab-1").press("Delete")  # closing the open tab opens its neighbour
    page.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 1")
    assert tab_names(page) == ["Count"] and editor_text(page) == COUNT
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('kkb-lod:tabs'))")
    assert [t["name"] for t in stored["tabs"]] == ["Count"] and stored["tabs"][0]["text"] == COUNT
    assert page.locator("#tab-close").is_disabled()  # the last tab stays
    settle(page)
    page.locator("#tab-reopen").click()  # the closed tab comes back where it was, with its address
    page.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 2")
    assert tab_names(page) == ["Count", "Query 1"] and selected(page) == "Query 1"
    assert "Rows 101–200 of 3,000" in page.locator("#result-view nav.pager").inner_text()
    assert page.locator("#tab-reopen").is_disabled()


def test_the_history_lists_runs_newest_first_reopens_and_clears(page: Page, site: str) -> None:
    first, second = "ASK { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"
    settle(page)
    for query in (first, second, first):  # run again: moved to the top, not repeated
        page.goto(url(site, query, lang="en"))
    # Opened from elsewhere (no referrer), a query link takes the tab that has it, else a new one.
    assert tab_names(page) == ["Query 1", "Query 2"] and selected(page) == "Query 1"
    unfold(page, "#history-panel")
    assert page.locator("#history-panel > summary").inner_text() == "Query history (2)"
    assert "localStorage" in page.locator("#history-panel .note").inner_text()
    assert page.locator("#history-list pre").all_inner_texts() == [first, second]
    page.locator("#history-search").fill("limit")
    assert page.locator("#history-list pre").all_inner_texts() == [second]
    assert page.locator("#history-status").inner_text() == "1 of 2 queries"
    set_text(page, "")
    page.locator("#history-list").get_by_role("button", name="Open in this tab").click()
    assert editor_text(page) == second
    settle(page)
    page.locator("#history-list").get_by_role("button", name="Open in a new tab").click()
    page.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 3")
    assert selected(page) == "Query 3" and editor_text(page) == second
    page.evaluate(
        "() => { for (let i = 0; i < 120; i++) window.kkbWorkspace.remember(`ASK { ${i} }`, '/sparql'); }"
    )
    assert page.locator("#history-panel > summary").inner_text() == "Query history (100)"  # at most 100
    assert page.locator("#history-panel").evaluate("d => d.open")  # left open: open on the next page
    assert page.locator("#history-list pre").first.inner_text() == "ASK { 119 }"
    page.locator("#history-clear").click()
    assert page.locator("#history-status").inner_text() == "History cleared"
    settle(page)
    page.reload()
    assert page.locator("#history-panel > summary").inner_text() == "Query history (0)"
    assert page.locator("#history-clear").is_disabled()


@pytest.mark.parametrize(
    ("method", "verb", "sent_as"),
    [
        ("get", "GET", ""),
        ("form", "POST", "application/x-www-form-urlencoded;charset=UTF-8"),
        ("direct", "POST", "application/sparql-query;charset=UTF-8"),
    ],
)
def test_each_method_reaches_the_server_as_chosen(
    page: Page, site: str, seen: list[dict[str, Any]], method: str, verb: str, sent_as: str
) -> None:
    graph = f"{BASE}graph/registry"
    page.goto(site + "/sparql?lang=en")
    set_text(page, COUNT)
    unfold(page, "#request-panel")
    page.locator("#request-method").select_option(method)
    page.locator("#request-accept").select_option("text/csv")
    page.locator("#request-default").fill(graph)
    page.locator("#request-default").blur()
    page.locator("#request-add-header").click()
    page.locator(".header-name").last.fill("X-Kkb-Probe")
    page.locator(".header-value").last.fill(f"sent by {method}")
    page.locator("#request-add-header").click()
    page.locator(".header-name").last.fill("Cookie")  # a header a page may not set: said so
    page.locator(".header-value").last.fill("a=b")
    page.locator("#request-add-arg").click()  # an extra argument, where the method puts them
    page.locator(".arg-name").last.fill("probe")
    page.locator(".arg-value").last.fill("é&=")
    seen.clear()
    page.locator("#request-send").click()
    page.wait_for_function("() => document.getElementById('request-status').textContent.startsWith('HTTP')")
    assert page.locator("#request-status-line").inner_text() == "HTTP 200 OK"
    assert "content-type: text/csv" in page.locator("#request-got").inner_text()
    body = page.locator("#request-body").inner_text().splitlines()
    assert body[0] == "n" and int(body[1]) > 0
    assert "“Cookie” not sent" in page.locator("#request-answer").inner_text()
    assert page.locator("#request-sent").inner_text().startswith(f"{verb} /sparql")
    curl = page.locator("#request-curl").text_content() or ""
    again = subprocess.run(["bash", "-c", curl], capture_output=True, check=True, text=True, timeout=60)
    assert again.stdout.splitlines() == body  # the same request, from a shell
    assert seen[-1]["method"] == verb and seen[-1]["type"] == sent_as and seen[-1]["body"] == seen[0]["body"]
    seen.pop()
    (request,) = seen
    assert request["method"] == verb and request["path"] == "/sparql"
    assert request["type"] == sent_as
    assert request["headers"]["x-kkb-probe"] == f"sent by {method}"
    assert request["headers"]["accept"] == "text/csv" and "a=b" not in request["headers"].get("cookie", "")
    if method == "get":
        assert request["args"] == {"query": [COUNT], "default-graph-uri": [graph], "probe": ["é&="]}
        assert not request["body"]
    elif method == "form":
        assert parse_qs(request["body"]) == {"query": [COUNT], "default-graph-uri": [graph], "probe": ["é&="]}
    else:
        assert request["body"] == COUNT and request["args"] == {
            "default-graph-uri": [graph],
            "probe": ["é&="],
        }
    everything = page.evaluate(
        "async q => (await (await fetch('/sparql?query=' + encodeURIComponent(q), "
        "{headers: {Accept: 'text/csv'}})).text()).split('\\r\\n')[1]",
        COUNT,
    )
    assert int(everything) > int(body[1])  # the graph was the dataset: fewer triples than all
    query = parse_qs(urlsplit(page.url).query)  # the choices are in the address (not the headers)
    assert query.get("rq-method", ["get"]) == [method] and query["rq-accept"] == ["text/csv"]
    assert (
        query["rq-default-graph-uri"] == [graph] and "X-Kkb-Probe" not in page.url and "probe" not in page.url
    )
    settle(page)
    page.reload()
    unfold(page, "#request-panel")
    assert page.locator("#request-method").input_value() == method
    assert page.locator(".header-name").first.input_value() == "X-Kkb-Probe"  # the tab keeps them
    assert page.locator(".arg-value").first.input_value() == "é&="
    assert page.locator("#request-default").input_value() == graph
    history = page.evaluate("() => JSON.parse(localStorage.getItem('kkb-lod:history'))")
    assert history[0]["query"] == COUNT and history[0]["endpoint"] == "/sparql"


def test_an_older_release_endpoint_is_used(
    page: Page, site: str, seen: list[dict[str, Any]], older: str
) -> None:
    page.goto(site + "/sparql?lang=en")
    set_text(page, ASK)
    unfold(page, "#request-panel")
    options = page.locator("#request-endpoint option").all_inner_texts()
    assert options[0].startswith("Current release ") and options[0].endswith("(this page) — /sparql")
    assert options[1].startswith(f"Older release {older}") and options[1].endswith(
        f"— /releases/{older}/sparql"
    )
    page.locator("#request-accept").select_option("application/sparql-results+json")
    for path, answer in (("/sparql", False), (f"/releases/{older}/sparql", True)):
        page.locator("#request-endpoint").select_option(path)
        page.locator("#request-method").select_option("direct")
        page.locator("#request-send").click()
        page.wait_for_function(
            "p => (document.getElementById('request-sent') || {textContent: ''})"
            ".textContent.startsWith('POST ' + p)",
            arg=path,
        )
        assert json.loads(page.locator("#request-body").inner_text())["boolean"] is answer
        assert seen[-1]["path"] == path and seen[-1]["method"] == "POST"
    assert parse_qs(urlsplit(page.url).query)["rq-endpoint"] == [f"/releases/{older}/sparql"]
    settle(page)
    page.locator("#query").press("Control+Enter")  # Run opens the chosen release's page
    page.wait_for_function("p => location.pathname === p", arg=f"/releases/{older}/sparql")
    page.wait_for_selector("section.answer")
    assert older in page.locator("#archived").inner_text()
    assert page.locator("section.answer .boolean").inner_text() == "true"
    unfold(page, "#request-panel")
    here = page.locator("#request-endpoint option:checked").inner_text()
    assert here.startswith(f"Older release {older}") and "(this page)" in here
    assert page.locator("#request-endpoint option").first.inner_text() == "Current release — /sparql"
    assert tab_names(page) == ["Query 1"]  # the same tab, on the older release's page


def test_the_endpoints_are_those_served(app: Flask, older: str) -> None:
    """The page's data lists the current release and each older one, under the script root."""
    with app.test_request_context("/sparql", base_url="http://localhost/kkb/"):
        found = endpoints()
    assert [e["path"] for e in found] == ["/kkb/sparql", f"/kkb/releases/{older}/sparql"]
    assert [e["current"] for e in found] == [True, False] and found[1]["id"] == older


@pytest.mark.parametrize(("width", "lang"), [(1280, "en"), (360, "id")])
def test_tabs_and_panels_are_accessible_and_fit(browser: Browser, site: str, width: int, lang: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url(site, "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 3", lang=lang))
    page.locator("#tab-add").click()
    page.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 2")
    page.goto(url(site, COUNT, lang=lang))
    page.locator("#tab-rename").click()  # the rename form open too
    unfold(page, "#history-panel")
    unfold(page, "#request-panel")
    page.locator("#request-add-header").click()
    page.locator(".header-name").last.fill("X-Demo")
    page.locator(".header-value").last.fill("1")
    page.locator("#request-send").click()
    page.wait_for_function("() => !document.getElementById('request-answer').hidden")
    said = {
        "id": ("Permintaan (titik akhir, metode, header, graf)", "Disimpan hanya di peramban ini", "Kueri 1"),
        "en": ("Request (endpoint, method, headers, graphs)", "Kept in this browser only", "Query 1"),
    }[lang]
    assert page.locator("#request-panel > summary").inner_text() == said[0]  # in the page's language
    assert page.locator("#history-panel .note").inner_text().startswith(said[1])
    assert tab_names(page)[0] == said[2]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, f"editor-edtabs-{width}-{lang}")
    found = violations(page)
    sizes = page.evaluate(
        "() => [...document.querySelectorAll("
        "'.tabs-bar button, .workspace-panels button, .workspace-panels summary')]"
        ".map(b => [b.textContent, b.getBoundingClientRect().height])"
    )
    context.close()
    assert found == []
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    assert all(h >= 24 for _, h in sizes), sizes
    assert errors == []


def test_without_a_workspace_script_the_page_still_runs(browser: Browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/sparql?lang=en")
    assert page.locator("[role=tablist]").count() == 0 and page.locator("#request-panel").count() == 0
    page.locator("#query").fill(COUNT)
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 1
    context.close()


def test_two_windows_share_the_tabs_without_undoing_each_other(browser: Browser, site: str) -> None:
    context = browser.new_context(locale="en-GB")
    first, second = context.new_page(), context.new_page()
    settle(first)
    settle(second)
    first.goto(site + "/sparql?lang=en")
    second.goto(site + "/sparql?lang=en")
    settle(second)
    second.locator("#tab-add").click()  # in the other window
    second.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 2")
    first.wait_for_function("() => document.querySelectorAll('[role=tab]').length === 2")  # followed
    set_text(first, COUNT)
    settle(first)
    first.reload()  # what this window writes keeps the other's tab
    assert tab_names(first) == ["Query 1", "Query 2"] and editor_text(first) == COUNT
    context.close()
