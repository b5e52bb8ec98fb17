"""Linked Data: every IRI dereferences, by Accept and by suffix, with validators and alternates."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import KKB, RDFS
from kkb_lod.web import create_app

KALAHIEN = URIRef("https://w3id.org/kkb/id/village/62.04.06.2020")
PARSERS = {"text/turtle": "turtle", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml", "application/n-triples": "nt"}


@pytest.fixture(scope="module")
def app(settings: Settings, store: OxigraphStore, built) -> Flask:  # noqa: ANN001
    import json

    release = json.loads((built.release / "manifest.json").read_text())
    release["path"] = str(built.release)
    return create_app(settings, store, release)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(("path", "accept", "media_type"), [
    ("/id/village/62.04.06.2020", "text/turtle", "text/turtle"),
    ("/id/village/62.04.06.2020", "application/ld+json", "application/ld+json"),
    ("/id/village/62.04.06.2020", "application/rdf+xml", "application/rdf+xml"),
    ("/id/village/62.04.06.2020", "application/n-triples", "application/n-triples"),
    ("/id/village/62.04.06.2020", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
    ("/id/village/62.04.06.2020", "application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("/id/village/62.04.06.2020", "*/*", "text/turtle"),  # curl's default: data, not a page
    ("/id/village/62.04.06.2020", None, "text/turtle"),
    ("/id/village/62.04.06.2020.ttl", "text/html", "text/turtle"),
    ("/id/village/62.04.06.2020.jsonld", None, "application/ld+json"),
    ("/id/village/62.04.06.2020.rdf", None, "application/rdf+xml"),
    ("/id/village/62.04.06.2020.nt", None, "application/n-triples"),
    ("/id/village/62.04.06.2020.html", "text/turtle", "text/html"),
    ("/id/kkb/62.04.06.2020", "text/turtle", "text/turtle"),
    ("/id/district/62.04.05.ttl", None, "text/turtle"),
    ("/id/regency/62.04.jsonld", None, "application/ld+json"),
    ("/id/province/62", "text/turtle", "text/turtle"),
    ("/id/activity/6204-pembinaan-2021.ttl", None, "text/turtle"),
    ("/id/org/dppkbp3a-barito-selatan.ttl", None, "text/turtle"),
    ("/id/source/antara-buntok-kkb.ttl", None, "text/turtle"),
    ("/id/note/kind-62-04-01-2002-antara-buntok-kkb.ttl", None, "text/turtle"),
    ("/id/link/62-04-q14391.ttl", None, "text/turtle"),
    ("/def", "text/turtle", "text/turtle"),
    ("/def.jsonld", None, "application/ld+json"),
    ("/def", "text/html", "text/html"),
])
def test_dereference(client: FlaskClient, path: str, accept: str | None, media_type: str) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media_type
    if media_type in PARSERS:
        graph = Graph().parse(data=response.data, format=PARSERS[media_type])
        assert len(graph) > 3
        if path.startswith("/id/village/62.04.06.2020"):
            assert (KALAHIEN, RDFS.label, Literal("Kalahien", lang="id")) in graph
            assert (KALAHIEN, KKB.kemendagriCode, Literal("62.04.06.2020")) in graph
    else:
        assert b"<html" in response.data


@pytest.mark.parametrize("path", [
    "/id/village/62.04.06.2099", "/id/village/not-a-code", "/id/unknown/x", "/id/kkb/62.04.06.2021",
    "/id/village/62.04.06.2020.exe", "/id/village/../../etc/passwd",
])
def test_unknown_iris_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_unacceptable_is_406(client: FlaskClient) -> None:
    assert client.get("/id/village/62.04.06.2020", headers={"Accept": "image/png"}).status_code == 406


def test_negotiated_answer_names_its_document_and_alternates(client: FlaskClient) -> None:
    response = client.get("/id/village/62.04.06.2020", headers={"Accept": "text/turtle"})
    assert response.headers["Content-Location"] == "/id/village/62.04.06.2020.ttl"
    assert '</id/village/62.04.06.2020.jsonld>; rel="alternate"; type="application/ld+json"' in (
        response.headers["Link"])
    assert "Accept" in response.headers["Vary"]


def test_conditional_requests(client: FlaskClient) -> None:
    first = client.get("/id/village/62.04.06.2020.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/id/village/62.04.06.2020.ttl",
                      headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/id/village/62.04.06.2020.ttl",
                      headers={"If-Modified-Since": modified}).status_code == 304
    other = client.get("/id/village/62.04.06.2020.jsonld")
    assert other.headers["ETag"] != etag


def test_description_is_the_resource_with_labels_and_back_links(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/id/district/62.04.05.ttl").data, format="turtle")
    district = URIRef("https://w3id.org/kkb/id/district/62.04.05")
    villages = set(graph.subjects(KKB.partOf, district))
    units = (Path(__file__).parents[1] / "data" / "regions" / "units.csv").read_text()
    assert len(villages) == units.count(",village,62.04.05,") == 21  # each with its label
    assert all(graph.value(v, RDFS.label) is not None for v in villages)


def test_kecamatan_page_lists_villages_and_notes(client: FlaskClient) -> None:
    html = client.get("/id/district/62.04.05", headers={"Accept": "text/html"}).get_data(True)
    assert "Marga Jaya" in html and 'href="/id/village/62.04.05.2020"' in html
    assert "Gunung Bintang Awai" in html  # the data-quality note: the source's spelling
    assert "Kalimantan Tengah" in html  # breadcrumbs


def test_kkb_page_shows_provenance(client: FlaskClient) -> None:
    html = client.get("/id/kkb/62.04.01.2002", headers={"Accept": "text/html"}).get_data(True)
    assert "Kelurahan Rantau Kujang dan Rantau Bahuang" in html  # the verbatim excerpt
    assert 'href="/id/source/antara-buntok-kkb"' in html


def test_language_switch_is_remembered(client: FlaskClient) -> None:
    english = client.get("/id/kkb/62.04.06.2020?lang=en", headers={"Accept": "text/html"})
    assert "Quality Family Village Kalahien" in english.get_data(True)
    assert "kkb_lang=en" in english.headers["Set-Cookie"]
    again = client.get("/id/kkb/62.04.06.2020", headers={"Accept": "text/html"})
    assert "Quality Family Village Kalahien" in again.get_data(True)
    client.get("/id/kkb/62.04.06.2020?lang=id", headers={"Accept": "text/html"})
    assert "Kampung Keluarga Berkualitas Kalahien" in client.get(
        "/id/kkb/62.04.06.2020", headers={"Accept": "text/html"}).get_data(True)


def test_ontology_page_has_every_term_and_the_eight_functions(client: FlaskClient) -> None:
    html = client.get("/def?lang=en", headers={"Accept": "text/html"}).get_data(True)
    for term in KKB.__annotations__:
        if not term[0].isupper() or term in ("Status", "FamilyFunction"):
            continue
    assert 'id="KKBDesignation"' in html and 'id="fungsiPembinaanLingkungan"' in html
    assert "Environmental stewardship function" in html


def test_hostile_labels_are_escaped(settings: Settings) -> None:
    store = OxigraphStore()
    village = ox.NamedNode(str(KALAHIEN))
    store.ox.add(ox.Quad(village, ox.NamedNode(str(RDFS.label)),
                         ox.Literal("<script>alert('x')</script>", language="id")))
    html = create_app(settings, store, {}).test_client().get(
        "/id/village/62.04.06.2020", headers={"Accept": "text/html"}).get_data(True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_iris_follow_the_configured_base(settings: Settings, store: OxigraphStore) -> None:
    other = Settings(data_dir=settings.data_dir, build_dir=settings.build_dir,
                     base_iri="http://elsewhere.test/")
    client = create_app(other, store, {}).test_client()
    assert client.get("/id/village/62.04.06.2020.ttl").status_code == 404  # data minted elsewhere
