"""The one matcher, against the real national reference (91,599 units and their earlier names):
homonyms are resolved only with a parent, earlier names count, near spellings are suggestions."""

from __future__ import annotations

import pytest

from kkb_lod.matching import Entry, Matcher
from kkb_lod.names import name_key, normalise_name, same_name
from kkb_lod.resolve import national_matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return national_matcher()


def test_normalising_spelling_only() -> None:
    assert normalise_name("Desa  Kalahien") == "kalahien"
    assert normalise_name("Kel. Bangkuang", "village") == "bangkuang"
    assert normalise_name("Kec. Gn. Bintang Awai", "district") == "gunung bintang awai"
    assert same_name("KAB. BARITO SELATAN", "Kabupaten Barito Selatan", "regency")
    assert same_name("Kota Tanjung Balai", "Kota Tanjungbalai", "regency")
    assert same_name("Sumber Makmur II", "Sumber Makmur 2")
    # "Kota" is a kind word of regencies only: the village Kota Baru is not the village Baru
    assert not same_name("Kota Baru", "Baru", "village")
    assert name_key("Kota Baru", "regency") == "baru"
    assert not same_name("Batampang", "Batapang")


def test_marga_jaya_alone_is_never_certain(matcher: Matcher) -> None:
    result = matcher.match("Marga Jaya", level="village", limit=None, suggest=False)
    assert result.certain is None
    # 12 named so (one "Marga jaya"), as the reference README counts; more spelt "Margajaya"
    assert len([c for c in result.candidates if c.entry.name.casefold() == "marga jaya"]) == 12
    assert result.homonyms == len(result.candidates) > 12
    assert all(c.exact and not c.match for c in result.candidates)


def test_marga_jaya_with_its_kecamatan(matcher: Matcher) -> None:
    for kecamatan in ("Gunung Bintang Awai", "Kec. Gn. Bintang Awai", "62.04.05"):
        result = matcher.match("Desa Marga Jaya", level="village", parents=[kecamatan])
        assert result.certain is not None and result.certain.id == "62.04.05.2020", kecamatan
        assert result.candidates[0] is result.certain
        assert [c for c in result.candidates if c.match] == [result.certain]
        assert result.certain.parent_agreement == 1.0 and result.certain.name_similarity == 1.0
    # a parent at another level works too, as long as it singles one out
    assert (
        matcher.match("Marga Jaya", level="village", parents=["Barito Selatan"]).certain.id == "62.04.05.2020"
    )


def test_bangkuang_three_homonyms(matcher: Matcher) -> None:
    result = matcher.match("Bangkuang", level="village", suggest=False)
    assert sorted(c.id for c in result.candidates) == ["12.21.11.2021", "62.04.03.1002", "62.06.03.2004"]
    assert result.certain is None and result.homonyms == 3
    # the kind alone does not single out a homonym: only its kecamatan does
    by_kind = matcher.match("Bangkuang", level="village", kind="kelurahan", suggest=False)
    assert by_kind.certain is None and by_kind.candidates[0].id == "62.04.03.1002"
    assert by_kind.candidates[0].kind_agreement == 1.0 and by_kind.candidates[1].kind_agreement == 0.0
    # the province does not either: two of the three lie in Kalimantan Tengah
    assert matcher.match("Bangkuang", level="village", parents=["62"]).certain is None
    assert matcher.match("Bangkuang", level="village", parents=["Karau Kuala"]).certain.id == "62.04.03.1002"
    assert matcher.match("Bangkuang", level="village", parents=["Katingan"]).certain.id == "62.06.03.2004"


def test_earlier_names_match_and_say_so(matcher: Matcher) -> None:
    found = matcher.match("Batapang", level="village", parents=["Dusun Hilir"]).certain
    assert found is not None and found.id == "62.04.02.2009" and found.entry.name == "Batampang"
    assert (found.matched_name, found.matched_as) == ("Batapang", "Kemendagri 2016")
    assert found.name_similarity == 0.95
    garagu = matcher.match("Garagu", level="village", parents=["62.06.04"]).certain
    assert garagu is not None and garagu.id == "62.06.04.2012"


def test_near_spellings_are_suggested_never_certain(matcher: Matcher) -> None:
    result = matcher.match("Batampamg", level="village", parents=["Dusun Hilir"])
    assert result.certain is None
    assert result.candidates[0].id == "62.04.02.2009" and not result.candidates[0].exact
    assert matcher.match("Batampamg", level="village", suggest=False).candidates == ()


def test_levels_are_kept_apart(matcher: Matcher) -> None:
    # Bintang Ara is a desa in Barito Selatan and in Tabalong, and a kecamatan in Tabalong
    district = matcher.match("Bintang Ara", level="district", suggest=False)
    assert [c.id for c in district.candidates] == ["63.09.12"] and district.certain.id == "63.09.12"
    anywhere = matcher.match("Bintang Ara", suggest=False, limit=None)
    assert {c.id for c in anywhere.candidates} == {"62.04.05.2011", "63.09.12.2003", "63.09.12"}


def test_candidates_in_the_reconciliation_shape(matcher: Matcher) -> None:
    result = matcher.match("Marga Jaya", level="village", parents=["Gn. Bintang Awai"])
    first = result.candidates[0].reconciliation()
    assert first["id"] == "62.04.05.2020" and first["name"] == "Marga Jaya"
    assert first["match"] is True and first["score"] == 100.0
    assert first["type"] == [{"id": "desa", "name": "desa"}]
    assert first["description"] == (
        "Gn. Bintang Awai 62.04.05, Kabupaten Barito Selatan 62.04, Kalimantan Tengah 62"
    )
    assert {f["id"] for f in first["features"]} == {"name", "parent"}
    other = result.candidates[1].reconciliation()
    assert other["match"] is False and other["score"] < first["score"]


def test_any_entries_can_be_matched() -> None:
    """The linker's use: items with a parent id that is not itself an entry."""
    m = Matcher.of(
        [Entry("Q1", "Marga Jaya", "village", parent="Q9"), Entry("Q2", "Marga Jaya", "village", parent="Q8")]
    )
    assert m.match("Marga Jaya", level="village").certain is None
    assert m.match("Marga Jaya", level="village", parents=["Q8"]).certain.id == "Q2"
