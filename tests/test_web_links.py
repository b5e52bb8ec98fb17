"""Pages make links only of web IRIs: ours become links to this server, other ``http``/``https``
IRIs links as they are, and an IRI of any other scheme (``javascript:``, ``data:``, ``file:`` …)
is shown as text. Checked in the HTML the server writes: the query page's result table, a
resource page (objects, properties, back-links, types) and the ontology page. (The query page in
a real browser: ``tests/test_browser.py``.)
"""

from __future__ import annotations

import urllib.parse
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from flask import Flask

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web._results import is_web, link

from .conftest import BASE

NOT_WEB = (
    "javascript:alert(1)",
    "JAVASCRIPT:alert(2)",
    "vbscript:msgbox(3)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "mailto:a@example.org",
    "urn:x-y:z",
    "tel:+62",
)
VILLAGE = BASE + "id/village/62.04.06.2020"
ONTOLOGY_GRAPH = BASE + "graph/ontology"


class Anchors(HTMLParser):
    """The ``href`` of every ``<a>`` of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_data(self, data: str) -> None:
        self.text += data


def anchors(html: str) -> Anchors:
    parser = Anchors()
    parser.feed(html)
    return parser


def safe(href: str) -> bool:
    """A link to this server (a path, a fragment, a query) or to a web IRI."""
    return (href.startswith(("/", "#", "?")) and not href.startswith("//")) or is_web(href)


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        (VILLAGE, "/id/village/62.04.06.2020"),
        (BASE, "/"),
        (BASE + "/evil.example/x", BASE + "/evil.example/x"),  # not "//evil.example/x"
        ("http://a.example/", "http://a.example/"),
        ("HTTPS://a.example/", "HTTPS://a.example/"),
        ("http:relative", "http:relative"),
        ("https://a.example:8080/x", "https://a.example:8080/x"),  # the scheme is before the first ":"
        ("https://a.example/", "https://a.example/"),
        *((iri, None) for iri in NOT_WEB),
        ("https", None),
        ("httpx://a.example/", None),
        ("javascript:http://a.example/", None),
    ],
)
def test_link(iri: str, expected: str | None) -> None:
    assert link(iri, BASE) == expected


def test_the_query_page_links_only_web_iris(client) -> None:  # noqa: ANN001
    iris = (*NOT_WEB, "http://a.example/x", VILLAGE)
    values = " ".join(f"<{iri}>" for iri in iris)
    for query in (
        f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}",
        f"CONSTRUCT {{ ?x ?x ?x }} WHERE {{ VALUES ?x {{ {values} }} }}",
    ):
        response = client.get("/sparql?format=html&query=" + urllib.parse.quote(query))
        assert response.status_code == 200
        page = anchors(response.get_data(as_text=True))
        assert all(safe(href) for href in page.hrefs), [h for h in page.hrefs if not safe(h)]
        assert "http://a.example/x" in page.hrefs and "/id/village/62.04.06.2020" in page.hrefs
        assert all(iri in page.text for iri in NOT_WEB)  # shown as text


@pytest.fixture(scope="module")
def hostile(settings: Settings, store: OxigraphStore) -> Flask:
    """The session data plus IRIs of every other scheme around one village: as objects, as
    properties, as subjects pointing at it (back-links), as its types, and in the ontology."""
    copy = ox.Store()
    copy.extend(store.ox.quads_for_pattern(None, None, None, None))
    village, graph = ox.NamedNode(VILLAGE), ox.NamedNode(BASE + "graph/registry")
    see_also = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
    for iri in NOT_WEB:
        other = ox.NamedNode(iri)
        copy.add(ox.Quad(village, see_also, other, graph))
        copy.add(ox.Quad(village, other, ox.Literal("x"), graph))
        copy.add(ox.Quad(other, ox.NamedNode(BASE + "def#partOf"), village, graph))
        copy.add(
            ox.Quad(village, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), other, graph)
        )
        copy.add(
            ox.Quad(
                ox.NamedNode(BASE + "def#village"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#range"),
                other,
                ox.NamedNode(ONTOLOGY_GRAPH),
            )
        )
    return create_app(settings, OxigraphStore(copy), {})


@pytest.mark.parametrize("path", ["/id/village/62.04.06.2020", "/id/district/62.04.06", "/def"])
def test_pages_link_only_web_iris(hostile: Flask, path: str) -> None:
    response = hostile.test_client().get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = anchors(response.get_data(as_text=True))
    assert all(safe(href) for href in page.hrefs), [h for h in page.hrefs if not safe(h)]
    if path != "/id/district/62.04.06":  # the district page shows the village, not its links
        assert sum(iri in page.text for iri in NOT_WEB) == len(NOT_WEB)  # shown, as text
    assert len(page.hrefs) > 10  # and the page's other links are still there
