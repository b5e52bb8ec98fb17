"""The published dataset description conforms to the official DCAT-AP 3 shapes, in every format."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, Literal, URIRef

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import DCAT, SPDX, VOID, XSD
from kkb_lod.web import create_app

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml", "application/n-triples": "nt"}


@pytest.fixture(scope="module")
def app(settings: Settings, store: OxigraphStore, built) -> Flask:  # noqa: ANN001
    release = json.loads((built.release / "manifest.json").read_text())
    release["path"] = str(built.release)
    return create_app(settings, store, release)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("inference", ["none", "rdfs"])
@pytest.mark.parametrize("media_type", FORMATS)
def test_catalog_conforms_to_dcat_ap_3(client: FlaskClient, media_type: str, inference: str) -> None:
    response = client.get("/catalog", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=FORMATS[media_type])
    shapes = Graph().parse(SHAPES / "dcat-ap_3_shacl_shapes.ttl")
    conforms, _, text = validate(graph, shacl_graph=shapes, inference=inference)
    assert conforms, text


def test_distributions_state_size_and_checksum_of_the_served_files(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    dumps = list(graph.objects(None, DCAT.downloadURL))
    assert len(dumps) == 6
    for url in dumps:
        dist = graph.value(predicate=DCAT.downloadURL, object=url)
        with client.get(str(url).replace("http://localhost", "")) as response:
            body = response.data
        assert graph.value(dist, DCAT.byteSize) == Literal(len(body), datatype=XSD.nonNegativeInteger)
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()


def test_catalog_names_the_service_and_temporal_coverage(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    assert (URIRef("http://localhost/sparql"), DCAT.endpointURL,
            URIRef("http://localhost/sparql")) in graph
    years = {str(o) for o in graph.objects(None, DCAT.startDate)} | {
        str(o) for o in graph.objects(None, DCAT.endDate)}
    assert years == {"2021", "2022"}


def test_void(client: FlaskClient, built) -> None:  # noqa: ANN001
    graph = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = graph.value(predicate=VOID.sparqlEndpoint, object=URIRef("http://localhost/sparql"))
    assert int(graph.value(dataset, VOID.triples)) == built.quads
    assert len(list(graph.objects(dataset, VOID.classPartition))) > 10
    assert len(list(graph.objects(dataset, VOID.dataDump))) == 6
    assert URIRef("https://w3id.org/kkb/def#") in set(graph.objects(dataset, VOID.vocabulary))


def test_dumps(client: FlaskClient, built) -> None:  # noqa: ANN001
    with client.get("/dumps/kkb.nt.gz") as response:
        assert response.status_code == 200 and response.mimetype == "application/gzip"
        assert gzip.decompress(response.data) == (built.release / "dumps" / "kkb.nt").read_bytes()
        etag = response.headers["ETag"]
    with client.get("/dumps/kkb.nt.gz", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


@pytest.mark.parametrize("name", ["manifest.json", "..%2Fmanifest.json", "../manifest.json",
                                  "%2e%2e%2fmanifest.json", "store", "kkb.exe"])
def test_no_path_traversal_through_dumps(client: FlaskClient, name: str) -> None:
    assert client.get(f"/dumps/{name}").status_code == 404


def test_landing_page(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept": "text/html"}).get_data(True)
    assert "application/ld+json" in html and '"@type": "Dataset"' in html
    assert "<strong>15</strong> KKB" in html and "<strong>6</strong> kecamatan" in html
    assert 'href="/dumps/kkb.nt.gz"' in html


def test_sitemap_lists_every_page(client: FlaskClient, built) -> None:  # noqa: ANN001
    xml = client.get("/sitemap.xml").get_data(True)
    assert "<loc>http://localhost/id/village/62.04.06.2020</loc>" in xml
    pages = {line.split()[0] for line in (built.release / "dumps" / "kkb.nt").read_text().splitlines()
             if line.startswith("<https://w3id.org/kkb/id/")}
    assert xml.count("<loc>") == len(pages) + 1  # every resource of ours, and the landing page
