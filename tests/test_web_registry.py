"""The registry's own fields on the pages (issue #16, ``kkb_lod.web._registry``): a KKB's kampung
name, registry id, inauguration, Pokja decree and annual records; the registry row a fact comes
from; KKB per classification and poktan per year on the landing and place pages; the decree, the
annual records and the registry rows dereference.

The store is the bundled build plus ``tests/cases/pages/registry-fields.trig`` (SYNTHETIC: made-up
registry ids, decree numbers, records). Every value a test expects is read from the store or
counted in the fixture with SPARQL, never written here; pages are read as element trees.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, URIRef

from kkb_lod.pipeline import BuildResult
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import SPARQL_PROLOGUE
from kkb_lod.web import create_app

from .conftest import BASE
from .html_tree import Element, parse, table_rows
from .test_web_pages import BROWSER

CASES = Path(__file__).parent / "cases" / "pages"
FIXTURE = CASES / "registry-fields.trig"
TERMS = CASES / "registry-terms.ttl"
KKB = BASE + "id/kkb/62.04.06.2020"  # from a news article, with every registry field
FROM_ROW = BASE + "id/kkb/62.04.06.2005"  # from a registry row
RECORD = BASE + "id/record/registry-xlsx-kampung-kb-7"
Served = tuple[FlaskClient, OxigraphStore]


def registry_store(release: Path) -> OxigraphStore:
    """The build ``release`` with the fixture loaded; the terms of branch ``model`` stood in for
    (registry-terms.ttl) only while the built ontology does not define them."""
    store = OxigraphStore.from_release(release, "memory")
    store.ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    if not store.query(SPARQL_PROLOGUE + "ASK { kkb:klasifikasiDasar ?p ?o }"):
        store.ox.load(
            path=str(TERMS), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(BASE + "graph/ontology")
        )
    return store


@pytest.fixture(scope="module")
def served(built: BuildResult, settings) -> Served:  # noqa: ANN001
    store = registry_store(built.release)
    manifest = json.loads((built.release / "manifest.json").read_text(encoding="utf-8"))
    return create_app(settings, store, manifest).test_client(), store


def page(client: FlaskClient, path: str) -> Element:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html", path
    return parse(response.get_data(True))


def values(store: OxigraphStore, query: str) -> list[dict[str, str]]:
    result = store.query(SPARQL_PROLOGUE + query)
    names = [v.value for v in result.variables]
    return [{n: row[n].value if row[n] is not None else "" for n in names} for row in result]


def one(store: OxigraphStore, subject: str, predicate: str) -> str:
    found = values(store, f"SELECT ?o WHERE {{ <{subject}> {predicate} ?o }}")
    assert len(found) == 1, (subject, predicate)
    return found[0]["o"]


def labels(store: OxigraphStore, lang: str) -> dict[str, str]:
    """The store's label in ``lang`` of every concept of the two schemes."""
    return {
        r["c"]: r["l"]
        for r in values(
            store,
            f"""SELECT ?c ?l WHERE {{
        VALUES ?s {{ kkb:ClassificationScheme kkb:PoktanScheme }} ?c skos:inScheme ?s ;
        skos:prefLabel|rdfs:label ?l FILTER (lang(?l) = "{lang}") }}""",
        )
    }


def fixture_counts(query: str) -> list[tuple[str, ...]]:
    """A SELECT over the fixture file alone (its default graph the union of its graphs)."""
    data = Dataset(default_union=True)
    data.parse(FIXTURE, format="trig")
    return [tuple(str(v) for v in row) for row in data.query(SPARQL_PROLOGUE + query)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_kkb_page_shows_its_registry_fields(served: Served, lang: str) -> None:
    client, store = served
    root = page(client, f"/id/kkb/62.04.06.2020?lang={lang}")
    village = BASE + "id/village/62.04.06.2020"
    kind = values(
        store,
        f"""SELECT ?l WHERE {{ <{village}> a kkb:Desa . kkb:Desa rdfs:label ?l
        FILTER (lang(?l) = "id") }}""",
    )[0]["l"]
    expected = f"Kampung KB {one(store, KKB, 'kkb:kampungName')} — {kind} {one(store, village, 'rdfs:label')}"
    assert root.one("h1").text() == expected
    assert root.one("head").one("title").text().startswith(expected)
    fields = root.one(".registry")
    assert fields.one(".kampung-name").text() == one(store, KKB, "kkb:kampungName")
    assert fields.one(".registry-id").text() == one(store, KKB, "kkb:registryId")
    assert fields.one(".sub-village").text() == one(store, KKB, "kkb:subVillageArea")
    inauguration = fields.one(".inauguration")
    assert inauguration.one("time").attrs["datetime"] == one(store, KKB, "kkb:inaugurationDate")
    assert inauguration.one(".inaugurated-by").text() == one(store, KKB, "kkb:inauguratedBy")
    decree = one(store, KKB, "kkb:pokjaDecree")
    link = fields.one(".decree").one("a")
    assert link.attrs["href"] == "/" + decree[len(BASE) :]
    assert link.one(".decree-number").text() == one(store, decree, "kkb:decreeNumber")
    assert fields.one(".decree").one("time").attrs["datetime"] == one(store, decree, "dcterms:issued")
    props = [row[0] for row in table_rows(root.one(".props"))]
    assert props and not any("registryId" in p or "annualRecord" in p for p in props)


def test_dates_are_written_in_the_page_language(served: Served) -> None:
    client, store = served
    iso = one(store, KKB, "kkb:inaugurationDate")
    shown = {
        lang: page(client, f"/id/kkb/62.04.06.2020?lang={lang}").one(".inauguration").one("time").text()
        for lang in ("id", "en")
    }
    year, month, day = iso.split("-")
    assert all(text.startswith(f"{int(day)} ") and text.endswith(year) for text in shown.values())
    assert shown["id"] != shown["en"]  # the month's name: Maret / March


@pytest.mark.parametrize("lang", ["id", "en"])
def test_annual_records_show_the_store_labels_in_the_page_language(served: Served, lang: str) -> None:
    client, store = served
    named = labels(store, lang)
    records = values(
        store,
        f"""SELECT ?r ?year ?c ?d WHERE {{ <{KKB}> kkb:annualRecord ?r .
        ?r kkb:year ?year ; kkb:classification ?c OPTIONAL {{ ?r kkb:hasRumahDataKu ?d }} }}
        ORDER BY ?year""",
    )
    poktan = {
        r["r"]: sorted(
            named[p["p"]] for p in values(store, f"SELECT ?p WHERE {{ <{r['r']}> kkb:poktan ?p }}")
        )
        for r in records
    }
    rows = table_rows(page(client, f"/id/kkb/62.04.06.2020?lang={lang}").one("#annual-records"))
    assert [row[0] for row in rows] == [r["year"] for r in records]
    assert [row[1] for row in rows] == [named[r["c"]] for r in records]
    assert [sorted(row[2].split(", ")) if row[2] != "—" else [] for row in rows] == [
        poktan[r["r"]] for r in records
    ]
    assert [row[3] != "—" for row in rows] == [bool(r["d"]) for r in records]


def test_the_two_languages_show_different_labels_of_the_same_concepts(served: Served) -> None:
    client, store = served
    shown = {
        lang: [
            row[1]
            for row in table_rows(page(client, f"/id/kkb/62.04.06.2020?lang={lang}").one("#annual-records"))
        ]
        for lang in ("id", "en")
    }
    by_id, by_en = labels(store, "id"), labels(store, "en")
    concept_of = {text: c for c, text in by_id.items()}
    assert shown["en"] == [by_en[concept_of[text]] for text in shown["id"]]
    assert shown["id"] != shown["en"]  # the fixture's terms differ by language


def test_a_registry_row_is_named_instead_of_an_excerpt(served: Served) -> None:
    client, store = served
    provenance = page(client, "/id/kkb/62.04.06.2005?lang=id").one(".provenance")
    item = provenance.one(".records").one("li")
    record = one(store, FROM_ROW, "prov:wasDerivedFrom")
    assert item.one("a").attrs["href"] == "/" + record[len(BASE) :]
    assert item.text() == (
        f"Registri: {one(store, record, 'kkb:recordFile')}, lembar "
        f"{one(store, record, 'kkb:recordSheet')}, baris "
        f"{one(store, record, 'kkb:recordRow')}"
    )
    assert not provenance.all("blockquote")
    english = page(client, "/id/kkb/62.04.06.2005?lang=en").one(".records").text()
    assert english.startswith("Registry: ") and ", sheet " in english and ", row " in english


def test_a_news_row_keeps_its_source_and_excerpt(served: Served) -> None:
    client, store = served
    provenance = page(client, "/id/kkb/62.04.06.2020").one(".provenance")
    assert not provenance.all(".records")
    assert [q.text() for q in provenance.all("blockquote")] == [
        " ".join(one(store, KKB, "kkb:sourceExcerpt").split())
    ]
    source = one(store, KKB, "prov:wasDerivedFrom")
    assert "/" + source[len(BASE) :] in [a.attrs["href"] for a in provenance.all("a")]


def years(root: Element) -> Element:
    """The section of the figures per year."""
    return root.one(lambda e: e.tag == "section" and "years" in e.classes)


def chart(root: Element) -> dict[tuple[str, str], int]:
    """The stacked chart's segments: (year, series) → value."""
    return {
        (stack.attrs["data-year"], seg.attrs["data-series"]): int(seg.attrs["data-value"])
        for stack in years(root).one("svg").all(".stack")
        for seg in stack.all("rect")
    }


def expected_classes(store: OxigraphStore, lang: str, within: str = "") -> dict:
    named = labels(store, lang)
    counted = fixture_counts(f"""SELECT ?year ?c (COUNT(DISTINCT ?k) AS ?n) WHERE {{
        ?k kkb:annualRecord ?r . ?r kkb:year ?year ; kkb:classification ?c
        FILTER (STRSTARTS(STR(?k), "{BASE}id/kkb/{within}")) }} GROUP BY ?year ?c""")
    return {(year, named[c]): int(n) for year, c, n in counted}


@pytest.mark.parametrize(
    ("path", "within"),
    [
        ("/", ""),
        ("/id/province/62", ""),
        ("/id/regency/62.04", ""),
        ("/id/district/62.04.06", "62.04.06."),
        ("/id/district/62.04.05", "62.04.05."),
    ],
)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_chart_and_its_table_count_kkb_per_classification_per_year(
    served: Served, path: str, within: str, lang: str
) -> None:
    client, store = served
    root = page(client, f"{path}?lang={lang}")
    expected = expected_classes(store, lang, within)
    assert expected and chart(root) == expected
    table = years(root).one("#years-classes")
    header = [th.text() for th in table.one("thead").all("th")][1:-1]
    assert set(header) >= {series for _, series in expected}
    for row in table_rows(table):
        year, counts, total = row[0], [int(n) for n in row[1:-1]], int(row[-1])
        assert counts == [expected.get((year, series), 0) for series in header]
        assert total == sum(counts)


def test_poktan_and_rumah_dataku_per_year_are_counted(served: Served) -> None:
    client, store = served
    named = labels(store, "en")
    poktan = {
        (y, named[p]): int(n)
        for y, p, n in fixture_counts("""
        SELECT ?year ?p (COUNT(DISTINCT ?k) AS ?n) WHERE {
        ?k kkb:annualRecord ?r . ?r kkb:year ?year ; kkb:poktan ?p } GROUP BY ?year ?p""")
    }
    totals = {
        y: (int(n), int(d))
        for y, n, d in fixture_counts("""
        SELECT ?year (COUNT(DISTINCT ?k) AS ?n) (COUNT(DISTINCT ?kd) AS ?d) WHERE {
        ?k kkb:annualRecord ?r . ?r kkb:year ?year
        OPTIONAL { ?kd kkb:annualRecord ?r . ?r kkb:hasRumahDataKu true } } GROUP BY ?year""")
    }
    table = page(client, "/?lang=en").one("#years-poktan")
    header = [th.text() for th in table.one("thead").all("th")][2:-1]
    assert set(header) == {named[c] for c in named if "poktan" in c}
    rows = table_rows(table)
    assert [row[0] for row in rows] == sorted(totals)
    for row in rows:
        assert (int(row[1]), int(row[-1])) == totals[row[0]]
        assert [int(n) for n in row[2:-1]] == [poktan.get((row[0], p), 0) for p in header]
    assert any(d for _, d in totals.values())  # the fixture has a Rumah DataKu to count


def test_no_figures_per_year_without_annual_records(client: FlaskClient) -> None:
    """The bundled data alone has no annual records: nothing of them is shown."""
    for path in ("/", "/id/district/62.04.06", "/id/regency/62.04"):
        root = page(client, path)
        assert not root.all(".years") and not root.all(".stacked"), path
    assert not page(client, "/id/kkb/62.04.06.2020").all(".registry")


@pytest.mark.parametrize(
    ("path", "subject"),
    [
        ("/id/kkb/62.04.06.2020/pokja", KKB + "/pokja"),
        ("/id/kkb/62.04.06.2020/2023", KKB + "/2023"),
        ("/id/record/registry-xlsx-kampung-kb-7", RECORD),
    ],
)
@pytest.mark.parametrize(
    ("accept", "suffix", "media_type", "rdflib_format"),
    [
        ("text/turtle", "ttl", "text/turtle", "turtle"),
        ("application/ld+json", "jsonld", "application/ld+json", "json-ld"),
        ("application/n-triples", "nt", "application/n-triples", "nt"),
    ],
)
def test_decrees_annual_records_and_registry_rows_dereference(
    served: Served, path: str, subject: str, accept: str, suffix: str, media_type: str, rdflib_format: str
) -> None:
    """What the fixture says of the resource, as a store holds it: Oxigraph keeps integers of a
    derived type (kkb:recordRow's xsd:positiveInteger) as xsd:integer, so the fixture is read
    through a store of its own, not by rdflib."""
    client, _ = served
    alone = ox.Store()
    alone.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    own = Graph().parse(
        data=ox.serialize(
            [q.triple for q in alone.quads_for_pattern(ox.NamedNode(subject), None, None)],
            format=ox.RdfFormat.N_TRIPLES,
        ).decode(),
        format="nt",
    )
    assert len(own) >= 3
    for asked, headers in ((path, {"Accept": accept}), (f"{path}.{suffix}", {})):
        response = client.get(asked, headers=headers)
        assert response.status_code == 200 and response.mimetype == media_type, asked
        answer = Graph().parse(data=response.get_data(True), format=rdflib_format)
        mine = Graph()
        for triple in answer.triples((URIRef(subject), None, None)):
            mine.add(triple)
        assert mine.isomorphic(own)
    negotiated = client.get(path, headers={"Accept": accept})
    assert negotiated.headers["Content-Location"] == f"{path}.{suffix}"
    assert f'<{path}.ttl>; rel="alternate"' in negotiated.headers["Link"]


def test_their_pages_have_titles_and_link_back(served: Served) -> None:
    client, store = served
    kkb_label = values(store, f'SELECT ?l WHERE {{ <{KKB}> rdfs:label ?l FILTER (lang(?l) = "id") }}')
    decree = page(client, "/id/kkb/62.04.06.2020/pokja?lang=id")
    assert decree.one("h1").text() == f"SK Pokja — {kkb_label[0]['l']}"
    year = page(client, "/id/kkb/62.04.06.2020/2023?lang=id")
    assert year.one("h1").text() == f"{kkb_label[0]['l']} — 2023"
    for root in (decree, year):
        assert "/id/kkb/62.04.06.2020" in [a.attrs.get("href") for a in root.one(".backlinks").all("a")]
        assert not root.all("svg.map") and not root.all(".functions")
    record = page(client, "/id/record/registry-xlsx-kampung-kb-7?lang=en")
    assert record.one("h1").text() == (
        f"Registry: {one(store, RECORD, 'kkb:recordFile')}, sheet "
        f"{one(store, RECORD, 'kkb:recordSheet')}, row {one(store, RECORD, 'kkb:recordRow')}"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/id/kkb/62.04.06.2020/pokjax",
        "/id/kkb/62.04.06.2020/99999",
        "/id/kkb/62.04.06/2023",
        "/id/kkb/62.04.06.2020/2023/x",
        "/id/kkb/62.04.06.2020/2025",
        "/id/record/Not_A_Key",
        "/id/record/a//b",
        "/id/record/registry-xlsx-kampung-kb-8",
    ],
)
def test_anything_else_below_a_kkb_is_not_found(served: Served, path: str) -> None:
    client, _ = served
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_every_concept_a_page_links_to_has_its_anchor_on_the_ontology_page(served: Served) -> None:
    client, _ = served
    linked = {
        a.attrs["href"].split("#", 1)[1]
        for path in ("/id/kkb/62.04.06.2020", "/")
        for a in page(client, path).all("a")
        if a.attrs.get("href", "").startswith("/def#")
        and ("klasifikasi" in a.attrs["href"] or "poktan" in a.attrs["href"])
    }
    assert len(linked) == 10  # the five classifications, the five poktan (table headers)
    anchors = {e.attrs["id"] for e in page(client, "/def").all(lambda e: "id" in e.attrs)}
    assert linked <= anchors


def test_the_sitemap_lists_the_decree_the_annual_records_and_the_registry_row(served: Served) -> None:
    client, store = served
    listed = client.get("/sitemap.xml").get_data(True)
    parts = [
        r["s"]
        for r in values(
            store,
            f"""SELECT ?s WHERE {{
        {{ ?k kkb:pokjaDecree ?s }} UNION {{ ?k kkb:annualRecord ?s }}
        UNION {{ ?s a kkb:RegistryRecord }} FILTER (STRSTARTS(STR(?s), "{BASE}id/")) }}""",
        )
    ]
    assert len(parts) == 9  # the fixture's decree, seven annual records and registry row
    for iri in parts:
        assert f"/{iri[len(BASE) :]}</loc>" in listed, iri
