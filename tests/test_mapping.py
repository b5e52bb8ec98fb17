"""Golden checks by SPARQL over the built graph: every fact of the source, correct and traceable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kkb_lod.checks import check_registry
from kkb_lod.ingest import read_registry
from kkb_lod.iris import Minter
from kkb_lod.mapping import map_registry, to_graph
from kkb_lod.store import OxigraphStore
from kkb_lod.validate import validate_graph
from kkb_lod.vocab import KKB, PROV, RDF
from kkb_lod.vocab import SPARQL_PROLOGUE as PROLOGUE

ROOT = Path(__file__).resolve().parents[1]
SOURCE_TEXT = (ROOT / "data" / "sources" / "antara-buntok-kkb.txt").read_text(encoding="utf-8")


def select(store: OxigraphStore, query: str) -> list[tuple[str, ...]]:
    return [
        tuple(term.value if term is not None else None for term in row)
        for row in store.query(PROLOGUE + query)
    ]


def test_fifteen_kkb_in_six_kecamatan(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?name (COUNT(?kkb) AS ?n) WHERE {
          ?kkb a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d .
          ?d a kkb:District ; rdfs:label ?name .
        } GROUP BY ?name ORDER BY ?name""",
    )
    assert {name: int(n) for name, n in rows} == {
        "Jenamas": 2,
        "Dusun Hilir": 2,
        "Karau Kuala": 2,
        "Dusun Utara": 3,
        "Gn. Bintang Awai": 3,
        "Dusun Selatan": 3,
    }


def test_the_fifteen_villages_by_official_code(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?code ?name ?kind WHERE {
          ?kkb a kkb:KKBDesignation ; kkb:village ?v .
          ?v kkb:kemendagriCode ?code ; rdfs:label ?name ; a ?kind .
          FILTER (?kind IN (kkb:Desa, kkb:Kelurahan))
        } ORDER BY ?code""",
    )
    kinds = {code: (name, kind.rsplit("#", 1)[1]) for code, name, kind in rows}
    assert len(kinds) == 15
    assert kinds["62.04.01.1003"] == ("Rantau Kujang", "Kelurahan")
    assert kinds["62.04.01.2002"] == ("Rantau Bahuang", "Desa")  # the article implies kelurahan
    assert kinds["62.04.03.1002"] == ("Bangkuang", "Kelurahan")
    assert kinds["62.04.06.2020"] == ("Kalahien", "Desa")
    assert sum(kind == "Kelurahan" for _, kind in kinds.values()) == 2


def test_whole_regency_is_published(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?level (COUNT(?u) AS ?n) WHERE {
          VALUES ?level { kkb:Province kkb:Regency kkb:District kkb:Village }
          ?u a ?level } GROUP BY ?level""",
    )
    assert {level.rsplit("#")[1]: int(n) for level, n in rows} == {
        "Province": 1,
        "Regency": 1,
        "District": 6,
        "Village": 93,
    }


def test_eight_family_functions_with_both_labels(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?notation ?id ?en WHERE {
          ?f skos:inScheme kkb:FamilyFunctionScheme ; skos:notation ?notation ;
             skos:prefLabel ?id, ?en .
          FILTER (lang(?id) = "id" && lang(?en) = "en")
        } ORDER BY ?notation""",
    )
    assert [n for n, _, _ in rows] == [str(i) for i in range(1, 9)]
    assert rows[0][1] == "Fungsi keagamaan" and rows[7][1] == "Fungsi pembinaan lingkungan"


def test_activities_of_2021_and_2022(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?year ?status ?org (COUNT(DISTINCT ?kkb) AS ?kkbs) (COUNT(DISTINCT ?f) AS ?fns)
        WHERE {
          ?a a kkb:GuidanceActivity ; kkb:year ?year ; kkb:status ?status ;
             kkb:organiser/skos:altLabel ?org ; kkb:guides ?kkb ; kkb:strengthens ?f .
        } GROUP BY ?year ?status ?org ORDER BY ?year""",
    )
    assert [(y, s.rsplit("#")[1], o, int(k), int(f)) for y, s, o, k, f in rows] == [
        ("2021", "statusCompleted", "DPPKBP3A", 15, 8),
        ("2022", "statusPlanned", "DPPKBP3A", 15, 8),
    ]


def test_organising_agency_and_posts(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?post ?person ?org WHERE {
          ?p a org:Post ; rdfs:label ?post ; org:heldBy/foaf:name ?person ;
             org:postIn ?unit . ?unit (org:unitOf)* ?o . ?o skos:altLabel ?org .
          FILTER (lang(?post) = "id")
        } ORDER BY ?person""",
    )
    assert [(person, org) for _, person, org in rows] == [("Mario", "DPPKBP3A"), ("Sunawati", "DPPKBP3A")]


def test_strategic_objectives(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?text WHERE { ?p kkb:objective ?o . ?o rdfs:label ?text FILTER(lang(?text)="id") }
        ORDER BY ?text""",
    )
    assert [t for (t,) in rows] == [
        "meningkatkan kualitas hidup keluarga dan masyarakat dengan mendekatkan pelayanan "
        "Program Bangga Kencana",
        "meningkatkan partisipasi masyarakat dan pembangunan yang terintegrasi lintas sektor",
    ]


def test_every_kkb_is_traceable_to_the_source(store: OxigraphStore) -> None:
    rows = select(
        store,
        """
        SELECT ?kkb ?excerpt ?publisher WHERE {
          ?kkb a kkb:KKBDesignation ; prov:wasDerivedFrom ?src ; kkb:sourceExcerpt ?excerpt .
          ?src a kkb:SourceDocument ; dcterms:publisher/rdfs:label ?publisher .
          FILTER (lang(?publisher) = "id")
        }""",
    )
    assert len({kkb for kkb, _, _ in rows}) == 15
    for kkb, excerpt, publisher in rows:
        assert excerpt in SOURCE_TEXT, kkb
        assert publisher == "ANTARA"
        village = select(store, f"SELECT ?n WHERE {{ <{kkb}> kkb:village/rdfs:label ?n }}")[0][0]
        assert village in excerpt


def test_no_invented_dates(store: OxigraphStore) -> None:
    assert not store.query(
        PROLOGUE
        + """ASK { ?s kkb:designationDate|kkb:designationYear|
        dcterms:issued|dcterms:created|schema:datePublished ?d }"""
    )


@pytest.mark.parametrize(
    ("concerns", "aspect", "said", "official"),
    [
        ("village/62.04.01.2002", "kind", "kelurahan", "desa"),
        ("district/62.04.05", "name", "Gunung Bintang Awai", "Gn. Bintang Awai"),
        ("source/antara-buntok-kkb", "kind", "15 desa", "13 desa, 2 kelurahan"),
    ],
)
def test_disagreements_are_published_not_fixed(
    store: OxigraphStore, concerns: str, aspect: str, said: str, official: str
) -> None:
    rows = select(
        store,
        f"""
        SELECT ?said ?official ?used ?ref WHERE {{
          ?n a kkb:SourceDiscrepancy ; kkb:concerns <https://w3id.org/kkb/id/{concerns}> ;
             kkb:aspect "{aspect}" ; kkb:valueInSource ?said ; kkb:valueInReference ?official ;
             kkb:valueUsed ?used ; kkb:referenceSource ?ref ; dcterms:source ?src .
        }}""",
    )
    assert rows == [(said, official, official, "https://w3id.org/kkb/id/source/kemendagri-2025")]


def test_exactly_three_disagreements(store: OxigraphStore) -> None:
    assert len(select(store, "SELECT ?n WHERE { ?n a kkb:SourceDiscrepancy }")) == 3


def test_bps_codes_kept_apart_from_kemendagri_codes(store: OxigraphStore) -> None:
    rows = select(
        store,
        """SELECT ?k ?b WHERE {
        <https://w3id.org/kkb/id/village/62.04.06.2020> kkb:kemendagriCode ?k ; kkb:bpsCode ?b }""",
    )
    assert rows == [("62.04.06.2020", "6204040019")]


# --- golden case: a one-village registry maps to exactly the expected graph ---------------------

GOLDEN = Path(__file__).parent / "cases" / "mapping"


@pytest.mark.parametrize("case", sorted(p for p in GOLDEN.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_golden_mapping(case: Path) -> None:
    registry = read_registry(case / "data")
    graph = Graph()
    for triples in map_registry(registry, Minter("https://w3id.org/kkb/")).values():
        to_graph(triples, graph)
    expected = Graph().parse(case / "expected.ttl")
    if not isomorphic(graph, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(graph))
        pytest.fail(
            f"missing:\n{missing.serialize(format='nt')}\nunexpected:\n{extra.serialize(format='nt')}"
        )


def test_golden_cases_exist() -> None:
    assert len([p for p in GOLDEN.iterdir() if (p / "expected.ttl").is_file()]) >= 1


def test_base_iri_is_configurable() -> None:
    registry = read_registry(ROOT / "data")
    graph = to_graph(map_registry(registry, Minter("http://localhost:8080/"))["registry"])
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert URIRef("http://localhost:8080/id/kkb/62.04.06.2020") in subjects
    assert not any(str(s).startswith("https://w3id.org/kkb/id/") for s in subjects)
    assert Literal("Quality Family Village Kalahien", lang="en") in set(graph.objects())


# --- issue #16: the registry entry, yearly records and registry-row provenance -------------------


def test_bundled_registry_graph_is_unchanged_by_issue_16() -> None:
    """The bundled registry uses none of the new columns or tables: its graph is isomorphic to the
    one built before them (tests/cases/bundled/README.md). Its statements table (issue #20) is left
    out here: tests/test_attribution.py checks that it adds only the attribution triples."""
    registry = dataclasses.replace(read_registry(ROOT / "data"), statements=())
    graph = to_graph(map_registry(registry, Minter("https://w3id.org/kkb/"))["registry"])
    before = Graph().parse(Path(__file__).parent / "cases" / "bundled" / "registry.ttl")
    assert len(graph) == len(before) > 300
    assert isomorphic(graph, before)


def test_registry_entry_case_conforms_to_the_shapes() -> None:
    """The synthetic registry of the golden case (tests/cases/mapping/registry-entry) is valid as
    published: records, decrees and annual records satisfy every shape."""
    registry = read_registry(GOLDEN / "registry-entry" / "data")
    check_registry(registry)
    graph = Graph()
    for triples in map_registry(registry, Minter("https://w3id.org/kkb/")).values():
        to_graph(triples, graph)
    report = validate_graph(graph)
    assert report.conforms and report.results == (), report.text()
    assert len(set(graph.subjects(RDF.type, KKB.AnnualRecord))) == 3


def test_a_row_without_source_is_derived_from_its_registry_row(data_copy: Path) -> None:
    """A KKB row citing no source is published as derived from its file and row, without an
    excerpt; the other rows keep their news article and quotation."""
    kkb = data_copy / "registry" / "kkb.csv"
    lines = kkb.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[13] = ",".join(lines[13].split(",")[:8]) + ",,,,,\n"  # Kalahien, row 14: no source
    kkb.write_text("".join(lines), encoding="utf-8")
    sources = data_copy / "registry" / "sources.csv"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            ",id,sources/antara-buntok-kkb.txt,15,6,", ",id,sources/antara-buntok-kkb.txt,14,6,"
        ),
        encoding="utf-8",
    )
    registry = read_registry(data_copy)
    check_registry(registry)
    mint = Minter("https://w3id.org/kkb/")
    graph = to_graph(map_registry(registry, mint)["registry"])
    kalahien, record = mint.kkb("62.04.06.2020"), mint.record("registry/kkb.csv", 14)
    assert set(graph.objects(kalahien, PROV.wasDerivedFrom)) == {record}
    assert (kalahien, KKB.sourceExcerpt, None) not in graph
    assert graph.value(record, KKB.recordRow) == Literal(14)
    assert str(graph.value(record, KKB.recordFile)) == "registry/kkb.csv"
    assert (record, KKB.recordSheet, None) not in graph
    assert (mint.kkb("62.04.06.2024"), PROV.wasDerivedFrom, mint.mint("source", "antara-buntok-kkb")) in graph


def test_a_record_names_its_sheet_when_it_has_one() -> None:
    """A row read from a workbook (``sheet`` set by the reader) names its sheet as well."""
    from kkb_lod.entries import record_triples
    from kkb_lod.mapping import Context
    from kkb_lod.rows import Record

    mint = Minter("https://w3id.org/kkb/")
    row = Record("registry/registry.xlsx", 7, sheet="Kampung KB")
    graph = to_graph(record_triples(Context(mint, read_registry(GOLDEN / "registry-entry" / "data")), row))
    record = mint.record("registry/registry.xlsx", 7, "Kampung KB")
    assert str(graph.value(record, KKB.recordSheet)) == "Kampung KB"
    assert str(graph.value(record, KKB.recordFile)) == "registry/registry.xlsx"
    assert report_free(graph)


def report_free(graph: Graph) -> bool:
    report = validate_graph(graph)
    return report.conforms and report.results == ()
