"""Who stated what (issue #20 item 4): the source's statements attributed, in PROV-O, to the person
and post who made them and to the office on whose behalf, asked in SPARQL of the real build; the
statements table refused with file, row and column when it names someone unknown; the KKB and
activity pages saying it in words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.compare import isomorphic

from kkb_lod.attribution import attribution_triples, within
from kkb_lod.checks import find_problems
from kkb_lod.cli import cli
from kkb_lod.ingest import read_registry
from kkb_lod.iris import Minter
from kkb_lod.mapping import Context, map_registry, to_graph
from kkb_lod.store import OxigraphStore
from kkb_lod.vocab import SPARQL_PROLOGUE

from .conftest import BASE, DATA
from .html_tree import Element, parse
from .workbooks import cell, tables_in_workbook

DOCUMENT = (DATA / "sources" / "antara-buntok-kkb.txt").read_text(encoding="utf-8")
PROLOGUE = SPARQL_PROLOGUE + "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"


def select(store: OxigraphStore, query: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT, each value as its string."""
    return [tuple(v.value if v is not None else "" for v in row) for row in store.query(PROLOGUE + query)]


# --- asked in SPARQL of the real build -----------------------------------------------------------


def test_who_said_that_desa_lehai_is_a_kkb(store: OxigraphStore) -> None:
    """The person, the post they spoke in, on whose behalf (and in which post) and the document."""
    rows = select(
        store,
        """SELECT ?name ?post ?boss ?bossPost ?doc WHERE {
          ?kkb a kkb:KKBDesignation ; kkb:village/rdfs:label "Lehai"@id ; prov:hadPrimarySource ?st .
          ?st prov:wasAttributedTo ?p ; dcterms:source ?doc ;
              prov:qualifiedAttribution [ prov:agent ?p ; prov:hadRole ?role ] .
          ?p foaf:name ?name . ?role rdfs:label ?post FILTER (lang(?post) = "id")
          ?p prov:actedOnBehalfOf ?b ; prov:qualifiedDelegation [ prov:agent ?b ; prov:hadRole ?br ] .
          ?b foaf:name ?boss . ?br rdfs:label ?bossPost FILTER (lang(?bossPost) = "id")
        }""",
    )
    assert rows == [
        (
            "Sunawati",
            "Kepala Bidang Pengendalian Penduduk (Kabid Pengendalian Penduduk)",
            "Mario",
            "Kepala DPPKBP3A Barito Selatan",
            BASE + "id/source/antara-buntok-kkb",
        )
    ]


def test_what_sunawati_stated_is_every_passage_she_speaks_in_the_article(store: OxigraphStore) -> None:
    """Eight passages: the cooperation, 2021-2022, the two objectives, the eight functions, the
    purpose, the count and the list; each in the document, verbatim."""
    rows = select(
        store,
        """SELECT ?st ?excerpt WHERE {
          ?st a kkb:Statement ; prov:wasAttributedTo/foaf:name "Sunawati" ; kkb:sourceExcerpt ?excerpt }""",
    )
    assert len({st for st, _ in rows}) == 8 == len(rows)
    passages = [e for _, e in rows]
    assert all(e in DOCUMENT for e in passages)
    for words in (
        "15 desa",  # the count …
        "enam kecamatan",
        "Desa Kalahien, Tanjung Jawa dan Teluk Mampun",  # … the list, to its last village
        "Kelurahan Rantau Kujang",
        "kerja sama dengan perangkat daerah lain",  # the activities
        "pada 2022 mendatang",
        "delapan fungsi keluarga",
        "meningkatkan kualitas hidup keluarga",  # the objectives
        "partisipasi masyarakat",
    ):
        assert sum(words in e for e in passages) == 1, words


def test_the_four_kinds_of_statement_are_attributed(store: OxigraphStore) -> None:
    """Every KKB (the list), both activities and both objectives have a primary source stated by
    Sunawati; and the count is one of her statements."""
    counts = select(
        store,
        """SELECT ?class (COUNT(DISTINCT ?r) AS ?n) WHERE {
          VALUES ?class { kkb:KKBDesignation kkb:GuidanceActivity kkb:StrategicObjective }
          ?r a ?class ; prov:hadPrimarySource/prov:wasAttributedTo/foaf:name "Sunawati" }
        GROUP BY ?class ORDER BY ?class""",
    )
    assert counts == [
        (str(KKB_TERM("GuidanceActivity")), "2"),
        (str(KKB_TERM("KKBDesignation")), "15"),
        (str(KKB_TERM("StrategicObjective")), "2"),
    ]
    unattributed = select(
        store, "SELECT ?k WHERE { ?k a kkb:KKBDesignation FILTER NOT EXISTS { ?k prov:hadPrimarySource ?s } }"
    )
    assert unattributed == []
    count = select(
        store,
        """SELECT ?st WHERE { ?st a kkb:Statement ; prov:wasAttributedTo/foaf:name "Sunawati" ;
          kkb:sourceExcerpt ?e
          FILTER (CONTAINS(?e, "sebanyak 15 desa") && CONTAINS(?e, "enam kecamatan")) }""",
    )
    assert count == [(BASE + "id/statement/antara-buntok-kkb-jumlah",)]


def KKB_TERM(name: str) -> str:  # noqa: N802 - reads as the term it names
    return f"https://w3id.org/kkb/def#{name}"


def test_the_reporter_is_the_publisher_not_a_speaker(store: OxigraphStore) -> None:
    """ANTARA publishes the document; only persons are speakers; the reporter's own sentences (the
    opening, the words introducing the speaker) are in no statement, so the rows quoting them (the
    organisations, the posts) have no primary source."""
    assert select(store, f"SELECT ?d WHERE {{ ?d dcterms:publisher <{BASE}id/org/antara> }}") == [
        (BASE + "id/source/antara-buntok-kkb",)
    ]
    speakers = select(store, "SELECT DISTINCT ?p WHERE { ?st a kkb:Statement ; prov:wasAttributedTo ?p }")
    assert speakers == [(BASE + "id/person/sunawati-barito-selatan",)]
    excerpts = [e for (e,) in select(store, "SELECT ?e WHERE { ?st a kkb:Statement ; kkb:sourceExcerpt ?e }")]
    for reporter in ("Pemerintah Kabupaten Barito Selatan", "Mario melalui Kabid", "di Buntok, Rabu"):
        assert not any(reporter in e for e in excerpts), reporter
    quoted_by_reporter = select(
        store,
        """SELECT ?r WHERE { VALUES ?c { org:Organization org:Post } ?r a ?c ; prov:hadPrimarySource ?s }""",
    )
    assert quoted_by_reporter == []


def test_every_attributed_statement_is_traceable_to_its_document(store: OxigraphStore) -> None:
    """Each statement names its document (dcterms:source, also prov:wasDerivedFrom), quotes it
    verbatim, and each resource it states is derived from that same document."""
    rows = select(
        store,
        """SELECT ?st ?doc ?derived ?e WHERE { ?st a kkb:Statement ; dcterms:source ?doc ;
          prov:wasDerivedFrom ?derived ; kkb:sourceExcerpt ?e }""",
    )
    assert len(rows) == 8
    for _, doc, derived, excerpt in rows:
        assert doc == derived == BASE + "id/source/antara-buntok-kkb"
        assert excerpt in DOCUMENT
    stray = select(
        store,
        """SELECT ?r WHERE { ?r prov:hadPrimarySource/dcterms:source ?doc
          FILTER NOT EXISTS { ?r prov:wasDerivedFrom ?doc } }""",
    )
    assert stray == []


def test_the_head_acts_on_behalf_of_the_office(store: OxigraphStore) -> None:
    """The chain of responsibility: Sunawati → Mario (Kepala) → DPPKBP3A Barito Selatan."""
    chain = select(
        store,
        """SELECT ?office WHERE { ?st prov:wasAttributedTo/prov:actedOnBehalfOf/prov:actedOnBehalfOf ?office }
        GROUP BY ?office""",
    )
    assert chain == [(BASE + "id/org/dppkbp3a-barito-selatan",)]


def test_attribution_only_adds_triples() -> None:
    """The registry graph is the graph without the statements table plus the attribution's own
    triples: nothing else of the publication changes."""
    registry, mint = read_registry(DATA), Minter(BASE)
    full = to_graph(map_registry(registry, mint)["registry"])
    without = to_graph(map_registry(dataclasses.replace(registry, statements=()), mint)["registry"])
    added = to_graph(attribution_triples(Context(mint, registry)))
    assert len(added) > 0 and isomorphic(full, without + added)


def test_a_quotation_is_within_a_passage_at_the_same_place() -> None:
    """A short quotation that also occurs outside the passage counts only where the passage is."""
    text = "Kabid said: pembinaan berjalan. The reporter: pembinaan berjalan baik."
    assert within(text, "pembinaan berjalan", ("Kabid said: pembinaan berjalan.",))
    assert not within(text, "pembinaan berjalan baik", ("Kabid said: pembinaan berjalan.",))
    assert not within(text, "absent", ("Kabid said",))


# --- the statements table refused, naming file, row and column ----------------------------------


def test_an_id_naming_a_post_and_an_organisation_is_refused(data_copy: Path) -> None:
    orgs = data_copy / "registry" / "organisations.csv"
    orgs.write_text(
        orgs.read_text(encoding="utf-8") + "kepala-dppkbp3a-barito-selatan,Kantor Kepala,,,unit,,,,\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in find_problems(read_registry(data_copy))]
    assert len(problems) == 8
    assert problems[0] == (
        "registry/statements.csv, row 2, column on_behalf_of: is both a post_id and an org_id; "
        "give ids that name one thing (value 'kepala-dppkbp3a-barito-selatan')"
    )


def test_validate_names_the_unknown_speaker(data_copy: Path) -> None:
    statements = data_copy / "registry" / "statements.csv"
    passage = "jumlah Kampung Keluarga Berkualitas yang tersebar di enam kecamatan di Barito Selatan"
    statements.write_text(
        statements.read_text(encoding="utf-8").replace(
            f"{passage} ini ada sebanyak 15 desa,kabid-pengendalian-penduduk-barito-selatan",
            f"{passage} ini ada sebanyak 15 desa,kabid-barito-selatan",
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 2
    assert (
        "registry/statements.csv, row 8, column stated_by: is not a post_id of posts.csv or a person "
        "(a holder_id there) (value 'kabid-barito-selatan')" in result.output
    )
    assert "Traceback" not in result.output


# --- shown on the pages --------------------------------------------------------------------------


def html(client: FlaskClient, path: str) -> Element:
    """The page at ``path`` as a browser asks for it."""
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 200, path
    return parse(answer.get_data(as_text=True))


def stated_by(client: FlaskClient, path: str) -> list[str]:
    return [p.text() for p in html(client, path).all(".stated-by")]


def test_the_kkb_page_says_who_stated_it_in_both_languages(client: FlaskClient) -> None:
    assert stated_by(client, "/id/kkb/62.04.02.2005?lang=en") == [
        "Stated by Sunawati (Head of the Population Control Division) on behalf of Mario (Head of "
        "DPPKBP3A Barito Selatan), in ANTARA news report from Buntok on the 15 Quality Family Villages "
        "of Barito Selatan Regency:"
    ]
    assert stated_by(client, "/id/kkb/62.04.02.2005?lang=id") == [
        "Dinyatakan oleh Sunawati (Kepala Bidang Pengendalian Penduduk (Kabid Pengendalian Penduduk)) "
        "atas nama Mario (Kepala DPPKBP3A Barito Selatan), dalam Berita ANTARA dari Buntok tentang 15 "
        "Kampung Keluarga Berkualitas di Kabupaten Barito Selatan:"
    ]
    page = html(client, "/id/kkb/62.04.02.2005?lang=en")
    section = page.one(".attribution")
    quotes = [q.text() for q in section.all("blockquote")]
    assert len(quotes) == 1 and "Desa Kalanis dan Lehai" in quotes[0]
    links = {a.attrs["href"] for a in section.all("a")}
    assert {
        "/id/person/sunawati-barito-selatan",
        "/id/post/kabid-pengendalian-penduduk-barito-selatan",
        "/id/person/mario-barito-selatan",
        "/id/post/kepala-dppkbp3a-barito-selatan",
        "/id/source/antara-buntok-kkb",
        "/id/statement/antara-buntok-kkb-daftar",
    } <= links


def test_the_activity_page_quotes_each_of_its_statements(client: FlaskClient) -> None:
    page = html(client, "/id/activity/6204-pembinaan-2022?lang=en")
    section = page.one(".attribution")
    assert [p.text() for p in section.all(".stated-by")][0].startswith("Stated by Sunawati (Head of")
    quotes = " ".join(q.text() for q in section.all("blockquote"))
    for words in ("pada 2022 mendatang", "perangkat daerah lain", "delapan fungsi keluarga"):
        assert words in quotes


def test_a_page_of_something_nobody_stated_has_no_attribution(client: FlaskClient) -> None:
    """A post comes from the reporter's sentence: no "stated by" line, no empty section."""
    page = html(client, "/id/post/kepala-dppkbp3a-barito-selatan")
    assert page.all(".attribution") == []


def test_the_kkb_page_shows_the_discrepancies_of_its_village_and_kecamatan(client: FlaskClient) -> None:
    """Rantau Bahuang: the source calls it a kelurahan (kind note of its village); Marga Jaya: the
    source spells its kecamatan Gunung Bintang Awai (name note of the kecamatan); Kalanis: none."""

    def notes(path: str) -> list[str]:
        page = html(client, path + "?lang=en")
        return [li.text() for section in page.all(".notes") for li in section.all("li")]

    (kind,) = notes("/id/kkb/62.04.01.2002")
    assert "in the source “kelurahan”" in kind and "about Rantau Bahuang" in kind
    (name,) = notes("/id/kkb/62.04.05.2020")
    assert "“Gunung Bintang Awai”" in name and "about Gn. Bintang Awai" in name
    assert notes("/id/kkb/62.04.02.2004") == []
    (village,) = notes("/id/village/62.04.01.2002")  # still shown where it was
    assert "in the source “kelurahan”" in village and "about" not in village


def test_sunawatis_page_lists_what_she_stated(client: FlaskClient) -> None:
    page = html(client, "/id/person/sunawati-barito-selatan?lang=en")
    backlinks = page.one(".backlinks")
    stated = [a.attrs["href"] for a in backlinks.all("a") if a.attrs["href"].startswith("/id/statement/")]
    assert len(stated) == 8
    assert "on behalf of" in page.one(".props").text()


def test_the_statement_resource_dereferences_in_rdf(client: FlaskClient) -> None:
    answer = client.get("/id/statement/antara-buntok-kkb-jumlah", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.get_data(as_text=True), format="turtle")
    assert len(graph) >= 8


def test_the_query_in_docs_model_answers_who_said_it(store: OxigraphStore) -> None:
    """The example query of docs/model.md "Who stated what" runs and answers as it says."""
    model = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    section = model[model.index("## Who stated what") :]
    query = section[
        section.index("```sparql") + len("```sparql") : section.index("```\n", section.index("```sparql") + 9)
    ]
    rows = [tuple(v.value for v in row) for row in store.query(query)]
    assert [r[:3] for r in rows] == [("Sunawati", "Head of the Population Control Division", "Mario")]
    assert "Desa Kalanis dan Lehai" in rows[0][3]


def test_a_workbook_sheet_of_statements_is_checked_by_its_own_headers(data_copy: Path) -> None:
    """The statements kept in the sheet "Pernyataan": a problem names the workbook, the sheet, the
    row and the column as its header reads ("Dinyatakan Oleh")."""
    tables_in_workbook(data_copy, {"statements": lambda rows: cell(rows, 3, "stated_by", "kabid")})
    problems = [str(p) for p in find_problems(read_registry(data_copy))]
    assert problems == [
        'registry/registry.xlsx, sheet "Pernyataan", row 3, column Dinyatakan Oleh: is not a post_id of '
        "posts.csv or a person (a holder_id there) (value 'kabid')"
    ]
