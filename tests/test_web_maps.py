"""The maps of the landing, place and KKB pages as the server writes them: boundaries from the
store, named on hover (``<title>``) and as text, the KKB filled, the page's place outlined, a
legend in the page's language, and pages that stay small."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from .test_web_pages import html_of, section

#: The seven borders of the bundled registry's maps: Kabupaten Barito Selatan and its 6 kecamatan.
BORDERS = {
    "Kabupaten Barito Selatan",
    "Jenamas",
    "Dusun Hilir",
    "Karau Kuala",
    "Dusun Selatan",
    "Dusun Utara",
    "Gn. Bintang Awai",
}


def svg_of(html: str) -> str:
    return section(html, '<svg class="map"', "</svg>")


def areas(svg: str) -> list[tuple[str, str, str]]:
    """(link, role, name) of every boundary drawn."""
    return re.findall(
        r'(?:<a href="([^"]+)">)?<path class="area (\w+)" d="M[^"]+Z"[^>]*><title>([^<]+)</title>', svg
    )


@pytest.mark.parametrize(
    ("path", "here"),
    [
        ("/id/village/62.04.06.2020", "Kalahien"),
        ("/id/kkb/62.04.06.2020", "Kalahien"),
        ("/id/district/62.04.06", "Dusun Selatan"),
        ("/id/regency/62.04", "Kabupaten Barito Selatan"),
        ("/id/province/62", "Kalimantan Tengah"),
    ],
)
def test_place_maps_outline_their_place_among_named_boundaries(
    client: FlaskClient, path: str, here: str
) -> None:
    html = html_of(client, path + "?lang=en")
    svg = svg_of(html)
    drawn = areas(svg)
    villages = [(href, name) for href, role, name in drawn if role != "outline"]
    assert len(villages) == 93 and all(href.startswith("/id/village/") for href, _ in villages)
    assert len({name for _, name in villages}) >= 90  # each named (a few names recur)
    assert {name.removesuffix(" (KKB)") for _, role, name in drawn if role == "outline"} >= BORDERS
    assert sum(role == "kkb" for _, role, _ in drawn) in (3, 15)  # the KKB are filled
    assert all(name.endswith(" (KKB)") for _, role, name in drawn if role == "kkb")
    # the page's own place: one thick outline over everything, named, after all the fills
    assert svg.count('class="here-line"') == 1 == svg.count('class="here-halo"')
    assert f"<title>{here} (this page)</title>" in svg
    assert svg.rindex('class="here-line"') > svg.rindex('<path class="area ')
    legend = section(html, '<ul class="legend">', "</ul>")
    assert "This page (thick outline)" in legend and "(hatched)" in legend
    assert "Borders of districts, regencies, provinces" in legend
    names = section(html, '<details class="map-names">', "</details>")
    assert names.count("<li>") == len(drawn)
    assert f'>{here}</a> <span class="role">(' in names and "this page)" in names


def test_kkb_are_hatched_and_the_legend_shows_the_same_pattern(client: FlaskClient) -> None:
    html = html_of(client, "/?lang=id")
    svg = svg_of(html)
    assert '<pattern id="map-kkb-hatch"' in svg
    kkb = re.findall(r'<path class="area kkb" d="[^"]+" fill="url\(#map-kkb-hatch\)">', svg)
    assert len(kkb) == 15
    legend = section(html, '<ul class="legend">', "</ul>")
    assert 'fill="url(#map-kkb-hatch)"' in legend and "Kampung Keluarga Berkualitas (arsir)" in legend
    assert "Desa/kelurahan lain" in legend and "Batas kecamatan" in legend
    assert "Halaman ini" not in legend  # the landing page is no place: nothing outlined
    assert 'class="here-line"' not in svg
    assert "Nama wilayah di peta (100)" in html


def test_a_unit_links_its_geometry_and_the_geometry_page_shows_its_wkt(client: FlaskClient) -> None:
    html = html_of(client, "/id/village/62.04.06.2020?lang=en")
    assert 'href="/id/village/62.04.06.2020/geometry"' in html
    geometry = html_of(client, "/id/village/62.04.06.2020/geometry?lang=en")
    assert "POLYGON ((114.73287 -1.57286" in geometry
    assert "<h1>Boundary — Kalahien</h1>" in geometry
    assert "<h1>Batas wilayah — Kalahien</h1>" in html_of(
        client, "/id/village/62.04.06.2020/geometry?lang=id"
    )
    assert 'href="/id/source/boundaries-barito-selatan"' in geometry
    assert '<svg class="map"' not in geometry
    assert client.get("/id/village/62.04.06.2020/shape", headers={"Accept": "text/html"}).status_code == 404


def test_maps_stay_small(client: FlaskClient) -> None:
    """Boundaries are rounded to the pixel and thinned: a page with 100 of them stays under
    70 kB (it was about 20 kB with points only)."""
    for path in ("/", "/id/kkb/62.04.06.2020", "/id/province/62"):
        html = html_of(client, path)
        paths = sum(len(d) for d in re.findall(r' d="([^"]*)"', html))
        assert len(html.encode()) < 70_000 and paths < 30_000, (path, len(html), paths)
        assert not re.search(r' d="[^"]*\.\d', html)  # no decimals in path data
