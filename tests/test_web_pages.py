"""What people see: the landing page's figures, chart and map; maps and family functions on
resource pages; pages readable without JavaScript. (The browser itself: ``test_browser.py``.)"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from .doubles import CountingStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(True)


def section(html: str, start: str, end: str = "</section>") -> str:
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def roles(svg: str) -> dict[str, int]:
    """What a map draws, by role: boundaries and points alike, the page's own outline as "here"."""
    found: dict[str, int] = {}
    for role in re.findall(r'<(?:circle class="pt|path class="area) (\w+)"|class="(here)-line"', svg):
        role = "".join(role)
        found[role] = found.get(role, 0) + 1
    return found


def test_landing_has_figures_chart_map_and_list(client: FlaskClient) -> None:
    html = html_of(client, "/?lang=en")
    figures = section(html, '<ul class="figures">', "</ul>")
    for figure in (
        "<strong>15</strong> KKB",
        "<strong>6</strong>",
        "<strong>93</strong>",
        "<strong>valid</strong>",
    ):
        assert figure in figures
    chart = section(html, '<svg class="bars"', "</svg>")
    bars = re.findall(r'<a href="(/id/district/[\d.]+)">\s*<text[^>]*>([^<]+)</text>', chart)
    assert len(bars) == 6 and ("/id/district/62.04.06", "Dusun Selatan") in bars
    drawn = section(html, '<svg class="map"', "</svg>")
    # 93 villages, the 15 KKB marked; the borders of the regency and its 6 kecamatan
    assert roles(drawn) == {"kkb": 15, "other": 78, "outline": 7}
    assert len(re.findall(r'<a href="/id/village/[\d.]+">\s*<path class="area kkb"', drawn)) == 15
    listed = section(html, '<table id="kkb-list"', "</table>")
    assert listed.count("<tr>") == 16  # header + 15 KKB, each with its position
    assert "Kalahien" in listed and "-1.598742, 114.718257" in listed
    assert 'href="#kkb-list"' in html  # the map points to its text fallback


def test_landing_links_everything_a_visitor_needs(client: FlaskClient) -> None:
    html = html_of(client, "/?lang=id")
    for href in (
        '"/catalog"',
        '"/def"',
        '"/sparql"',
        '"/sparql#examples"',
        '"/.well-known/void"',
        '"/dumps/kkb.ttl"',
        '"/id/regency/62.04"',
    ):
        assert f"href={href}" in html, href
    assert "KKB per kecamatan" in html and "Peta KKB" in html


def test_pages_are_readable_without_javascript(client: FlaskClient) -> None:
    for path in ("/", "/id/kkb/62.04.06.2020", "/id/district/62.04.06", "/def"):
        html = html_of(client, path)
        assert "<script src" not in html, path  # nothing to run: JavaScript only enhances
        assert '<a class="skip" href="#main">' in html and '<main id="main"' in html
        assert re.search(r'<html lang="(id|en)">', html)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_kkb_page_shows_the_eight_family_functions(client: FlaskClient) -> None:
    html = html_of(client, "/id/kkb/62.04.06.2020?lang=en")
    functions = section(html, '<ol class="functions">', "</ol>")
    items = re.findall(r'<li( class="worked")?><span class="n" aria-hidden="true">(\d)</span>', functions)
    assert [n for _, n in items] == [str(n) for n in range(1, 9)]
    assert all(worked for worked, _ in items)  # both activities strengthen all eight
    assert "Religious function" in functions
    assert functions.count("2021</a>: Carried out") == 8 and functions.count("2022</a>: Planned") == 8
    assert "8 / 8" in html


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/id/village/62.04.06.2020", {"here": 1, "kkb": 15, "other": 78, "outline": 7}),
        ("/id/kkb/62.04.06.2020", {"here": 1, "kkb": 15, "other": 78, "outline": 7}),
        ("/id/district/62.04.06", {"here": 1, "inside": 24, "kkb": 3, "other": 66, "outline": 7}),
        ("/id/regency/62.04", {"here": 1, "inside": 78, "kkb": 15, "outline": 7}),
        ("/id/province/62", {"here": 1, "inside": 78, "kkb": 15, "outline": 8}),
    ],
)
def test_places_show_where_they_are(client: FlaskClient, path: str, expected: dict) -> None:
    html = html_of(client, path)
    assert roles(section(html, '<svg class="map"', "</svg>")) == expected


def test_pages_of_things_without_a_place_have_no_map(client: FlaskClient) -> None:
    for path in ("/id/org/dppkbp3a-barito-selatan", "/id/source/antara-buntok-kkb"):
        assert '<svg class="map"' not in html_of(client, path), path


def test_breadcrumbs_are_an_ordered_trail_ending_at_the_page(client: FlaskClient) -> None:
    crumbs = section(html_of(client, "/id/village/62.04.06.2020"), '<nav class="crumbs"', "</nav>")
    names = re.findall(r"<li[^>]*>(?:<a [^>]*>)?([^<]+)", crumbs)
    assert names == ["Kalimantan Tengah", "Kabupaten Barito Selatan", "Dusun Selatan", "Kalahien"]
    assert '<li aria-current="page">Kalahien</li>' in crumbs


def test_language_links_keep_the_rest_of_the_address(client: FlaskClient) -> None:
    html = html_of(client, "/sparql?query=ASK+%7B%7D&format=html&lang=en")
    switch = section(html, '<span class="langs"', "</span>")
    link = re.search(r'href="\?([^"]+)" hreflang="id"', switch)
    assert link is not None
    assert set(link.group(1).replace("&amp;", "&").split("&")) == {
        "query=ASK+%7B%7D",
        "format=html",
        "lang=id",
    }


def test_ontology_page_tables_domains_and_ranges(client: FlaskClient) -> None:
    html = html_of(client, "/def?lang=en")
    table = section(html, '<table class="relations">', "</table>")
    row = re.search(r'<tr><td>(.*?)</td><td><a href="#partOf">kkb:partOf</a></td><td>(.*?)</td>', table)
    assert row is not None and "Administrative unit" in row.group(1) and "Administrative unit" in row.group(2)
    assert "Subclass of" in html


def test_a_page_is_drawn_once_per_release_and_language(settings, store, release) -> None:  # noqa: ANN001
    from kkb_lod.web import create_app

    counting = CountingStore(store)
    client = create_app(settings, counting, release).test_client()  # type: ignore[arg-type]
    first = html_of(client, "/id/village/62.04.06.2020?lang=en")
    asked = counting.queries
    assert asked > 0
    assert html_of(client, "/id/village/62.04.06.2020?lang=en") == first
    assert counting.queries == asked  # served from the page cache: the store was not asked
    other = html_of(client, "/id/village/62.04.06.2020?lang=id")
    assert counting.queries > asked and other != first  # each language is its own page
    for _ in range(2):
        assert client.get("/id/village/62.04.06.2099").status_code == 404
    missing = counting.queries
    client.get("/id/village/62.04.06.2099")
    assert counting.queries > missing  # a 404 is not kept


def test_without_a_release_id_nothing_is_kept(settings, store) -> None:  # noqa: ANN001
    from kkb_lod.web import create_app

    counting = CountingStore(store)
    client = create_app(settings, counting, {}).test_client()  # type: ignore[arg-type]
    html_of(client, "/id/village/62.04.06.2020")
    asked = counting.queries
    html_of(client, "/id/village/62.04.06.2020")
    assert counting.queries == 2 * asked  # a remote store may change under us: ask again


def test_the_page_cache_is_bounded(settings, store, release) -> None:  # noqa: ANN001
    from kkb_lod.web import create_app, kkb
    from kkb_lod.web._pages import remembered

    with create_app(settings, store, release).app_context():
        kkb().pages.size = 2
        made: list[str] = []

        def draw(name: str) -> str:
            return remembered((name,), lambda: made.append(name) or name)

        for name in ("a", "b", "a", "c", "a", "b"):  # b is dropped when c comes
            assert draw(name) == name
        assert made == ["a", "b", "c", "b"]


def test_landing_links_the_catalogue_in_every_rdf_format(client: FlaskClient) -> None:
    html = html_of(client, "/")
    for suffix, media_type in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
    ):
        assert f'<link rel="alternate" type="{media_type}" href="/catalog.{suffix}">' in html
        assert client.get(f"/catalog.{suffix}").mimetype == media_type


def test_landing_counts_by_a_coarser_level_when_kecamatan_are_too_many(settings) -> None:  # noqa: ANN001
    """A national registry has KKB in thousands of kecamatan: the chart then counts per regency
    (test data in a private store, never published)."""
    import pyoxigraph as ox

    from kkb_lod.store import OxigraphStore
    from kkb_lod.web import create_app
    from kkb_lod.web._charts import MAX_BARS

    kkb, rdf_type = "https://w3id.org/kkb/def#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store = OxigraphStore()

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        store.ox.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o))

    base = "https://w3id.org/kkb/id/"
    for r in (1, 2):
        add(f"{base}regency/99.0{r}", label.value, ox.Literal(f"Kabupaten Uji {r}", language="id"))
    for n in range(MAX_BARS + 5):
        r = 1 + n % 2
        district, village = f"{base}district/99.0{r}.{n + 10}", f"{base}village/99.0{r}.{n + 10}.2001"
        add(district, kkb + "partOf", ox.NamedNode(f"{base}regency/99.0{r}"))
        add(district, label.value, ox.Literal(f"Kecamatan {n}", language="id"))
        add(village, kkb + "partOf", ox.NamedNode(district))
        add(village, label.value, ox.Literal(f"Desa {n}", language="id"))
        add(f"{base}kkb/99.0{r}.{n + 10}.2001", rdf_type, ox.NamedNode(kkb + "KKBDesignation"))
        add(f"{base}kkb/99.0{r}.{n + 10}.2001", kkb + "village", ox.NamedNode(village))
        add(f"{base}kkb/99.0{r}.{n + 10}.2001", label.value, ox.Literal(f"KKB {n}", language="en"))
    client = create_app(settings, store, {"id": "test"}).test_client()
    html = html_of(client, "/?lang=en")
    assert '<h2 id="per-district">KKB per regency or city</h2>' in html
    chart = section(html, '<svg class="bars"', "</svg>")
    assert chart.count('<rect class="bar"') == 2 and "Kabupaten Uji 1" in chart
    assert section(html, '<table id="kkb-list"', "</table>").count("<tr>") == MAX_BARS + 6


def test_every_process_answers_a_current_client_304(settings, store, release) -> None:  # noqa: ANN001
    """A release never changes while served: a matching If-None-Match or If-Modified-Since is
    answered 304, with the validators, by a process that has not drawn the page before."""
    from kkb_lod.web import create_app

    drawn = (
        create_app(settings, store, release)
        .test_client()
        .get("/id/village/62.04.06.2020?lang=en", headers={"Accept": "text/html"})
    )
    for header, value in (
        ("If-None-Match", drawn.headers["ETag"]),
        ("If-Modified-Since", drawn.headers["Last-Modified"]),
    ):
        fresh = create_app(settings, store, release).test_client()
        again = fresh.get("/id/village/62.04.06.2020?lang=en", headers={"Accept": "text/html", header: value})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == drawn.headers["ETag"]
        assert again.headers["Content-Location"] == drawn.headers["Content-Location"]
    stale = fresh.get(
        "/id/village/62.04.06.2020?lang=en", headers={"Accept": "text/html", "If-None-Match": '"older"'}
    )
    assert stale.status_code == 200 and stale.get_data() == drawn.get_data()


def test_a_named_graph_of_ours_is_linked_and_a_malformed_one_is_not(app) -> None:  # noqa: ANN001
    """``{base}graph/{name}`` links to its page when ``name`` is a graph name, never otherwise."""
    from kkb_lod.web._pages import local_url

    base = app.extensions["kkb"].settings.base_iri
    with app.test_request_context("/"):
        assert local_url(f"{base}graph/registry") == "/graph/registry"
        assert local_url(f"{base}graph/Not%20a%20name") is None
        assert local_url(f"{base}graph/") is None


def test_the_current_releases_pages_are_kept_once_whatever_else_the_address_asks(
    settings,  # noqa: ANN001
    store,  # noqa: ANN001
    release,  # noqa: ANN001
) -> None:
    """The current release's page does not depend on unknown parameters: a second address of
    the same page (``&utm_source=…``) is served from the page cache, not drawn again (only an
    older release's page, whose note names its own address, is kept per address)."""
    from kkb_lod.web import create_app

    counting = CountingStore(store)
    client = create_app(settings, counting, release).test_client()  # type: ignore[arg-type]
    first = html_of(client, "/id/village/62.04.06.2020?lang=en")
    asked = counting.queries
    assert html_of(client, "/id/village/62.04.06.2020?lang=en&utm_source=x") == first
    assert counting.queries == asked


def test_the_language_is_decided_once_a_request(app) -> None:  # noqa: ANN001
    """``page_lang`` keeps its decision for the request (``common_headers`` reads it to say
    ``Vary``), and later calls give that decision."""
    from flask import g

    from kkb_lod.web._pages import page_lang

    with app.test_request_context("/?lang=en"):
        assert page_lang() == "en" and g.kkb_lang == "en"
        g.kkb_lang = "id"  # as if decided earlier in the request
        assert page_lang() == "id"
