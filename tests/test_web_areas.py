"""Pages of registries over several regencies, a kota and a Papua regency (the fixtures of
``tests/cases/regions``, test data on real places): the landing page's figures per regency, its
chart and map; the pages of a province, a regency and a distrik. Every figure is checked against
a SPARQL count of the same store the app serves, never against a number written here."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.pipeline import build
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import SPARQL_PROLOGUE
from kkb_lod.web import create_app

from .test_regions import BASE, NAMES, assemble
from .test_web_pages import html_of, roles, section

Served = tuple[FlaskClient, OxigraphStore]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Served]:
    """Each fixture built once and served in-process over its release's store."""
    found = {}
    for name in NAMES:
        folder = assemble(name, tmp_path_factory.mktemp(name) / "data")
        orgs = folder / "registry" / "organisations.csv"  # the first one publishes
        first = orgs.read_text().splitlines()[1].split(",")[0] if orgs.is_file() else ""
        settings = Settings(
            data_dir=folder, build_dir=folder.parent / "build", base_iri=BASE, publisher=first
        )
        release = build(settings).release
        store = OxigraphStore.from_release(release, "memory")
        manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
        manifest["path"] = str(release)
        found[name] = create_app(settings, store, manifest).test_client(), store
    return found


def rows(store: OxigraphStore, query: str) -> list[tuple[str, ...]]:
    return [
        tuple(t.value if t is not None else "" for t in row) for row in store.query(SPARQL_PROLOGUE + query)
    ]


def count(store: OxigraphStore, query: str) -> int:
    return int(rows(store, query)[0][0])


def path(iri: str) -> str:
    assert iri.startswith(BASE), iri
    return "/" + iri[len(BASE) :]


def bars(html: str) -> dict[str, tuple[str, int]]:
    """The bars of the first chart in ``html``: link -> (label, value)."""
    chart = section(html, '<svg class="bars"', "</svg>")
    found = re.findall(
        r'<a href="([^"]+)">\s*<text[^>]*>([^<]+)</text>.*?'
        r'<text class="value"[^>]*>([\d,]+)</text>',
        chart,
        re.S,
    )
    return {href: (label, int(value.replace(",", ""))) for href, label, value in found}


def table(html: str, table_id: str) -> list[list[str]]:
    """The body rows of a table as cell texts (links' text), first cell's link first."""
    body = section(html, f'<table id="{table_id}"', "</table>").split("<tbody>", 1)[1]
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        link = re.search(r'href="([^"]+)"', row)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        out.append([link.group(1) if link else "", *cells])
    return out


def test_landing_has_figures_per_regency(served) -> None:
    client, store = served["province-kalimantan-tengah"]
    expected = {
        path(r): (name, int(k), int(d), int(v))
        for r, name, k, d, v in rows(
            store,
            """
        SELECT ?r ?name (COUNT(DISTINCT ?k) AS ?kkb) (COUNT(DISTINCT ?d) AS ?ds)
               (SAMPLE(?nv) AS ?villages) WHERE {
          ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d . ?d kkb:partOf ?r .
          ?r rdfs:label ?name .
          { SELECT ?r (COUNT(DISTINCT ?v) AS ?nv) WHERE { ?v a kkb:Village ; kkb:partOf/kkb:partOf ?r }
            GROUP BY ?r } } GROUP BY ?r ?name""",
        )
    }
    assert len(expected) == 3  # the fixture's three regencies with KKB
    for lang, word in (("id", "Angka per kabupaten/kota"), ("en", "Figures per regency or city")):
        html = html_of(client, f"/?lang={lang}")
        assert word in html
        shown = {
            href: (name, int(k), int(d), int(v)) for href, name, k, d, v, _ in table(html, "regency-list")
        }
        assert shown == expected
    total = count(store, "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }")
    assert f"<strong>{total}</strong> KKB" in html
    assert "3 regencies and cities of Kalimantan Tengah Province" in html


def test_landing_charts_kkb_per_regency_linking_to_their_pages(served) -> None:
    client, store = served["province-kalimantan-tengah"]
    expected = {
        path(r): (name, int(n))
        for r, name, n in rows(
            store,
            """
        SELECT ?r ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {
          ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r . ?r rdfs:label ?name
        } GROUP BY ?r ?name""",
        )
    }
    html = html_of(client, "/?lang=en")
    assert "KKB per regency or city" in html
    assert bars(html) == expected and all(h.startswith("/id/regency/") for h in expected)
    for href in expected:  # every bar leads to a page that answers
        assert client.get(href, headers={"Accept": "text/html"}).status_code == 200


def test_landing_map_has_kkb_villages_regencies_and_their_lists(served) -> None:
    client, store = served["province-kalimantan-tengah"]
    html = html_of(client, "/?lang=id")
    drawn = section(html, '<svg class="map"', "</svg>")
    kkb = count(
        store,
        """SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {
        ?k a kkb:KKBDesignation ; kkb:village ?v . ?v geo:lat ?lat }""",
    )
    regencies = rows(
        store,
        """SELECT DISTINCT ?r ?name WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r .
        ?r rdfs:label ?name ; geo:lat ?lat }""",
    )
    others = count(
        store,
        """SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r .
        ?v a kkb:Village ; kkb:partOf/kkb:partOf ?r ; geo:lat ?lat .
        FILTER NOT EXISTS { ?any kkb:village ?v } }""",
    )
    # each regency also drawn as its border (the packaged national boundaries)
    assert roles(drawn) == {"kkb": kkb, "regency": len(regencies), "other": others, "outline": len(regencies)}
    for iri, name in regencies:  # each regency drawn, named and linked
        assert re.search(rf'<a href="{re.escape(path(iri))}">\s*<circle class="pt regency"', drawn)
        assert 'class="regency-label"' in drawn and f">{name}</text>" in drawn
    listed = table(html, "kkb-list")
    total = count(store, "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }")
    assert len(listed) == total
    assert len(table(html, "regency-list")) == len(regencies)
    assert 'href="#kkb-list"' in html and 'href="#regency-list"' in html
    assert "Kabupaten/kota (titik tengah)" in html


def test_province_page_sums_up_its_regencies_and_links_down(served) -> None:
    client, store = served["province-kalimantan-tengah"]
    province = rows(store, "SELECT ?p WHERE { ?p a kkb:Province }")[0][0]
    per = {
        path(r): (name, int(n))
        for r, name, n in rows(
            store,
            f"""
        SELECT ?r ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {{
          ?r kkb:partOf <{province}> ; rdfs:label ?name .
          OPTIONAL {{ ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r }}
        }} GROUP BY ?r ?name""",
        )
    }
    villages = count(
        store,
        f"""SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {{
        ?v a kkb:Village ; kkb:partOf/kkb:partOf/kkb:partOf <{province}> }}""",
    )
    html = html_of(client, path(province) + "?lang=id")
    summary = section(html, '<section class="summary"')
    assert "KKB di Provinsi Kalimantan Tengah" in summary
    figures = section(summary, '<ul class="figures">', "</ul>")
    assert f"<strong>{sum(n for _, n in per.values())}</strong> KKB" in figures
    assert f"<strong>{len(per)}</strong> kabupaten/kota" in figures
    assert f"<strong>{villages}</strong> desa/kelurahan" in figures
    assert bars(summary) == per
    assert {href: (name, int(k)) for href, name, k, _ in table(summary, "units-list")} == per
    assert 'href="#units-list"' in section(html, '<section class="where"')  # the map's text list


def test_regency_page_charts_kkb_per_kecamatan(served) -> None:
    client, store = served["province-kalimantan-tengah"]
    regency = BASE + "id/regency/62.06"  # Katingan, Galinggang's regency
    per = {
        path(d): (name, int(n))
        for d, name, n in rows(
            store,
            f"""
        SELECT ?d ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {{
          ?d kkb:partOf <{regency}> ; rdfs:label ?name .
          OPTIONAL {{ ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d }}
        }} GROUP BY ?d ?name""",
        )
    }
    assert len(per) > 1 and any(n for _, n in per.values())
    html = html_of(client, path(regency) + "?lang=en")
    summary = section(html, '<section class="summary"')
    assert bars(summary) == per and "Number of KKB per district" in summary
    villages = {
        path(d): int(n)
        for d, n in rows(
            store,
            f"""SELECT ?d (COUNT(?v) AS ?n) WHERE {{
        ?d kkb:partOf <{regency}> . ?v a kkb:Village ; kkb:partOf ?d }} GROUP BY ?d""",
        )
    }
    assert {href: int(v) for href, _, _, v in table(summary, "units-list")} == villages


def test_a_distrik_page_says_distrik(served) -> None:
    client, store = served["papua-jayapura"]
    district = BASE + "id/district/91.03.01"  # Sentani, Kabupaten Jayapura, Papua
    kkb = count(
        store,
        f"""SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE {{
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf <{district}> }}""",
    )
    villages = {
        path(v): name
        for v, name in rows(
            store,
            f"""SELECT ?v ?name WHERE {{
        ?v a kkb:Village ; kkb:partOf <{district}> ; rdfs:label ?name }}""",
        )
    }
    html = html_of(client, path(district) + "?lang=id")
    assert '<a href="/def#District">Distrik</a>' in html and ">Kecamatan</a>" not in html
    summary = section(html, '<section class="summary"')
    assert "KKB di Distrik Sentani" in summary and f"<strong>{kkb}</strong> KKB" in summary
    assert {href: name for href, name, _ in table(summary, "units-list")} == villages
    english = html_of(client, path(district) + "?lang=en")
    assert "KKB in Sentani district (distrik)" in english
    assert '<a href="/def#District">District (distrik)</a>' in english
    landing = html_of(client, "/?lang=id")
    assert "KKB per distrik" in landing and "distriknya" in landing
    assert '<th scope="col">Distrik</th>' in landing
    # elsewhere a district stays a kecamatan
    kota = html_of(served["kota-palangkaraya"][0], "/id/district/62.71.01?lang=id")
    assert '<a href="/def#District">Kecamatan</a>' in kota and "KKB di Kecamatan" in kota


def test_a_registry_of_one_regency_keeps_the_single_regency_landing(served) -> None:
    """A kota's registry: KKB per kecamatan, no per-regency table, no regency points."""
    client, store = served["kota-palangkaraya"]
    html = html_of(client, "/?lang=en")
    per = {
        path(d): (name, int(n))
        for d, name, n in rows(
            store,
            """
        SELECT ?d ?name (COUNT(DISTINCT ?k) AS ?n) WHERE {
          ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d . ?d rdfs:label ?name
        } GROUP BY ?d ?name""",
        )
    }
    assert "KKB per district (kecamatan)" in html and bars(html) == per
    assert 'id="regency-list"' not in html and "pt regency" not in html
    assert "registry of Palangkaraya City, Kalimantan Tengah" in html
    assert '<a href="/id/regency/62.71">Kota Palangkaraya</a>' in html


def test_the_bundled_landing_has_no_per_regency_parts(client: FlaskClient) -> None:
    html = html_of(client, "/?lang=id")
    assert 'id="regency-list"' not in html and "pt regency" not in html
    assert "Kabupaten Barito Selatan, Kalimantan Tengah" in html


def test_a_registry_over_many_regencies_charts_per_province(settings: Settings) -> None:
    """Beyond 40 regencies with KKB the landing chart counts per province (bars linking to the
    province pages) while the table still gives every regency. A store made here: two provinces,
    45 regencies, one KKB each (test data, never published)."""
    import pyoxigraph as ox

    store = OxigraphStore()
    kkb, rdfs = "https://w3id.org/kkb/def#", "http://www.w3.org/2000/01/rdf-schema#"

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        store.ox.add(ox.Quad(ox.NamedNode(BASE + s), ox.NamedNode(p), o))

    a = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for n in range(45):
        province, regency = f"{91 + n % 2}", f"{91 + n % 2}.{n + 1:02d}"
        district, village = f"{regency}.01", f"{regency}.01.2001"
        add(f"id/province/{province}", a, ox.NamedNode(kkb + "Province"))
        add(f"id/province/{province}", rdfs + "label", ox.Literal(f"Provinsi Uji {province}"))
        add(f"id/province/{province}", kkb + "kemendagriCode", ox.Literal(province))
        for iri, cls, up in (
            (f"id/regency/{regency}", "RegencyOrCity", f"id/province/{province}"),
            (f"id/district/{district}", "District", f"id/regency/{regency}"),
            (f"id/village/{village}", "Village", f"id/district/{district}"),
        ):
            add(iri, a, ox.NamedNode(kkb + cls))
            add(iri, rdfs + "label", ox.Literal(f"Uji {iri.rsplit('/', 1)[1]}"))
            add(iri, kkb + "partOf", ox.NamedNode(BASE + up))
        add(f"id/kkb/{village}", a, ox.NamedNode(kkb + "KKBDesignation"))
        add(f"id/kkb/{village}", kkb + "village", ox.NamedNode(BASE + f"id/village/{village}"))
        add(f"id/kkb/{village}", rdfs + "label", ox.Literal(f"KKB {village}", language="en"))
    client = create_app(settings, store, {}).test_client()
    html = html_of(client, "/?lang=en")
    per = {
        path(p): (name, int(n))
        for p, name, n in rows(
            store,
            """
        SELECT ?p ?name (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation ;
          kkb:village/kkb:partOf/kkb:partOf/kkb:partOf ?p . ?p rdfs:label ?name } GROUP BY ?p ?name""",
        )
    }
    assert "KKB per province" in html and bars(html) == per and len(per) == 2
    assert len(table(html, "regency-list")) == 45
    assert "45 regencies and cities in 2 provinces" in html


@pytest.mark.parametrize("name", ["province-kalimantan-tengah", "kota-palangkaraya", "papua-jayapura"])
def test_the_catalog_names_the_area_the_registry_covers(served, name: str) -> None:
    """The dataset's title, keywords and schema.org description name the regencies that have
    KKB in this registry (from the data), not the bundled registry's regency."""
    from rdflib import Graph, Literal, URIRef

    from kkb_lod.names import bare_name, english_name
    from kkb_lod.vocab import DCAT, DCTERMS

    client, store = served[name]
    regencies = sorted(
        {
            r[0]
            for r in rows(
                store,
                """SELECT DISTINCT ?name WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf/rdfs:label ?name
        FILTER(lang(?name) = "id") }""",
            )
        }
    )
    assert regencies and all("Barito Selatan" not in r for r in regencies)
    g = Graph().parse(
        data=client.get("/catalog", headers={"Accept": "text/turtle"}).get_data(True), format="turtle"
    )
    dataset = URIRef(BASE + "catalog#dataset")
    titles = {str(t) for t in g.objects(dataset, DCTERMS.title)}
    keywords = set(g.objects(dataset, DCAT.keyword))
    if len(regencies) <= 3:
        assert titles == {
            "Registri Kampung Keluarga Berkualitas " + ", ".join(regencies),
            "Quality Family Village (KKB) registry of " + ", ".join(english_name(r) for r in regencies),
        }
        assert {Literal(bare_name(r), lang="id") for r in regencies} <= keywords
    else:
        assert any(f"{len(regencies)} kabupaten/kota" in t for t in titles)
    assert not any("Barito" in str(t) for t in (*titles, *keywords))
    landing = client.get("/?lang=en").get_data(True)
    schema = json.loads(section(landing, '<script type="application/ld+json">', "</script>"))
    assert "Barito" not in json.dumps(schema)
    assert schema["name"] in titles
