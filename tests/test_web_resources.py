"""Linked Data: every IRI dereferences, by Accept and by suffix, with validators and alternates;
pages are bilingual, labelled, linked, and safe with any label text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import KKB, RDF, RDFS, SKOS
from kkb_lod.web import create_app

BASE = "https://w3id.org/kkb/"
KALAHIEN = URIRef(BASE + "id/village/62.04.06.2020")
VILLAGE = "/id/village/62.04.06.2020"
NOTE = "/id/note/kind-62-04-01-2002-antara-buntok-kkb"
PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: A triple each answer must hold: (subject, predicate, object).
KNOWN = {
    "village": (KALAHIEN, RDFS.label, Literal("Kalahien", lang="id")),
    "kkb": (URIRef(BASE + "id/kkb/62.04.06.2020"), KKB.village, KALAHIEN),
    "district": (
        URIRef(BASE + "id/village/62.04.05.2020"),
        KKB.partOf,
        URIRef(BASE + "id/district/62.04.05"),
    ),
    "regency": (URIRef(BASE + "id/regency/62.04"), KKB.kemendagriCode, Literal("62.04")),
    "province": (URIRef(BASE + "id/regency/62.04"), KKB.partOf, URIRef(BASE + "id/province/62")),
    "activity": (URIRef(BASE + "id/activity/6204-pembinaan-2021"), KKB.strengthens, KKB.fungsiKeagamaan),
    "org": (
        URIRef(BASE + "id/org/dppkbp3a-barito-selatan"),
        RDF.type,
        URIRef("http://www.w3.org/ns/org#Organization"),
    ),
    "source": (URIRef(BASE + "id/source/antara-buntok-kkb"), RDF.type, KKB.SourceDocument),
    "note": (
        URIRef(BASE + "id/note/kind-62-04-01-2002-antara-buntok-kkb"),
        KKB.valueInSource,
        Literal("kelurahan"),
    ),
    "def": (KKB.fungsiPembinaanLingkungan, SKOS.notation, Literal("8")),
}

# (path, Accept header or None, status, media type, known triple or None for a page)
TABLE = [
    (VILLAGE, "text/turtle", 200, "text/turtle", "village"),
    (VILLAGE, "application/ld+json", 200, "application/ld+json", "village"),
    (VILLAGE, "application/rdf+xml", 200, "application/rdf+xml", "village"),
    (VILLAGE, "application/n-triples", 200, "application/n-triples", "village"),
    (VILLAGE, BROWSER, 200, "text/html", None),
    (VILLAGE, "application/rdf+xml;q=0.5, text/turtle;q=0.9", 200, "text/turtle", "village"),
    (VILLAGE, "*/*", 200, "text/turtle", "village"),  # curl's default: data, not a page
    (VILLAGE, None, 200, "text/turtle", "village"),
    (VILLAGE + "?format=jsonld", BROWSER, 200, "application/ld+json", "village"),
    (VILLAGE + ".ttl", BROWSER, 200, "text/turtle", "village"),  # a suffix beats Accept
    (VILLAGE + ".jsonld", None, 200, "application/ld+json", "village"),
    (VILLAGE + ".rdf", None, 200, "application/rdf+xml", "village"),
    (VILLAGE + ".nt", None, 200, "application/n-triples", "village"),
    (VILLAGE + ".html", "text/turtle", 200, "text/html", None),
    ("/id/kkb/62.04.06.2020", "text/turtle", 200, "text/turtle", "kkb"),
    ("/id/kkb/62.04.06.2020", BROWSER, 200, "text/html", None),
    ("/id/district/62.04.05.ttl", None, 200, "text/turtle", "district"),
    ("/id/district/62.04.05", BROWSER, 200, "text/html", None),
    ("/id/regency/62.04.jsonld", None, 200, "application/ld+json", "regency"),
    ("/id/province/62", "text/turtle", 200, "text/turtle", "province"),
    ("/id/province/62.html", None, 200, "text/html", None),
    ("/id/activity/6204-pembinaan-2021.ttl", None, 200, "text/turtle", "activity"),
    ("/id/org/dppkbp3a-barito-selatan.ttl", None, 200, "text/turtle", "org"),
    ("/id/post/kepala-dppkbp3a-barito-selatan", BROWSER, 200, "text/html", None),
    ("/id/source/antara-buntok-kkb.ttl", None, 200, "text/turtle", "source"),
    (NOTE + ".nt", None, 200, "application/n-triples", "note"),
    ("/id/link/62-04-q14391", BROWSER, 200, "text/html", None),
    ("/def", "text/turtle", 200, "text/turtle", "def"),
    ("/def.jsonld", None, 200, "application/ld+json", "def"),
    ("/def.rdf", None, 200, "application/rdf+xml", "def"),
    ("/def", BROWSER, 200, "text/html", None),
    ("/id/village/62.04.06.2099", "text/turtle", 404, "text/plain", None),  # no such village
    ("/id/village/62.04.06.2099", BROWSER, 404, "text/html", None),
    ("/id/village/not-a-code.ttl", None, 404, "text/plain", None),
    (VILLAGE, "image/png", 406, "text/plain", None),
    (VILLAGE + ".exe", None, 404, "text/plain", None),
]


def get_graph(client: FlaskClient, path: str, accept: str | None = None) -> Graph:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.get_data(True)
    return Graph().parse(data=response.data, format=PARSERS[response.mimetype])


def assert_isomorphic(a: Graph, b: Graph) -> None:
    """Isomorphism, printing what differs on failure."""
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail(
            f"graphs differ\nonly in first:\n{only_a.serialize(format='nt')}\n"
            f"only in second:\n{only_b.serialize(format='nt')}"
        )


@pytest.mark.parametrize(("path", "accept", "status", "media_type", "known"), TABLE)
def test_dereference(
    client: FlaskClient, path: str, accept: str | None, status: int, media_type: str, known: str | None
) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    assert response.mimetype == media_type
    if status != 200:
        return
    assert "Accept" in response.vary and response.headers["ETag"]
    if known is None:
        html = response.get_data(True)
        assert html.startswith("<!doctype html>") and "<h1>" in html
        return
    graph = Graph().parse(data=response.data, format=PARSERS[media_type])
    assert KNOWN[known] in graph


def test_every_format_says_the_same(client: FlaskClient) -> None:
    turtle = get_graph(client, VILLAGE + ".ttl")
    for suffix in ("jsonld", "rdf", "nt"):
        assert_isomorphic(turtle, get_graph(client, f"{VILLAGE}.{suffix}"))
    assert_isomorphic(turtle, get_graph(client, VILLAGE, "text/turtle"))
    assert_isomorphic(get_graph(client, "/def.ttl"), get_graph(client, "/def.nt"))


def test_ontology_document_is_the_ontology_graph(client: FlaskClient, store: OxigraphStore) -> None:
    graph = f"<{BASE}graph/ontology>"
    named = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    expected = Graph().parse(data=named.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert_isomorphic(expected, get_graph(client, "/def.jsonld"))


@pytest.mark.parametrize(
    "path",
    [
        "/id/village/62.04.06.2099",  # well-formed, but no such village
        "/id/village/not-a-code",
        "/id/unknown/x",
        "/id/kkb/62.04.06.2021",
        "/id/kkb/62.04",
        "/id/district/62.04.06.2020",  # a village code under the wrong kind
        "/id/village/62.04.06.2020.exe",
        "/id/village/62.04.06.2020/",
        "/id/village/../../etc/passwd",
        "/id/village/62.04.06.2020%3E%20%3Fp%20%3Fo%20%7D%20%23",
        "/def.exe",
        "/id/org/A",
    ],
)
def test_unknown_iris_are_404(client: FlaskClient, path: str) -> None:
    data = client.get(path, headers={"Accept": "text/turtle"})
    assert data.status_code == 404 and data.mimetype == "text/plain"
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "<script" not in page.get_data(True)


def test_negotiated_answer_names_its_document_and_alternates(client: FlaskClient) -> None:
    response = client.get(VILLAGE, headers={"Accept": "text/turtle"})
    assert response.headers["Content-Location"] == VILLAGE + ".ttl"
    links = response.headers["Link"]
    for suffix, media_type in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
    ):
        assert f'<{VILLAGE}.{suffix}>; rel="alternate"; type="{media_type}"' in links
    page = client.get(VILLAGE, headers={"Accept": BROWSER})
    assert page.headers["Content-Location"] == VILLAGE + ".html"
    assert {"Accept", "Cookie"} <= set(page.vary)
    assert "Content-Location" not in client.get(VILLAGE + ".ttl").headers  # it is the document


def test_conditional_requests(client: FlaskClient) -> None:
    first = client.get(VILLAGE + ".ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(VILLAGE + ".ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(VILLAGE + ".ttl", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(VILLAGE + ".ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(VILLAGE + ".jsonld").headers["ETag"] != etag
    assert client.get("/id/village/62.04.06.2024.ttl").headers["ETag"] != etag
    english = client.get(VILLAGE + ".html?lang=en").headers["ETag"]
    assert english != client.get(VILLAGE + ".html?lang=id").headers["ETag"]
    assert (
        client.get("/def", headers={"If-None-Match": client.get("/def").headers["ETag"]}).status_code == 304
    )


def test_head_gives_the_headers_only(client: FlaskClient) -> None:
    head = client.head(VILLAGE, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.data == b"" and head.headers["Link"]


def test_description_is_the_resource_with_labels_and_back_links(client: FlaskClient) -> None:
    graph = get_graph(client, "/id/district/62.04.05.ttl")
    district = URIRef(BASE + "id/district/62.04.05")
    villages = set(graph.subjects(KKB.partOf, district))
    assert len(villages) == 21  # every village of Gn. Bintang Awai points to it
    assert all(graph.value(v, RDFS.label) is not None for v in villages)
    assert graph.value(URIRef(BASE + "id/regency/62.04"), RDFS.label) == Literal(
        "Kabupaten Barito Selatan", lang="id"
    )
    activity = get_graph(client, "/id/activity/6204-pembinaan-2021.ttl")
    assert Literal("Religious function", lang="en") in set(
        activity.objects(KKB.fungsiKeagamaan, SKOS.prefLabel)
    )


def test_kecamatan_page_lists_villages_kkb_notes_and_breadcrumbs(client: FlaskClient) -> None:
    html = client.get("/id/district/62.04.05?lang=id", headers={"Accept": BROWSER}).get_data(True)
    assert '<a href="/id/village/62.04.05.2020">Marga Jaya</a>' in html
    assert '<a href="/id/kkb/62.04.05.2020">Kampung Keluarga Berkualitas Marga Jaya</a>' in html
    notes = html.split('class="notes"')[1].split("</section>")[0]
    assert "Gunung Bintang Awai" in notes and "Gn. Bintang Awai" in notes  # source vs official
    assert 'href="/id/note/name-62-04-05-antara-buntok-kkb"' in notes
    crumbs = html.split('class="crumbs"')[1].split("</nav>")[0]
    assert '<a href="/id/province/62">Kalimantan Tengah</a>' in crumbs
    assert '<a href="/id/regency/62.04">Kabupaten Barito Selatan</a>' in crumbs
    assert "https://w3id.org" not in html.split("<h1>")[1].split("</h1>")[0]  # a label, not IRI
    assert ">berasal dari<" in html and ">kode Kemendagri<" in html  # properties by name


def test_kkb_page_shows_provenance(client: FlaskClient) -> None:
    html = client.get("/id/kkb/62.04.01.2002?lang=id", headers={"Accept": BROWSER}).get_data(True)
    provenance = html.split('class="provenance"')[1].split("</section>")[0]
    assert "Kelurahan Rantau Kujang dan Rantau Bahuang" in provenance  # the verbatim excerpt
    assert 'href="/id/source/antara-buntok-kkb"' in provenance
    crumbs = html.split('class="crumbs"')[1].split("</nav>")[0]
    assert "Jenamas" in crumbs and "Rantau Bahuang" in crumbs
    assert 'href="/id/kkb/62.04.01.2002.ttl"' in html  # the RDF formats of the page


def test_language_switch_is_remembered(client: FlaskClient) -> None:
    english = client.get("/id/kkb/62.04.06.2020?lang=en", headers={"Accept": BROWSER})
    assert "<h1>Quality Family Village Kalahien</h1>" in english.get_data(True)
    assert 'lang="en"' in english.get_data(True)
    cookie = english.headers["Set-Cookie"]
    assert cookie.startswith("kkb_lang=en;") and "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    again = client.get("/id/district/62.04.06", headers={"Accept": BROWSER}).get_data(True)
    assert "Quality Family Village Kalahien" in again and "Referenced by" in again
    client.get("/id/kkb/62.04.06.2020?lang=id", headers={"Accept": BROWSER})
    assert "<h1>Kampung Keluarga Berkualitas Kalahien</h1>" in client.get(
        "/id/kkb/62.04.06.2020", headers={"Accept": BROWSER}
    ).get_data(True)


def test_unknown_language_falls_back_to_indonesian(client: FlaskClient) -> None:
    response = client.get("/id/kkb/62.04.06.2020?lang=fr", headers={"Accept": BROWSER})
    assert "<h1>Kampung Keluarga Berkualitas Kalahien</h1>" in response.get_data(True)
    assert "Set-Cookie" not in response.headers


def test_ontology_page_has_every_term_and_the_eight_functions(client: FlaskClient) -> None:
    html = client.get("/def?lang=en", headers={"Accept": BROWSER}).get_data(True)
    for term in KKB.__annotations__:
        assert f'id="{term}"' in html, term
    functions = html.split(">The eight family functions</h2>")[1].split("</section>")[0]
    assert functions.count("<dt ") == 8
    assert "Environmental stewardship function" in functions
    assert "Fungsi pembinaan lingkungan" in functions  # the other language's label too


def test_hostile_labels_are_escaped(settings: Settings) -> None:
    store = OxigraphStore()
    village, district = ox.NamedNode(str(KALAHIEN)), ox.NamedNode(BASE + "id/district/62.04.06")
    label, part_of = ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(KKB.partOf))
    hostile = "<script>alert('x')</script>"
    for quad in (
        ox.Quad(village, label, ox.Literal(hostile, language="id")),
        ox.Quad(village, part_of, district),
        ox.Quad(district, label, ox.Literal(f'"><img src=x>{hostile}')),
        ox.Quad(district, ox.NamedNode(str(KKB.kemendagriCode)), ox.Literal("62.04.06")),
    ):
        store.ox.add(quad)
    client = create_app(settings, store, {}).test_client()
    html = client.get(VILLAGE, headers={"Accept": BROWSER}).get_data(True)
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert" in html
    graph = get_graph(client, VILLAGE + ".ttl")  # the data keeps the text as it is
    assert (KALAHIEN, RDFS.label, Literal(hostile, lang="id")) in graph


def test_iris_follow_the_configured_base(settings: Settings, store: OxigraphStore) -> None:
    other = Settings(
        data_dir=settings.data_dir, build_dir=settings.build_dir, base_iri="http://elsewhere.test/"
    )
    client = create_app(other, store, {}).test_client()
    assert client.get(VILLAGE + ".ttl").status_code == 404  # the data was minted elsewhere


def test_a_label_is_a_label_in_the_page_language_else_another() -> None:
    """Only skos:prefLabel and rdfs:label name a node: the page language first, then the other,
    then an untagged label; other literals (codes, notations) never stand in for a name."""
    from kkb_lod.web._pages import label

    node = URIRef(BASE + "id/regency/62.04")
    graph = Graph()
    graph.add((node, KKB.kemendagriCode, Literal("62.04")))
    assert label(graph, node, "id") == BASE + "id/regency/62.04"  # no label: the IRI
    graph.add((node, RDFS.label, Literal("Barito Selatan")))
    assert label(graph, node, "en") == "Barito Selatan"
    graph.add((node, SKOS.prefLabel, Literal("Kabupaten Barito Selatan", lang="id")))
    assert label(graph, node, "id") == label(graph, node, "en") == "Kabupaten Barito Selatan"
    graph.add((node, RDFS.label, Literal("South Barito", lang="en")))
    assert label(graph, node, "en") == "South Barito"


def test_our_iris_and_ontology_terms_link_to_this_server(app) -> None:  # noqa: ANN001 - the Flask app
    """Pages link our data IRIs and the ontology's terms to this server's own pages."""
    from kkb_lod.web._pages import local_url

    with app.test_request_context("/"):
        assert local_url("https://w3id.org/kkb/def#District") == "/def#District"
        assert local_url("https://w3id.org/kkb/def") == "/def"
        assert local_url("https://w3id.org/kkb/def/") == "/def"  # no term named: the ontology's page
        assert local_url(str(KALAHIEN)) == VILLAGE
        assert local_url("http://example.org/x") is None


def test_a_known_term_without_a_label_is_named_in_the_page_language() -> None:
    """A common external term the graph does not label (``rdf:type``) takes the name we know for
    it, in the page language; a blank node without a label is shown as itself."""
    from rdflib import RDF, BNode

    from kkb_lod.web._pages import label

    assert label(Graph(), RDF.type, "id") == "jenis"
    assert label(Graph(), RDF.type, "en") == "type"
    node = BNode("b1")
    assert label(Graph(), node, "en") == "b1"


def test_an_error_page_in_the_readers_language_varies_by_it(client: FlaskClient) -> None:
    """A 404 page is written in the page language (as every page), so it names what chose it."""
    missing = client.get("/id/nothing/here", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert missing.status_code == 404 and {"Accept-Language", "Cookie"} <= set(missing.vary)
