"""The published dataset description: DCAT-AP 3 conformance in every format (official shapes),
VoID with counts that match the store, dumps that are the files the catalog describes, the landing
page and the sitemap."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from kkb_lod.catalog import ADMS, HYDRA, Figures, PageNotFound, Paging, describe_catalog
from kkb_lod.config import Settings
from kkb_lod.pipeline import BuildResult
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import DCAT, DCTERMS, SPDX, VOID, XSD
from kkb_lod.web import create_app

from .conftest import BASE, PUBLISHER

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap"
FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
IANA = "http://www.iana.org/assignments/media-types/"
SITE = "http://localhost/"
FIGURES = Figures(
    triples=1,
    kkb=1,
    villages=1,
    districts=1,
    years=("2021",),
    publisher=BASE + "id/org/x",
    publisher_name="X",
    spatial=(),
)


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
    paths = {
        report.value(r, SH.resultPath)
        for r in report.subjects(SH.focusNode, None)
        if not str(report.value(r, SH.focusNode)).startswith(BASE + "releases/")
    }
    assert paths <= {DCAT.bbox}, text  # a release is only linked here (it has a page of its own)


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
    changes = manifest.get("changes") or {}  # the change set's files, once builds write them
    files = [*manifest["dumps"], *changes.get("files", [])]
    assert [str(u) for u in dumps] == sorted(f"{SITE}dumps/{manifest['id']}/{d['name']}" for d in files)
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
    service = URIRef(BASE + "sparql")
    assert (service, DCAT.endpointURL, URIRef(SITE + "sparql")) in catalog
    assert (service, DCAT.servesDataset, URIRef(BASE + "catalog#dataset")) in catalog
    assert not list(catalog.objects(service, DCTERMS.publisher))  # see catalog._service
    years = {str(o) for o in catalog.objects(None, DCAT.startDate)} | {
        str(o) for o in catalog.objects(None, DCAT.endDate)
    }
    assert years == {"2021", "2022"}  # the activity years of the data
    dataset = URIRef(BASE + "catalog#dataset")
    assert set(catalog.objects(dataset, DCTERMS.spatial)) == {URIRef("https://w3id.org/kkb/id/regency/62.04")}
    licence = catalog.value(dataset, DCTERMS.license)
    assert licence == URIRef("http://creativecommons.org/licenses/by/4.0/")
    assert str(catalog.value(licence, DCTERMS.title)) == "Creative Commons Attribution"
    contact = catalog.value(dataset, DCAT.contactPoint)
    assert not list(catalog.objects(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))
    publisher = catalog.value(dataset, DCTERMS.publisher)
    assert publisher == URIRef(BASE + "id/org/" + PUBLISHER)


def test_identity_is_the_base_whatever_the_host(app: Flask, release: dict) -> None:
    """The same release reached under two host names (or through a proxy) is one dataset with
    the same IRIs; only the links (download, endpoint, landing page) follow the address used."""
    graphs = [
        Graph().parse(
            data=app.test_client().get("/catalog.ttl", headers={"Host": host}).data, format="turtle"
        )
        for host in ("kkb.example.go.id", "localhost:8080")
    ]
    kinds = (
        DCAT.Catalog,
        DCAT.Dataset,
        DCAT.Distribution,
        DCAT.DataService,
        SPDX.Checksum,
        DCTERMS.PeriodOfTime,
        URIRef("http://www.w3.org/2006/vcard/ns#Kind"),
    )
    ids = [{s for kind in kinds for s in g.subjects(RDF.type, kind)} for g in graphs]
    assert ids[0] == ids[1] and URIRef(BASE + "catalog#dataset") in ids[0]
    assert all(str(s).startswith(BASE) for s in ids[0]), ids[0]
    downloads = {str(u) for u in graphs[0].objects(None, DCAT.downloadURL)}
    assert downloads and all(u.startswith("http://kkb.example.go.id/dumps/") for u in downloads)


def test_public_url_names_the_links(settings: Settings, store: OxigraphStore, release: dict) -> None:
    public = "https://data.example.go.id/kkb/"
    app = create_app(dataclasses.replace(settings, public_url=public), store, release)
    graph = Graph().parse(data=app.test_client().get("/catalog.ttl").data, format="turtle")
    assert (URIRef(BASE + "sparql"), DCAT.endpointURL, URIRef(public + "sparql")) in graph
    assert {str(u)[: len(public)] for u in graph.objects(None, DCAT.downloadURL)} == {public}


def test_trusted_proxy_names_the_links_never_the_iris(
    settings: Settings, store: OxigraphStore, release: dict
) -> None:
    """Behind nginx (trusted_proxies = 1) links take X-Forwarded-Proto/-Host; IRIs stay the base."""
    app = create_app(dataclasses.replace(settings, trusted_proxies=1), store, release)
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "kkb.example.go.id",
        "X-Forwarded-For": "192.0.2.1",
    }
    graph = Graph().parse(data=app.test_client().get("/catalog.ttl", headers=headers).data, format="turtle")
    assert (URIRef(BASE + "catalog#dataset"), RDF.type, DCAT.Dataset) in graph
    assert (URIRef(BASE + "sparql"), DCAT.endpointURL, URIRef("https://kkb.example.go.id/sparql")) in graph


def test_issued_is_the_first_release_modified_the_current(catalog: Graph, release: dict) -> None:
    dataset = URIRef(BASE + "catalog#dataset")
    first = release.get("first_issued") or release["created"]
    assert catalog.value(dataset, DCTERMS.issued).toPython() == dt.datetime.fromisoformat(first).astimezone(
        dt.UTC
    ).replace(microsecond=0)
    assert catalog.value(dataset, DCTERMS.modified).toPython() == dt.datetime.fromisoformat(
        release["created"]
    ).astimezone(dt.UTC).replace(microsecond=0)


def test_lineage_and_changes_of_a_later_release(release: dict) -> None:
    """A manifest with lineage and a change set (what the ``changes`` branch writes) gives DCAT 3
    versioning, bilingual version notes and the change files as checksummed distributions; one
    without reads as version 1 issued when it was created."""
    later = {
        **release,
        "id": "20260102T000000Z",
        "created": "2026-01-02T00:00:00+00:00",
        "previous": "20250101T000000Z",
        "first_issued": "2025-01-01T00:00:00+00:00",
        "version": 2,
        "changes": {
            "previous": "20250101T000000Z",
            "added": 5,
            "removed": 2,
            "resources": {"kkb": {"added": 1, "removed": 0, "changed": 1}},
            "files": [
                {"name": n, "media_type": "application/gzip", "bytes": 20, "sha256": "ab" * 32}
                for n in ("changes-added.nq.gz", "changes-removed.nq.gz")
            ],
        },
    }
    g = describe_catalog(BASE, SITE, later, FIGURES)
    dataset, dcat3 = URIRef(BASE + "catalog#dataset"), Namespace(str(DCAT))
    assert str(g.value(dataset, dcat3.version)) == "2"
    assert g.value(dataset, dcat3.hasVersion) == URIRef(BASE + "releases/20260102T000000Z")
    assert g.value(dataset, dcat3.previousVersion) == URIRef(BASE + "releases/20250101T000000Z")
    assert g.value(dataset, DCTERMS.issued).toPython() == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert g.value(dataset, DCTERMS.modified).toPython() == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    notes = {n.language: str(n) for n in g.objects(dataset, ADMS.versionNotes)}
    assert set(notes) == {"id", "en"} and "5 statements added, 2 removed" in notes["en"]
    assert "kkb: +1 -0 ~1" in notes["en"]
    for name in ("changes-added.nq.gz", "changes-removed.nq.gz"):
        dist = g.value(predicate=DCAT.downloadURL, object=URIRef(f"{SITE}dumps/20260102T000000Z/{name}"))
        assert (dataset, DCAT.distribution, dist) in g
        assert str(g.value(g.value(dist, SPDX.checksum), SPDX.checksumValue)) == "ab" * 32
    conforms, _, text = validate(g, shacl_graph=shapes("dcat-ap_3_shacl_shapes.ttl"))
    assert conforms, text
    old = describe_catalog(
        BASE,
        SITE,
        {k: v for k, v in release.items() if k not in ("version", "previous", "first_issued")},
        FIGURES,
    )
    assert str(old.value(dataset, dcat3.version)) == "1"
    assert old.value(dataset, dcat3.previousVersion) is None


def test_catalog_pages_as_ckanext_dcat(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    page = graph.value(predicate=RDF.type, object=HYDRA.PagedCollection)
    assert page == URIRef(SITE + "catalog?page=1")
    assert int(graph.value(page, HYDRA.totalItems)) == 1
    assert str(graph.value(page, HYDRA.last)) == SITE + "catalog?page=1"
    assert graph.value(page, HYDRA.next) is None
    gone = client.get("/catalog?page=2")
    assert gone.status_code == 404 and b"no page 2" in gone.data
    later = Graph().parse(data=client.get("/catalog.ttl?modified_since=2999-01-01").data, format="turtle")
    assert not list(later.subjects(RDF.type, DCAT.Dataset))
    assert (
        int(later.value(later.value(predicate=RDF.type, object=HYDRA.PagedCollection), HYDRA.totalItems)) == 0
    )
    earlier = Graph().parse(
        data=client.get("/catalog.ttl?modified_since=2000-01-01T00:00:00Z&page=1").data, format="turtle"
    )
    assert (None, RDF.type, DCAT.Dataset) in earlier


def test_paging_links_follow_ckanext_dcat(release: dict) -> None:
    """Past one page (the reference dataset makes two datasets), next/previous/last as
    ckanext-dcat writes them, with modified_since kept."""
    figures = dataclasses.replace(FIGURES, reference_units={"province": 1})
    paging = Paging(page=2, modified_since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), per_page=1)
    g = describe_catalog(BASE, SITE, release, figures, paging)
    page = g.value(predicate=RDF.type, object=HYDRA.PagedCollection)
    assert str(page) == SITE + "catalog?modified_since=2000-01-01T00:00:00%2B00:00&page=2"
    assert str(g.value(page, HYDRA.previous)).endswith("&page=1")
    assert str(g.value(page, HYDRA.previousPage)).endswith("&page=1")
    assert g.value(page, HYDRA.next) is None and int(g.value(page, HYDRA.totalItems)) == 2
    assert list(g.subjects(RDF.type, DCAT.Dataset)) == [URIRef(BASE + "catalog#reference")]
    with pytest.raises(PageNotFound):
        describe_catalog(BASE, SITE, release, figures, dataclasses.replace(paging, page=3))


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("page=0", b"page must be a whole number"),
        ("page=-1", b"page must be"),
        ("page=two", b"page must be"),
        ("page=1.5", b"page must be"),
        ("page=%D9%A3", b"page must"),
        ("modified_since=yesterday", b"modified_since must be an ISO 8601"),
        ("modified_since=2025-13-01", b"modified_since must be"),
        ("page=99999999999999999999", b"no page"),
    ],
)
def test_bad_paging_is_a_clear_4xx(client: FlaskClient, query: str, says: bytes) -> None:
    response = client.get("/catalog?" + query)
    assert response.status_code in (400, 404) and says in response.data, response.data


def test_publisher_is_the_setting(settings: Settings, store: OxigraphStore, release: dict) -> None:
    other = create_app(dataclasses.replace(settings, publisher="bkkbn"), store, release)
    graph = Graph().parse(data=other.test_client().get("/catalog.ttl").data, format="turtle")
    assert graph.value(URIRef(BASE + "catalog#dataset"), DCTERMS.publisher) == URIRef(BASE + "id/org/bkkbn")
    for chosen in ("", "nobody"):  # several organisations: one must be named, and exist
        app = create_app(dataclasses.replace(settings, publisher=chosen), store, release)
        response = app.test_client().get("/catalog.ttl")
        assert response.status_code == 503 and b"dppkbp3a-barito-selatan" in response.data


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
