"""IRIs: mint → parse → mint is the identity, and nothing malformed gets through."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkb_lod.iris import IriError, Minter, ResourceRef, is_code, level_of, parent_code, record_key

BASES = st.sampled_from(["https://w3id.org/kkb/", "http://localhost:5000/", "https://x.test/a/b/"])
PROVINCE = st.from_regex(r"[1-9][0-9]", fullmatch=True)
TWO = st.from_regex(r"[0-9]{2}", fullmatch=True)
VILLAGE = st.from_regex(r"[123][0-9]{3}", fullmatch=True)
VILLAGE_CODES = st.builds(lambda p, r, d, v: f"{p}.{r}.{d}.{v}", PROVINCE, TWO, TWO, VILLAGE)
CODES = st.one_of(
    PROVINCE,
    st.builds(lambda p, r: f"{p}.{r}", PROVINCE, TWO),
    st.builds(lambda p, r, d: f"{p}.{r}.{d}", PROVINCE, TWO, TWO),
    VILLAGE_CODES,
)
SLUGS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(BASES, CODES)
def test_unit_iris_round_trip(base: str, code: str) -> None:
    mint = Minter(base)
    iri = mint.unit(code)
    ref = mint.parse(iri)
    assert ref == ResourceRef(level_of(code), code)
    assert mint.mint(ref.kind, ref.key) == iri


@given(BASES, st.sampled_from(["activity", "org", "programme", "source", "note"]), SLUGS)
def test_slug_iris_round_trip(base: str, kind: str, slug: str) -> None:
    mint = Minter(base)
    assert mint.mint(*mint.parse(mint.mint(kind, slug)).__dict__.values()) == mint.mint(kind, slug)


@given(BASES, VILLAGE_CODES)  # drawn directly: filtering CODES rejected 3 draws in 4
def test_kkb_is_keyed_by_its_village(base: str, code: str) -> None:
    mint = Minter(base)
    assert mint.parse(mint.kkb(code)) == ResourceRef("kkb", code)


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("village", "62.04.06"),  # a district code under the village kind
        ("district", "62.04.06.2020"),
        ("village", "62.04.06.4020"),  # village digit 4 does not exist
        ("province", "06"),
        ("kkb", "62.04"),
        ("org", "Has Capitals"),
        ("org", "trailing-"),
        ("org", "a/../b"),
        ("unknown", "x"),
    ],
)
def test_malformed_keys_are_refused(kind: str, key: str) -> None:
    with pytest.raises(IriError):
        Minter("https://w3id.org/kkb/").mint(kind, key)


@pytest.mark.parametrize(
    "iri",
    [
        "https://elsewhere.example/id/village/62.04.06.2020",
        "https://w3id.org/kkb/id/village/62.04.06.2020.ttl",
        "https://w3id.org/kkb/id/village/62.04.06.2020/extra",
        "https://w3id.org/kkb/id/village/",
        "https://w3id.org/kkb/graph/registry",
    ],
)
def test_foreign_or_malformed_iris_do_not_parse(iri: str) -> None:
    mint = Minter("https://w3id.org/kkb/")
    assert not mint.owns(iri)
    with pytest.raises(IriError):
        mint.parse(iri)


@pytest.mark.parametrize("base", ["https://w3id.org/kkb", "ftp://x/", "https://a b/", ""])
def test_bad_base_iri_is_refused(base: str) -> None:
    with pytest.raises(IriError):
        Minter(base)


def test_levels_and_parents() -> None:
    assert [level_of(c) for c in ("62", "62.04", "62.04.06", "62.04.06.2020")] == [
        "province",
        "regency",
        "district",
        "village",
    ]
    assert parent_code("62.04.06.2020") == "62.04.06"
    assert parent_code("62") is None


def test_graph_names() -> None:
    mint = Minter("https://w3id.org/kkb/")
    assert str(mint.graph("links/wikidata")) == mint.base + "graph/links/wikidata"
    with pytest.raises(IriError):
        mint.graph("../x")


@pytest.mark.parametrize(
    "code",
    [
        "62.04.106.2020",
        "62.04.6.2020",  # the district part is exactly two digits
        "62.004.06.2020",
        "62.4.06.2020",  # so is the regency part
        "62.04.06.20200",
        "62.04.06.202",  # the village part: its kind digit and three more
        "620.04",
        "6",
        "62.04.06.",
        ".62",
        "62\n",
        "62.04.06.2020\n",
        "62.04\n",  # `$` would take a trailing newline
        "6٢",
        "62.0٤",
        "62.04.06.２020",  # digits of other scripts
    ],
)
def test_malformed_codes_are_not_codes(code: str) -> None:
    assert not is_code(code)
    with pytest.raises(IriError):
        level_of(code)
    with pytest.raises(IriError):
        Minter("https://w3id.org/kkb/").mint("village", code)


@pytest.mark.parametrize(("kind", "key"), [("org", "antara\n"), ("org", "a\nb")])
def test_a_slug_with_a_newline_is_refused(kind: str, key: str) -> None:
    mint = Minter("https://w3id.org/kkb/")
    with pytest.raises(IriError):
        mint.mint(kind, key)
    assert not mint.owns(f"{mint.base}id/{kind}/{key}")


def test_a_trailing_newline_is_refused_in_graph_names_and_bases() -> None:
    with pytest.raises(IriError):
        Minter("https://w3id.org/kkb/").graph("registry\n")
    with pytest.raises(IriError):
        Minter("https://w3id.org/kkb/\n")
    assert not Minter("https://w3id.org/kkb/").owns("https://w3id.org/kkb/id/village/62.04.06.2020\n")


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: level_of("62.4"), "'62.4'"),
        (lambda: Minter("ftp://x/"), "'ftp://x/'"),
        (lambda: Minter("https://w3id.org/kkb/").kkb("62.04"), "'62.04'"),
        (lambda: Minter("https://w3id.org/kkb/").graph("../x"), "'../x'"),
        (
            lambda: Minter("https://w3id.org/kkb/").parse("https://elsewhere.example/id/org/a"),
            "'https://elsewhere.example/id/org/a'",
        ),
        (lambda: Minter("https://w3id.org/kkb/").mint("unknown", "x"), "known: activity, dataset"),
        (lambda: Minter("https://w3id.org/kkb/").mint("village", "62.4"), "'62.4'"),
        (lambda: Minter("https://w3id.org/kkb/").mint("village", "62.04"), "village code, got '62.04'"),
        (lambda: Minter("https://w3id.org/kkb/").mint("org", "A"), "slug (a-z, 0-9, '-'), got 'A'"),
    ],
    ids=[f"refusal{i}" for i in range(9)],
)
def test_a_refusal_names_what_it_refused(call, named: str) -> None:  # noqa: ANN001
    """The message is what an operator sees (a bad ``KKB_BASE_IRI``, a registry value that makes
    no IRI): it names the value refused and, for a kind, the kinds there are."""
    with pytest.raises(IriError) as refused:
        call()
    assert named in str(refused.value)


YEARS = st.integers(min_value=1900, max_value=2099)


@given(BASES, VILLAGE_CODES, YEARS)
def test_parts_of_a_kkb_round_trip(base: str, code: str, year: int) -> None:
    """``{kkb}/pokja`` and ``{kkb}/{year}`` are minted and parsed back to the KKB and its part."""
    mint = Minter(base)
    assert str(mint.pokja(code)) == str(mint.kkb(code)) + "/pokja"
    assert mint.parse(mint.pokja(code)) == ResourceRef("kkb", code, "pokja")
    assert mint.parse(mint.annual(code, year)) == ResourceRef("kkb", code, str(year))
    ref = mint.parse(mint.annual(code, year))
    assert mint.mint(ref.kind, ref.key, ref.part) == mint.annual(code, year)


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/kkb/id/kkb/62.04.06.2020/",  # an empty part
        "https://w3id.org/kkb/id/kkb/62.04.06.2020/1800",  # not a year of the registry
        "https://w3id.org/kkb/id/kkb/62.04.06.2020/21",
        "https://w3id.org/kkb/id/kkb/62.04.06.2020/Pokja",
        "https://w3id.org/kkb/id/kkb/62.04.06.2020/2021/pokja",
        "https://w3id.org/kkb/id/village/62.04.06.2020/2021",  # only a KKB has parts
        "https://w3id.org/kkb/id/org/antara/pokja",
    ],
)
def test_malformed_parts_do_not_parse(iri: str) -> None:
    mint = Minter("https://w3id.org/kkb/")
    assert not mint.owns(iri)


@pytest.mark.parametrize(
    ("file", "sheet", "row", "key"),
    [
        ("registry/kkb.csv", None, 2, "registry-kkb-csv-2"),
        ("registry/registry.xlsx", "Kampung KB", 7, "registry-registry-xlsx-kampung-kb-7"),
        (
            "registry/Data Kampung KB (2024).ods",
            "Tahunan",
            12,
            "registry-data-kampung-kb-2024-ods-tahunan-12",
        ),
    ],
)
def test_a_registry_row_has_a_record_iri(file: str, sheet: str | None, row: int, key: str) -> None:
    mint = Minter("https://w3id.org/kkb/")
    iri = mint.record(file, row, sheet)
    assert str(iri) == f"{mint.base}id/record/{key}"
    assert mint.parse(iri) == ResourceRef("record", key)


def test_long_file_names_keep_their_records_apart() -> None:
    mint = Minter("https://w3id.org/kkb/")
    long = "registry/" + "kampung keluarga berkualitas " * 4
    first, second = mint.record(long + "a.xlsx", 2), mint.record(long + "b.xlsx", 2)
    assert first != second and mint.owns(first) and mint.owns(second)
    with pytest.raises(IriError):
        mint.record("registry/kkb.csv", 0)


def test_a_record_key_is_the_files_slug_then_the_row() -> None:
    assert record_key("registry/kkb.csv", 2) == "registry-kkb-csv-2"
    assert record_key("Data.xlsx", 1, "Desa KKB") == "data-xlsx-desa-kkb-1"
    assert record_key("", 1) == "file-1" and record_key("+++", 3) == "file-3"  # no letter or digit


def test_a_record_key_of_a_long_name_is_shortened_and_kept_apart_by_a_hash() -> None:
    assert record_key("a" * 60, 2) == "a" * 60 + "-2"  # 60 characters: kept whole
    long, other = record_key("a" * 61, 2), record_key("a" * 62, 2)
    assert long.startswith("a" * 50 + "-") and long != other
    assert len(long) == len(other) == 50 + 1 + 8 + 2 and long[51:59].isalnum()
    # cut after a separator: the separator goes, one "-" stands before the hash
    cut = record_key("a" * 49 + " " + "b" * 20, 4)
    assert cut.startswith("a" * 49 + "-") and cut[50] != "-" and len(cut) == 49 + 1 + 8 + 2


@pytest.mark.parametrize("row", [0, -1])
def test_a_record_key_needs_a_row_from_1(row: int) -> None:
    with pytest.raises(IriError, match=f"a row number is 1 or more, got {row}"):
        record_key("registry/kkb.csv", row)


def test_a_units_geometry_is_a_part_of_its_iri() -> None:
    mint = Minter("https://w3id.org/kkb/")
    geometry = mint.geometry("62.04")
    assert str(geometry) == str(mint.unit("62.04")) + "/geometry"
    assert mint.parse(str(geometry)) == ResourceRef("regency", "62.04", "geometry")


def test_a_version_iri_needs_a_release_stamp_and_a_whole_resource() -> None:
    mint = Minter("https://w3id.org/kkb/")
    member, stamp = str(mint.unit("62.04")), "20261205T010203040506Z"
    assert str(mint.version(member, stamp)) == member + "#version-" + stamp
    for bad_member, bad_stamp in ((member, "2026"), (str(mint.geometry("62.04")), stamp)):
        with pytest.raises(IriError, match=f"no version IRI for '{bad_member}' at '{bad_stamp}'"):
            mint.version(bad_member, bad_stamp)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("id/regency/62.04/x", "the one part of an administrative unit is 'geometry', got 'x'"),
        ("id/org/a/geometry", "only a kkb designation or an administrative unit has parts, not a org"),
        ("id/kkb/62.04.06.2020/1899", "a part of a kkb designation is 'pokja' or a year YYYY, got '1899'"),
    ],
    ids=["unit", "org", "kkb"],
)
def test_a_refused_part_is_named(path: str, message: str) -> None:
    with pytest.raises(IriError, match=re.escape(message)):
        Minter("https://w3id.org/kkb/").parse("https://w3id.org/kkb/" + path)
