"""The packaged code and name history: earlier names, removed codes, recorded successors, and
what a build publishes of them (name records sourced to their editions, former units)."""

from __future__ import annotations

from rdflib import Literal, URIRef

from kkb_lod.history import EDITION_SOURCES, EDITIONS, EarlierName, earlier_edition, load_history
from kkb_lod.ingest import Registry
from kkb_lod.iris import Minter
from kkb_lod.mapping import Context, history_triples, to_graph
from kkb_lod.reference import covered_units
from kkb_lod.vocab import DCTERMS, KKB, RDF, RDFS, XSD

from .conftest import BASE

MINT = Minter(BASE)


def test_earlier_names_with_their_editions() -> None:
    history = load_history()
    assert history.earlier_names("62.04.02.2009") == (EarlierName("Batapang", (2016,)),)
    assert history.earlier_names("62.06.04.2012") == (EarlierName("Garagu", (2016,)),)
    # Palu Rejo in 2016, Palo Rejo in 2018 only, Palu Rejo again: only the other name is stored
    assert history.earlier_names("62.04.05.2018") == (EarlierName("Palo Rejo", (2018,)),)
    assert earlier_edition("batapang", "62.04.02.2009", "village") == "Kemendagri 2016"
    assert earlier_edition("Batampang", "62.04.02.2009", "village") is None


def test_style_changes_and_artefacts_are_not_names() -> None:
    history = load_history()
    assert history.earlier_names("62.04") == ()  # KAB. BARITO SELATAN → Kabupaten Barito Selatan
    assert history.earlier_names("62") == ()  # KALIMANTAN TENGAH → Kalimantan Tengah
    assert history.earlier_names("62.04.05") == ()  # "Gn. Bintang Awai 21", a 2016 artefact
    assert history.earlier_names("34") == ()  # "DAERAH ISTIMEWA", cut short in 2016


def test_barito_selatan_has_the_thirteen_village_renames_of_the_editions() -> None:
    history = load_history()
    renamed = {u.code for u in covered_units(["62.04"]) if history.earlier_names(u.code)}
    assert len(renamed) == 13 and all(code.count(".") == 3 for code in renamed)
    assert not any(history.is_removed(u.code) for u in covered_units(["62.04"]))


def test_removed_codes_and_only_recorded_successors() -> None:
    history = load_history()
    assert history.is_removed("91.01") and history.successors("91.01") == ("93.01",)
    assert history.last_edition("91.01") == 2022
    assert history.replacing("93.01") == ("91.01",)
    assert history.is_removed("92.71") and history.successors("92.71") == ("96.71",)
    # A village of a re-coded regency: removed, and no successor recorded (none is inferred)
    assert history.is_removed("91.01.01.1002") and history.successors("91.01.01.1002") == ()
    assert len(history.replaced_by) == 26
    assert not history.is_removed("62.04.02.2009") and history.last_edition("62.04") is None
    # Removed then back (absent 2018-2023): a current code, its 2016 name kept when it differs
    assert not history.is_removed("91.20.02.2015")
    assert history.earlier_names("91.20.02.2015") == (EarlierName("Faria", (2016,)),)


def test_every_edition_is_citable() -> None:
    assert tuple(EDITION_SOURCES) == EDITIONS
    assert "Permendagri No. 56 Tahun 2015" in EDITION_SOURCES[2016].citation
    assert "wilayah_2016.sql" in EDITION_SOURCES[2016].citation


def _graph(regency: str):
    registry = Registry(
        units=covered_units([regency]),
        crosswalk=(),
        kkb=(),
        activities=(),
        organisations=(),
        posts=(),
        programmes=(),
        objectives=(),
        sources=(),
        texts={},
    )
    return to_graph(history_triples(Context(MINT, registry)))


def test_published_earlier_name_cites_its_edition() -> None:
    g = _graph("62.04")
    village = MINT.unit("62.04.02.2009")
    [record] = g.objects(village, KKB.earlierName)
    assert (record, RDF.type, KKB.NameRecord) in g
    assert set(g.objects(record, RDFS.label)) == {Literal("Batapang", lang="id")}
    assert set(g.objects(record, KKB.edition)) == {Literal("2016", datatype=XSD.gYear)}
    edition = MINT.mint("edition", "kemendagri-2016")
    assert set(g.objects(record, DCTERMS.source)) == {edition}
    assert (edition, RDF.type, KKB.SourceDocument) in g
    assert "Permendagri No. 56 Tahun 2015" in str(g.value(edition, DCTERMS.bibliographicCitation))
    assert len(set(g.subjects(RDF.type, KKB.NameRecord))) == 13
    assert not set(g.subjects(RDF.type, KKB.FormerUnit))


def test_a_recoded_regency_points_to_its_successor() -> None:
    g = _graph("93.01")
    old, new = MINT.unit("91.01"), MINT.unit("93.01")
    assert (old, RDF.type, KKB.FormerUnit) in g
    assert (old, DCTERMS.isReplacedBy, new) in g and (new, DCTERMS.replaces, old) in g
    assert g.value(old, RDFS.label) == Literal("KAB. MERAUKE", lang="id")
    [record] = g.objects(old, KKB.earlierName)
    assert {str(y) for y in g.objects(record, KKB.edition)} == {"2016", "2018", "2020", "2022"}
    # its kecamatan and villages were re-coded too, but no pairing is recorded: none is published
    assert not [s for s in g.subjects(DCTERMS.isReplacedBy, None) if s != old]
    assert (URIRef(str(MINT.unit("91.01.01"))), RDF.type, KKB.FormerUnit) not in g
