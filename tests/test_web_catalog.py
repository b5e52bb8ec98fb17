"""The published dataset description: DCAT-AP 3 conformance in every format (official shapes),
VoID with counts that match the store, dumps that are the files the catalog describes, the landing
page and the sitemap."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from kkb_lod.pipeline import BuildResult
from kkb_lod.vocab import DCAT, DCTERMS, SPDX, VOID, XSD

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap"
FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
IANA = "http://www.iana.org/assignments/media-types/"
SITE = "http://localhost/"


@pytest.fixture(scope="module")
def catalog(app: Flask) -> Graph:
    return Graph().parse(data=app.test_client().get("/catalog.ttl").data, format="turtle")


def shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name)
    return graph


@pytest.mark.parametrize("inference", ["none", "rdfs"])
@pytest.mark.parametrize("media_type", FORMATS)
def test_catalog_conforms_to_dcat_ap_3(client: FlaskClient, media_type: str, inference: str) -> None:
    response = client.get("/catalog", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=FORMATS[media_type])
    conforms, _, text = validate(graph, shacl_graph=shapes("dcat-ap_3_shacl_shapes.ttl"), inference=inference)
    assert conforms, text


def test_catalog_meets_dcat_ap_2_1_1_but_where_3_0_changed_it(catalog: Graph) -> None:
    """2.1.1 wants byteSize as xsd:decimal and SHA-1 checksums; 3.0 (our target) wants
    xsd:nonNegativeInteger, and we publish SHA-256. Nothing else may fail, not even a
    recommendation but the regency's bounding box, which no source gives."""
    mandatory = shapes("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl")
    _, report, text = validate(catalog, shacl_graph=mandatory, inference="none")
    paths = {report.value(r, SH.resultPath) for r in report.subjects(SH.focusNode, None)}
    assert paths <= {DCAT.byteSize, SPDX.algorithm}, text
    recommended = shapes("dcat-ap_2.1.1_shacl_shapes_recommended.ttl")
    _, report, text = validate(catalog, shacl_graph=recommended, inference="none")
    paths = {report.value(r, SH.resultPath) for r in report.subjects(SH.focusNode, None)}
    assert paths <= {DCAT.bbox}, text


def test_catalog_in_every_format_is_the_same_graph(client: FlaskClient, catalog: Graph) -> None:
    from rdflib.compare import isomorphic

    for media_type, name in FORMATS.items():
        other = Graph().parse(data=client.get("/catalog", headers={"Accept": media_type}).data, format=name)
        assert isomorphic(catalog, other), media_type


def test_distributions_state_size_and_checksum_of_the_served_files(
    client: FlaskClient, catalog: Graph, built: BuildResult
) -> None:
    dumps = sorted(catalog.objects(None, DCAT.downloadURL))
    manifest = json.loads((built.release / "manifest.json").read_text())
    assert [str(u) for u in dumps] == sorted(
        f"{SITE}dumps/{manifest['id']}/{d['name']}" for d in manifest["dumps"]
    )
    for url in dumps:
        dist = catalog.value(predicate=DCAT.downloadURL, object=url)
        with client.get(str(url)[len(SITE) - 1 :]) as response:
            body = response.data
            assert response.headers["Content-Length"] == str(len(body))
        assert catalog.value(dist, DCAT.byteSize) == Literal(len(body), datatype=XSD.nonNegativeInteger)
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()


def test_compressed_dump_names_its_content_and_compression(catalog: Graph) -> None:
    dist = catalog.value(predicate=DCAT.accessURL, object=URIRef(SITE + "dumps/kkb.nt.gz"))
    assert catalog.value(dist, DCAT.mediaType) == URIRef(IANA + "application/n-triples")
    assert catalog.value(dist, DCAT.compressFormat) == URIRef(IANA + "application/gzip")


def test_catalog_names_service_coverage_and_licence(catalog: Graph) -> None:
    service = URIRef(SITE + "sparql")
    assert (service, DCAT.endpointURL, service) in catalog
    assert (service, DCAT.servesDataset, URIRef(SITE + "catalog#dataset")) in catalog
    years = {str(o) for o in catalog.objects(None, DCAT.startDate)} | {
        str(o) for o in catalog.objects(None, DCAT.endDate)
    }
    assert years == {"2021", "2022"}  # the activity years of the data
    dataset = URIRef(SITE + "catalog#dataset")
    assert set(catalog.objects(dataset, DCTERMS.spatial)) == {URIRef("https://w3id.org/kkb/id/regency/62.04")}
    assert catalog.value(dataset, DCTERMS.license) == URIRef("http://creativecommons.org/licenses/by/4.0/")
    contact = catalog.value(dataset, DCAT.contactPoint)
    assert not list(catalog.objects(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))


def test_void(client: FlaskClient, built: BuildResult) -> None:
    graph = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = graph.value(predicate=VOID.sparqlEndpoint, object=URIRef(SITE + "sparql"))
    assert int(graph.value(dataset, VOID.triples)) == built.quads
    pages = _our_subjects(built)
    assert int(graph.value(dataset, VOID.entities)) == len(pages)
    assert int(graph.value(dataset, VOID.distinctSubjects)) >= len(pages)
    classes = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert classes[URIRef("https://w3id.org/kkb/def#KKBDesignation")] == 15
    properties = {
        graph.value(p, VOID.property): int(graph.value(p, VOID.triples))
        for p in graph.objects(dataset, VOID.propertyPartition)
    }
    assert sum(properties.values()) == built.quads
    assert len(list(graph.objects(dataset, VOID.dataDump))) == 6
    assert URIRef("https://w3id.org/kkb/def#") in set(graph.objects(dataset, VOID.vocabulary))
    assert str(graph.value(dataset, VOID.uriSpace)) == "https://w3id.org/kkb/id/"
    assert URIRef("https://w3id.org/kkb/id/kkb/62.04.06.2020") in set(
        graph.objects(dataset, VOID.exampleResource)
    )


def test_dumps(client: FlaskClient, built: BuildResult) -> None:
    with client.get("/dumps/kkb.nt.gz") as response:
        assert response.status_code == 200 and response.mimetype == "application/gzip"
        assert gzip.decompress(response.data) == (built.release / "dumps" / "kkb.nt").read_bytes()
        etag = response.headers["ETag"]
    digest = hashlib.sha256((built.release / "dumps" / "kkb.nt.gz").read_bytes()).hexdigest()
    assert etag == f'"{digest}"'
    with client.get("/dumps/kkb.nt.gz", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    with client.get("/dumps/kkb.ttl") as turtle:
        assert turtle.mimetype == "text/turtle"


@pytest.mark.parametrize(
    "name",
    [
        "manifest.json",
        "..%2Fmanifest.json",
        "../manifest.json",
        "%2e%2e%2fmanifest.json",
        "..",
        "store",
        "kkb.exe",
        "kkb.nt%00",
        "KKB.NT",
    ],
)
def test_no_path_traversal_through_dumps(client: FlaskClient, name: str) -> None:
    assert client.get(f"/dumps/{name}").status_code == 404
    assert client.get(f"/dumps/../dumps/{name}").status_code == 404


def test_catalog_and_void_are_cacheable(client: FlaskClient) -> None:
    for path in ("/catalog", "/.well-known/void"):
        first = client.get(path)
        assert first.headers["Last-Modified"] and "Accept" in first.vary
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_catalog_and_void_pages_link_their_formats(client: FlaskClient) -> None:
    html = client.get("/catalog", headers={"Accept": "text/html"}).get_data(True)
    assert 'href="/catalog.jsonld"' in html and "dcat:Catalog" in html
    html = client.get("/.well-known/void", headers={"Accept": "text/html"}).get_data(True)
    assert 'href="/.well-known/void?format=nt"' in html
    assert client.get("/.well-known/void?format=nt").mimetype == "application/n-triples"


def test_landing_page(client: FlaskClient) -> None:
    html = client.get("/?lang=id", headers={"Accept": "text/html"}).get_data(True)
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    schema = json.loads(script.group(1))
    assert schema["@type"] == "Dataset" and schema["temporalCoverage"] == "2021/2022"
    assert len(schema["distribution"]) == 6
    assert "<strong>15</strong> KKB" in html and "<strong>6</strong> kecamatan" in html
    assert "<strong>93</strong> desa/kelurahan" in html
    for link in (
        'href="/dumps/kkb.nt.gz"',
        'href="/catalog"',
        'href="/def"',
        'href="/sparql"',
        'href="/id/regency/62.04"',
    ):
        assert link in html
    english = client.get("/?lang=en").get_data(True)
    assert "Quality Family Villages" in english and "<strong>93</strong> villages" in english


def test_sitemap_lists_every_page(client: FlaskClient, built: BuildResult) -> None:
    xml = client.get("/sitemap.xml").get_data(True)
    assert f"<loc>{SITE}id/village/62.04.06.2020</loc>" in xml
    assert xml.count("<loc>") == len(_our_subjects(built)) + 1  # and the landing page
    for loc in re.findall(r"<loc>(.*?)</loc>", xml)[1:50]:
        assert client.get(loc[len(SITE) - 1 :], headers={"Accept": "text/turtle"}).status_code == 200


def _our_subjects(built: BuildResult) -> set[str]:
    """IRIs of ours that are subjects in the N-Triples dump (read without the store)."""
    lines = (built.release / "dumps" / "kkb.nt").read_text().splitlines()
    return {line.split()[0] for line in lines if line.startswith("<https://w3id.org/kkb/id/")}
