"""Named graphs dereference: every graph IRI of the release's N-Quads dump answers with its
description as a page (id/en) and as RDF in every graph format, its size equal to a SPARQL count;
unknown and hostile names are 4xx with a body. Mirrors :mod:`kkb_lod.web.graphs`."""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kkb_lod.formats import for_kind
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import DCTERMS, RDF, SD, VOID, XSD

from .html_tree import parse

BASE = "https://w3id.org/kkb/"
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture(scope="module")
def graphs(app) -> dict[str, int]:  # noqa: ANN001
    """Each graph IRI in the release's N-Quads dump, with its quads in the dump."""
    with app.test_client().get("/dumps/kkb.nq") as dump:
        assert dump.status_code == 200
        data = dump.get_data()
    counts: dict[str, int] = {}
    for quad in ox.parse(data, ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.NamedNode):
            counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    assert {BASE + "graph/registry", BASE + "graph/regions", BASE + "graph/ontology"} <= set(counts)
    return counts


def path_of(iri: str) -> str:
    assert iri.startswith(BASE + "graph/")
    return "/" + iri[len(BASE) :]


def counted(store: OxigraphStore, iri: str) -> int:
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    assert isinstance(answer, ox.QuerySolutions)
    return int(next(iter(answer))["n"].value)


def test_every_graph_of_the_dump_is_described_in_turtle(
    client: FlaskClient, store: OxigraphStore, graphs: dict[str, int]
) -> None:
    for iri, in_dump in graphs.items():
        response = client.get(path_of(iri), headers=TURTLE)
        assert response.status_code == 200 and response.mimetype == "text/turtle", iri
        assert response.headers["Content-Location"] == path_of(iri) + ".ttl"
        g = Graph().parse(data=response.get_data(as_text=True), format="turtle")
        node = URIRef(iri)
        assert {SD.NamedGraph, VOID.Dataset} <= set(g.objects(node, RDF.type))
        assert (node, SD.name, node) in g
        assert g.value(node, VOID.triples) == Literal(counted(store, iri), datatype=XSD.integer)
        assert counted(store, iri) == in_dump  # the dump holds the graph whole
        assert (URIRef("http://localhost/dumps/kkb.nq")) in set(g.objects(node, VOID.dataDump))
        dataset = URIRef("http://localhost/.well-known/void#dataset")
        assert (dataset, VOID.subset, node) in g and (node, DCTERMS.isPartOf, dataset) in g


def test_the_listing_query_lists_the_graph(client: FlaskClient, store: OxigraphStore, graphs: dict) -> None:
    iri = BASE + "graph/links/wikidata"
    g = Graph().parse(data=client.get(path_of(iri), headers=TURTLE).get_data(as_text=True), format="turtle")
    (query,) = [
        str(o) for o in g.objects(URIRef(iri), URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"))
    ]
    asked = urllib.parse.urlsplit(query)
    answer = client.get(f"{asked.path}?{asked.query}", headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert len(answer.get_json()["results"]["bindings"]) == min(1000, counted(store, iri)) > 0
    # what describes the graph: the Wikidata linkset it holds
    assert URIRef(BASE + "id/dataset/wikidata-links") in set(g.objects(URIRef(iri), DCTERMS.source))


def test_every_graph_is_a_page_in_both_languages(client: FlaskClient, graphs: dict[str, int]) -> None:
    for iri in graphs:
        for lang, word in (("id", "tripel"), ("en", "triples")):
            response = client.get(f"{path_of(iri)}?lang={lang}", headers=HTML)
            assert response.status_code == 200 and response.mimetype == "text/html", iri
            html = response.get_data(as_text=True)
            assert f'<html lang="{lang}">' in html and iri in html
            assert word in parse(html).one(lambda e: "figures" in e.classes).text()


def test_every_link_of_a_graph_page_answers(client: FlaskClient) -> None:
    html = client.get("/graph/registry", headers=HTML).get_data(as_text=True)
    links = {e.attrs["href"] for e in parse(html).iter() if e.tag in ("a", "link") and "href" in e.attrs}
    local = {href for href in links if href.startswith("/") and not href.startswith("/static/")}
    assert {"/graph/registry.ttl", "/dumps/kkb.nq", "/.well-known/void"} <= local
    assert any(href.startswith("/sparql?query=") for href in local)
    for href in local:
        with client.get(href) as response:
            assert response.status_code == 200, href


def test_the_links_are_under_the_script_root(client: FlaskClient) -> None:
    response = client.get("/graph/registry", headers=HTML, base_url="http://localhost/kkb/")
    assert response.status_code == 200
    hrefs = [e.attrs["href"] for e in parse(response.get_data(as_text=True)).iter() if "href" in e.attrs]
    local = [h for h in hrefs if h.startswith("/")]
    assert local and all(h.startswith("/kkb/") for h in local), local


@pytest.mark.parametrize("fmt", for_kind("graph"), ids=lambda f: f.suffix)
def test_every_format_says_the_same(client: FlaskClient, fmt) -> None:  # noqa: ANN001
    turtle = client.get("/graph/regions.ttl").get_data(as_text=True)
    response = client.get(f"/graph/regions.{fmt.suffix}")
    assert response.status_code == 200 and response.mimetype == fmt.media_type
    negotiated = client.get("/graph/regions", headers={"Accept": fmt.media_type})
    assert negotiated.get_data() == response.get_data()
    same = Graph().parse(data=response.get_data(as_text=True), format=fmt.rdflib.replace("nt11", "nt"))
    assert isomorphic(same, Graph().parse(data=turtle, format="turtle"))


def test_cached_per_release(client: FlaskClient) -> None:
    first = client.get("/graph/ontology", headers=TURTLE)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "Accept" in first.vary
    again = client.get("/graph/ontology", headers={**TURTLE, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    page = client.get("/graph/ontology", headers=HTML)
    assert page.headers["ETag"] != first.headers["ETag"]


def test_an_unknown_graph_is_a_404_saying_so(client: FlaskClient) -> None:
    for lang, words in (("id", "Tidak ada graf bernama"), ("en", "no named graph")):
        response = client.get(f"/graph/nothing-here?lang={lang}", headers=HTML)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert words in response.get_data(as_text=True)
    plain = client.get("/graph/nothing-here", headers=TURTLE)
    assert plain.status_code == 404 and f"no named graph <{BASE}graph/nothing-here>" in plain.get_data(True)


@pytest.mark.parametrize(
    "path",
    [
        "/graph/reg%00istry",
        "/graph/..",
        "/graph/../registry",
        "/graph/registry/..",
        "/graph/" + "a" * 5000,
        "/graph/" + "a/" * 2500 + "b",
        "/graph/Registry",
        "/graph/registry/",
        "/graph/registry.ttl2",
        "/graph/registry..ttl",
        "/graph/%C3%A9",
        "/graph/%FF",
        "/graph/registry%20",
    ],
)
@pytest.mark.parametrize("accept", [HTML, TURTLE, {}])
def test_a_hostile_name_is_a_4xx_with_a_body(client: FlaskClient, path: str, accept: dict) -> None:
    response = client.get(path, headers=accept)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert response.get_data(as_text=True).strip()


def test_void_names_every_graph_and_links_its_page(client: FlaskClient, graphs: dict[str, int]) -> None:
    void = Graph().parse(data=client.get("/.well-known/void", headers=TURTLE).data, format="turtle")
    dataset = URIRef("http://localhost/.well-known/void#dataset")
    named = {s for s in void.objects(dataset, VOID.subset) if (s, RDF.type, SD.NamedGraph) in void}
    assert {str(s) for s in named} == set(graphs)
    page = parse(client.get("/.well-known/void?lang=en", headers=HTML).get_data(as_text=True))
    rows = {a.text(): a.attrs["href"] for a in page.one("#named-graphs").all("a")}
    assert rows == {iri: path_of(iri) for iri in graphs}
    for iri in graphs:
        described = Graph().parse(data=client.get(path_of(iri) + ".ttl").data, format="turtle")
        assert void.value(URIRef(iri), VOID.triples) == described.value(URIRef(iri), VOID.triples)
