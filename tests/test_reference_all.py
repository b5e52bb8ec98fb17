"""``reference = all``: the whole country's official units as a graph and a dataset of their own.

One real build of the bundled registry with every official unit (1.5 million triples: the slowest
fixture of the suite, built once for the module), served by the app over an in-memory store of
its dump; what it publishes is compared with the bundled reference, and the pages that could grow
with it (landing, province, regency, sitemap) are fetched.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, URIRef

from kkb_lod.catalog import REFERENCE_DUMP
from kkb_lod.cli import cli
from kkb_lod.config import Settings, SettingsError
from kkb_lod.pipeline import BuildResult, build
from kkb_lod.reference import national_units, wikidata_rows
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import DCAT, RDF, SPARQL_PROLOGUE
from kkb_lod.web import create_app
from kkb_lod.web._places import MAX_CONTEXT_POINTS
from kkb_lod.web.catalog import SITEMAP_URLS

from .conftest import BASE, DATA, PUBLISHER
from .test_web_catalog import shapes

REFERENCE = BASE + "graph/reference"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, OxigraphStore]:
    out = tmp_path_factory.mktemp("national")
    settings = Settings(data_dir=DATA, build_dir=out, base_iri=BASE, reference="all", build_store="none")
    result = build(settings)
    return result, OxigraphStore.from_release(result.release, "memory")


@pytest.fixture(scope="module")
def client(national: tuple[BuildResult, OxigraphStore]) -> FlaskClient:
    result, store = national
    release = json.loads((result.release / "manifest.json").read_text("utf-8"))
    release["path"] = str(result.release)
    settings = Settings(
        data_dir=DATA, build_dir=result.release.parents[1], base_iri=BASE, publisher=PUBLISHER
    )
    return create_app(settings, store, release).test_client()


def count(store: OxigraphStore, query: str) -> int:
    return int(next(iter(store.query(SPARQL_PROLOGUE + query)))[0].value)


def test_every_official_unit_is_in_graph_reference(national) -> None:
    _, store = national
    published = {
        row[0].value.rsplit("#", 1)[1]: int(row[1].value)
        for row in store.query(
            SPARQL_PROLOGUE
            + f"""SELECT ?c (COUNT(?u) AS ?n) WHERE {{ GRAPH <{REFERENCE}> {{
        VALUES ?c {{ kkb:Province kkb:RegencyOrCity kkb:District kkb:Village }} ?u a ?c }} }}
        GROUP BY ?c"""
        )
    }
    official = Counter(u.level for u in national_units())
    assert published == {
        "Province": official["province"],
        "RegencyOrCity": official["regency"],
        "District": official["district"],
        "Village": official["village"],
    }
    names = count(
        store,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REFERENCE}> {{
        ?u kkb:kemendagriCode "62.06.01.2001" ; rdfs:label "Galinggang"@id }} }}""",
    )
    assert names == 1


def test_units_of_graph_reference_carry_their_earlier_names(national) -> None:
    """Geragu (62.06.04.2012, Katingan: outside the bundled registry) was "Garagu" in an earlier
    edition; that name, sourced to its edition, is published with the unit in graph reference."""
    from kkb_lod.history import load_history

    _, store = national
    earlier = [n.name for n in load_history().earlier_names("62.06.04.2012")]
    assert "Garagu" in earlier
    names = {
        row[0].value
        for row in store.query(
            SPARQL_PROLOGUE
            + f"""
        SELECT ?name WHERE {{ GRAPH <{REFERENCE}> {{
        ?u kkb:kemendagriCode "62.06.04.2012" ; kkb:earlierName ?r . ?r rdfs:label ?name ;
           dcterms:source ?edition . ?edition a kkb:SourceDocument }} }}"""
        )
    }
    assert names == set(earlier)


def test_the_registry_graphs_are_unchanged(national, built: BuildResult) -> None:
    """The covered units, registry and ontology are those of the default build."""
    result, _ = national
    assert {k: v for k, v in result.graphs.items() if k not in ("reference", "links/wikidata")} == {
        k: v for k, v in built.graphs.items() if k != "links/wikidata"
    }
    assert "reference" not in built.graphs


def test_provinces_and_regencies_are_linked_to_wikidata(national) -> None:
    """Every province and regency the bundled Q-id file pairs with a 2025 code gets owl:sameAs,
    in the one linkset; nothing below regency level."""
    _, store = national
    links = {
        (row[0].value, row[1].value)
        for row in store.query(
            SPARQL_PROLOGUE
            + """
        SELECT ?code ?item WHERE { ?u kkb:kemendagriCode ?code ; owl:sameAs ?item }"""
        )
    }
    assert links == {
        (r["code"], f"http://www.wikidata.org/entity/{r['wikidata_qid']}")
        for r in wikidata_rows()
        if r["code"]
    }
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?l a void:Linkset }") == 1


def test_the_catalog_describes_the_reference_as_a_second_dataset(client: FlaskClient, national) -> None:
    result, _ = national
    graph = Graph().parse(data=client.get("/catalog.ttl").get_data(as_text=True), format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    reference = URIRef(BASE + "catalog#reference")
    assert datasets == {URIRef(BASE + "catalog#dataset"), reference}
    downloads = {
        str(u)
        for d in graph.objects(reference, DCAT.distribution)
        for u in graph.objects(d, DCAT.downloadURL)
    }
    assert downloads == {f"http://localhost/dumps/{result.release.name}/{REFERENCE_DUMP}"}
    main = {
        str(u)
        for d in graph.objects(URIRef(BASE + "catalog#dataset"), DCAT.distribution)
        for u in graph.objects(d, DCAT.downloadURL)
    }
    assert not any(url.endswith("/" + REFERENCE_DUMP) for url in main)
    with client.get(f"/dumps/{REFERENCE_DUMP}") as dump:
        assert dump.status_code == 200
        lines = gzip.decompress(dump.get_data()).decode("utf-8").splitlines()
    assert len(lines) == result.graphs["reference"] and lines == sorted(set(lines))


def test_the_catalog_with_two_datasets_conforms_to_dcat_ap_3(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl").get_data(as_text=True), format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes("dcat-ap_3_shacl_shapes.ttl"), inference="none")
    assert conforms, text


def test_the_sitemap_is_split_under_the_protocol_limit(client: FlaskClient, national) -> None:
    _, store = national
    subjects = count(
        store,
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}""",
    )
    index = client.get("/sitemap.xml").get_data(as_text=True)
    parts = re.findall(r"<sitemap><loc>http://localhost(/sitemap-\d+\.xml)</loc>", index)
    assert "<sitemapindex" in index and len(parts) == -(-(subjects + 1) // SITEMAP_URLS) > 1
    urls: list[str] = []
    for part in parts:
        found = re.findall(
            r"<url><loc>([^<]+)</loc><lastmod>[^<]+</lastmod></url>", client.get(part).get_data(as_text=True)
        )
        assert 0 < len(found) <= SITEMAP_URLS
        urls += found
    assert len(urls) == len(set(urls)) == subjects + 1
    last = national_units()[-1]
    assert f"http://localhost/id/{last.level}/{last.code}" in urls
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


@pytest.mark.parametrize(
    "path", ["/", "/id/province/62", "/id/regency/62.06", "/id/province/11", "/id/regency/91.03"]
)
def test_pages_stay_bounded_at_national_size(client: FlaskClient, path: str) -> None:
    """No page lists the country's units: a page names at most the villages a map draws."""
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    villages = set(re.findall(r"/id/village/[0-9.]+", response.get_data(as_text=True)))
    assert len(villages) <= MAX_CONTEXT_POINTS


def test_the_setting_takes_covered_or_all_only(tmp_path) -> None:
    """A wrong value is refused before anything is built, naming the setting and its variable."""
    with pytest.raises(SettingsError, match=r"reference \(KKB_REFERENCE\) must be 'covered' or 'all'"):
        Settings(reference="country")
    answer = CliRunner().invoke(
        cli, ["build", "--data", str(DATA), "--out", str(tmp_path), "--reference", "country"]
    )
    assert answer.exit_code == 2 and "'country' is not one of 'covered', 'all'" in answer.output
    answer = CliRunner().invoke(
        cli, ["build", "--data", str(DATA), "--out", str(tmp_path)], env={"KKB_REFERENCE": "country"}
    )
    assert answer.exit_code == 2 and "KKB_REFERENCE" in answer.output
    assert not (tmp_path / "releases").exists()


@pytest.mark.parametrize(("path", "villages"), [("/", 93), ("/id/village/62.04.06.2020", 93)])
def test_maps_draw_each_unit_once_although_it_is_in_two_graphs(
    client: FlaskClient, path: str, villages: int
) -> None:
    """A covered unit is in graph regions and graph reference: its boundary (and the regency's
    centroid) is drawn once, not once per pair of graphs its triples come from."""
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    svg = html.split('<svg class="map"', 1)[1].split("</svg>", 1)[0]
    assert len(re.findall(r'<path class="area (?:other|kkb|inside)"', svg)) == villages
    assert svg.count("<title>Kabupaten Barito Selatan</title>") == 1
    assert '<circle class="pt regency"' not in svg  # one regency with KKB: no centroids
