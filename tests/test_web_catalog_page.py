"""The catalog and VoID as pages for people (:mod:`kkb_lod.web._catalog_page`): everything the
graphs state about datasets, distributions, the service, partitions and linksets is on the page,
read from the very graph the RDF is written from; links to that RDF; cached per release and
language. (In Chromium, with the downloads fetched: ``test_browser_people.py``.)"""

from __future__ import annotations

import dataclasses
import html as markup
import re

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from kkb_lod.catalog import HYDRA, REFERENCE_DUMP, describe_catalog
from kkb_lod.formats import for_kind
from kkb_lod.vocab import DCAT, OWL, RDF, SPDX, VOID
from kkb_lod.web._catalog_page import catalog_view, number, size
from kkb_lod.web.catalog import current_figures

from .conftest import BASE

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def html_of(client: FlaskClient, path: str, lang: str = "en") -> str:
    response = client.get(path, headers={"Accept": BROWSER, "Accept-Language": lang})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return markup.unescape(response.get_data(True))


def graph_of(client: FlaskClient, path: str) -> Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    return Graph().parse(data=response.data, format="turtle")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_distribution_of_the_graph_is_on_the_page(client: FlaskClient, lang: str) -> None:
    graph, page = graph_of(client, "/catalog"), html_of(client, "/catalog", lang)
    files = list(graph.subjects(DCAT.downloadURL, None))
    assert len(files) == 8  # six dumps and the two change sets of the session build
    for dist in files:
        url = str(graph.value(dist, DCAT.downloadURL))
        checksum = str(graph.value(graph.value(dist, SPDX.checksum), SPDX.checksumValue))
        stated = int(graph.value(dist, DCAT.byteSize))
        row = re.search(
            rf'<tr>\s*<td[^>]*><a class="button download" href="{re.escape(url)}".*?</tr>', page, re.S
        )
        assert row, url
        assert f'<code class="sha256">{checksum}</code>' in row.group(0)
        assert f'<data value="{stated}">{number(stated, lang)}</data>' in row.group(0)
        assert size(stated, lang) in row.group(0)
    assert 'href="/sparql"' in page  # the SPARQL service


def test_the_page_names_what_the_dataset_is(client: FlaskClient, release: dict) -> None:
    page = html_of(client, "/catalog", "en")
    assert f'<a href="/releases/{release["id"]}">Release {release["id"]}</a>' in page  # served here
    assert client.get(f"/releases/{release['id']}", headers={"Accept": BROWSER}).status_code == 200
    for shown in (
        "Quality Family Village (KKB) registry of Barito Selatan Regency",  # the dataset's title
        'href="http://creativecommons.org/licenses/by/4.0/" rel="license">'
        "Creative Commons Attribution (CC-BY-4.0)",
        '<a href="/id/regency/62.04">Kabupaten Barito Selatan</a>',  # coverage, by the store's name
        "<dd>2021–2022</dd>",  # the years of the activities
        "First release.",
        "Dinas Pengendalian Penduduk",  # the publisher, and the contact point
        'href="/def">KKB ontology</a>',
        "SPARQL 1.1 Protocol",
    ):
        assert shown in page, shown
    indonesian = html_of(client, "/catalog", "id")
    assert "Registri Kampung Keluarga Berkualitas" in indonesian and "Cakupan waktu" in indonesian


def test_the_page_links_its_rdf_in_every_graph_format(client: FlaskClient) -> None:
    page = html_of(client, "/catalog")
    for fmt in for_kind("graph"):
        assert f'href="/catalog.{fmt.suffix}" type="{fmt.media_type}"' in page
        assert client.get(f"/catalog.{fmt.suffix}").mimetype == fmt.media_type
    void = html_of(client, "/.well-known/void")
    for fmt in for_kind("graph"):
        link = f"/.well-known/void?format={fmt.suffix}"
        assert f'href="{link}"' in void and client.get(link).mimetype == fmt.media_type


def test_a_hydra_page_links_its_own_rdf(client: FlaskClient) -> None:
    """The paging parameters keep working for RDF: the page's links carry them."""
    asked = "/catalog?modified_since=2000-01-01&page=1"
    page = html_of(client, asked)
    link = "/catalog.ttl?modified_since=2000-01-01T00:00:00%2B00:00&page=1"
    assert f'href="{link}"' in page
    graph = Graph().parse(data=client.get(link).data, format="turtle")
    assert (None, RDF.type, HYDRA.PagedCollection) in graph
    assert client.get("/catalog?page=2", headers={"Accept": "text/turtle"}).status_code == 404


def test_void_page_shows_the_graphs_figures_partitions_and_linksets(client: FlaskClient) -> None:
    graph, page = graph_of(client, "/.well-known/void"), html_of(client, "/.well-known/void", "en")
    dataset = graph.value(predicate=RDF.type, object=VOID.Dataset)
    assert f"<strong>{number(int(graph.value(dataset, VOID.triples)), 'en')}</strong> triples" in page
    for kind, term, figure, table in (
        (VOID.classPartition, VOID["class"], VOID.entities, "class-partitions"),
        (VOID.propertyPartition, VOID.property, VOID.triples, "property-partitions"),
    ):
        rows = re.findall(
            r'<tr><td><a class="term" href="([^"]+)" title="([^"]+)">[^<]+</a></td>'
            r'<td class="n">([\d,]+)</td></tr>',
            page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0],
        )
        stated = {
            str(graph.value(p, term)): int(graph.value(p, figure)) for p in graph.objects(dataset, kind)
        }
        assert {iri: int(n.replace(",", "")) for _, iri, n in rows} == stated
        for href, iri, _ in rows:  # our terms to /def, the others to their IRI
            assert href == (
                "/def#" + iri.split("#")[1] if iri.startswith("https://w3id.org/kkb/def#") else iri
            )
    assert (
        '<a class="term" href="/def#KKBDesignation" title="https://w3id.org/kkb/def#KKBDesignation">' in page
    )
    assert '<a href="/catalog#dataset">https://w3id.org/kkb/catalog#dataset</a>' in page  # void:rootResource


def test_void_states_the_wikidata_linkset_the_store_holds(client: FlaskClient) -> None:
    graph, page = graph_of(client, "/.well-known/void"), html_of(client, "/.well-known/void", "id")
    dataset = graph.value(predicate=RDF.type, object=VOID.Dataset)
    (linkset,) = [s for s in graph.objects(dataset, VOID.subset) if (s, RDF.type, VOID.Linkset) in graph]
    assert graph.value(linkset, VOID.linkPredicate) == OWL.sameAs
    assert graph.value(linkset, VOID.subjectsTarget) == dataset
    store = graph_of(client, "/id/dataset/wikidata-links")  # the linkset's own page, from the store
    links = int(graph.value(linkset, VOID.triples))
    assert links == int(store.value(URIRef(str(linkset)), VOID.triples)) == 2
    assert "Tautan wilayah ke Wikidata" in page and 'href="http://www.wikidata.org/">Wikidata</a>' in page


def test_the_pages_are_cacheable_per_release_and_language(client: FlaskClient) -> None:
    for path in ("/catalog", "/.well-known/void"):
        first = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "id"})
        assert first.headers["Last-Modified"] and {"Accept", "Accept-Language"} <= set(first.vary)
        again = client.get(
            path, headers={"Accept": BROWSER, "Accept-Language": "id", "If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304
        turtle = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"  # not the page's ETag


@pytest.mark.parametrize(
    ("n", "lang", "shown"),
    [
        (20, "en", "20 B"),
        (999, "id", "999 B"),
        (41_177, "en", "41.2 kB"),
        (41_177, "id", "41,2 kB"),
        (542_787, "en", "542.8 kB"),
        (1_500_000, "id", "1,5 MB"),
        (2_345_678_901, "en", "2.3 GB"),
        (12_345_678_901_234, "en", "12345.7 GB"),
    ],
)
def test_sizes_for_people(n: int, lang: str, shown: str) -> None:
    assert size(n, lang) == shown


def test_numbers_grouped_as_each_language_writes_them() -> None:
    assert number(1_234_567, "id") == "1.234.567" and number(1_234_567, "en") == "1,234,567"
    assert number(12, "id") == "12"


def test_a_catalog_with_the_national_reference_shows_both_datasets(app: Flask, release: dict) -> None:
    """With ``reference = all`` the catalog has a second dataset (the whole country's units): the
    page lists both, with a table of contents, the reference's dump and the shared endpoint."""
    made = {
        **release,
        "dumps": [
            *release["dumps"],
            {"name": REFERENCE_DUMP, "media_type": "application/gzip", "size": 1234, "sha256": "ab" * 32},
        ],
    }
    with app.test_request_context("/catalog", headers={"Accept": BROWSER, "Accept-Language": "en"}):
        figures = dataclasses.replace(
            current_figures(),
            reference_units={"province": 38, "regency": 514, "district": 7285, "village": 84276},
            reference_graph=BASE + "graph/reference",
            provinces=(BASE + "id/province/62", BASE + "id/province/11"),
        )
        view = catalog_view(describe_catalog(BASE, "http://localhost/", made, figures), "en")
        page = render_template("catalog.html", lang="en", view=view, links=[])
    assert [d["anchor"] for d in view["datasets"]] == ["dataset", "reference"]
    reference = view["datasets"][1]
    assert [f["name"] for f in reference["files"]] == [REFERENCE_DUMP]
    assert reference["files"][0]["size"] == "1.2 kB" and [a["access"] for a in reference["access"]] == [
        "http://localhost/sparql"
    ]
    assert {p["href"] for p in reference["places"]} == {"/id/province/62", "/id/province/11"}
    assert '<nav class="toc"' in page and 'href="#reference"' in page
    assert "Government administrative areas of Indonesia (Kemendagri 2025)" in page
