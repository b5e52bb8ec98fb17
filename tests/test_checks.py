"""The cross-table checks of ``kkb_lod.checks`` called directly, on rows made in the test: the edges
the bad-input corpus (``tests/test_ingest.py``) does not reach, each with its location and value."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from kkb_lod.checks import (
    _ancestors,
    _check_kkb_place,
    _check_observations,
    _duplicates,
    _kind,
    _kkb_of,
    _p,
    _year_after,
    check_kkb_entry,
    check_kkb_years,
    check_registry,
    check_units,
    find_problems,
    known_name,
    not_a_code,
    unresolved,
)
from kkb_lod.ingest import InputError, Problem, read_registry
from kkb_lod.reference import units_by_code
from kkb_lod.rows import IndicatorRow, KkbRow, KkbYearRow, ObservationRow, SourceRow, UnitRow
from kkb_lod.vocab import FAMILY_FUNCTIONS

KKB = KkbRow(
    "registry/kkb.csv",
    4,
    village_code="62.04.06.2020",
    village_name="Kalahien",
    district_code="62.04.06",
    district_name="Dusun Selatan",
    programme="kkb",
    status="active",
    designation_date=None,
    designated_by=None,
    source=None,
    source_village_name=None,
    source_village_kind=None,
    source_district_name=None,
    source_excerpt=(),
)


def year_row(year: int) -> KkbYearRow:
    return KkbYearRow("registry/kkb_years.csv", 7, "k1", None, year, None, (), None, None, None)


@pytest.mark.parametrize(
    ("began", "shown"),
    [(2019, "2019"), (dt.date(2019, 12, 31), "2019-12-31")],
    ids=["year", "date"],
)
def test_a_year_before_the_designation_is_refused_the_year_itself_is_not(began: object, shown: str) -> None:
    kkb = replace(KKB, designation_date=began)
    assert list(_year_after(year_row(2019), kkb)) == []
    assert list(_year_after(year_row(2018), kkb)) == [
        Problem(
            "registry/kkb_years.csv",
            7,
            "year",
            "2018",
            f"is before the KKB's designation date ({shown}, registry/kkb.csv row 4)",
        )
    ]


def test_a_year_before_the_inauguration_is_refused() -> None:
    kkb = replace(KKB, inauguration_date=dt.date(2020, 1, 1))
    (problem,) = _year_after(year_row(2019), kkb)
    assert (problem.column, problem.value) == ("year", "2019")
    assert problem.message.startswith("is before the KKB's inauguration date (2020-01-01")
    assert list(_year_after(year_row(2020), KKB)) == []  # no date: no bound


def test_the_ancestors_of_a_code_nearest_first() -> None:
    assert _ancestors("62.04.06.2020") == ["62.04.06", "62.04", "62"]
    assert _ancestors("62.04") == ["62"] and _ancestors("62") == []


def test_a_removed_code_names_its_recorded_successor() -> None:
    """Merauke was 91.01 until the 2022 edition; the editions record 93.01 as its successor."""
    assert not_a_code("91.01", "is unknown") == (
        "is unknown: it was 'KAB. MERAUKE' until the Kemendagri 2022 edition and is no longer in "
        "the 2025 list; replaced by 93.01 Kabupaten Merauke"
    )
    assert not_a_code("62.04", "is unknown") == "is unknown"  # a current code: the message alone


REMOVED = "is unknown: it was {!r} until the Kemendagri 2016 edition and is no longer in the 2025 list; "


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "11.01.15.2007",
            REMOVED.format("Kampung Baru") + "the editions record no successor; current units of that name: "
            "11.01.06.2022 Baru (desa; Samadua 11.01.06, Kabupaten Aceh Selatan 11.01); "
            "11.01.10.2004 Kampung Baru (desa; Pasie Raja 11.01.10, Kabupaten Aceh Selatan 11.01); "
            "11.02.05.2013 Kampung Baru (desa; Badar 11.02.05, Kabupaten Aceh Tenggara 11.02)",
        ),
        (
            "12.08.29.2003",
            REMOVED.format("Dolok Huluan")
            + "the editions record no successor and no current unit has its name; similar: "
            "12.08.29.2014 Silou Huluan (desa; Raya 12.08.29, Kabupaten Simalungun 12.08)",
        ),
        (
            "12.08.20.2013",
            REMOVED.format("Pematang Sinaman")
            + "the editions record no successor and no current unit has its name",
        ),
        (  # villages only, not the district of that name
            "11.17.06.2002",
            REMOVED.format("Bandar Baru") + "the editions record no successor; current units of that name: "
            "11.16.02.2006 Bandar Baru (desa; Bendahara 11.16.02, Kabupaten Aceh Tamiang 11.16); "
            "11.71.02.2008 Bandar Baru (desa; Kuta Alam 11.71.02, Kota Banda Aceh 11.71); "
            "12.07.03.2001 Bandar Baru (desa; Sibolangit 12.07.03, Kabupaten Deli Serdang 12.07)",
        ),
        (  # its regency 91.01 is gone too: looked for under the regency's successor 93.01
            "91.01.01",
            REMOVED.replace("2016", "2022").format("Merauke")
            + "the editions record no successor; current units of that name: "
            "93.01.01 Merauke (district; Kabupaten Merauke 93.01, Papua Selatan 93)",
        ),
        (  # three similar names, each named in full
            "14.04.17.2015",
            REMOVED.format("Sempadan Jaya")
            + "the editions record no successor and no current unit has its name; similar: "
            "14.04.17.2010 Sapta Jaya (desa; Pulau Burung 14.04.17, Kabupaten Indragiri Hilir 14.04); "
            "14.04.17.2004 Mayang Sari Jaya (desa; Pulau Burung 14.04.17, Kabupaten Indragiri Hilir 14.04); "
            "14.04.17.2011 Keramat Jaya (desa; Pulau Burung 14.04.17, Kabupaten Indragiri Hilir 14.04)",
        ),
        (  # regency 91.01 gone: the Mandala under its successor 93.01 first, not those of province 91
            "91.01.01.1004",
            REMOVED.replace("2016", "2022").format("Mandala")
            + "the editions record no successor; current units of that name: "
            "93.01.01.1004 Mandala (kelurahan; Merauke 93.01.01, Kabupaten Merauke 93.01); "
            "32.09.16.2003 Mandala (desa; Dukupuntang 32.09.16, Kabupaten Cirebon 32.09); "
            "33.01.08.2007 Mandala (desa; Jeruklegi 33.01.08, Kabupaten Cilacap 33.01)",
        ),
    ],
    ids=[
        "same-name",
        "similar",
        "none",
        "at-its-level",
        "under-a-successor",
        "similar-three",
        "village-under-a-successor",
    ],
)
def test_a_removed_code_without_successor_names_the_current_units_of_its_name(
    code: str, message: str
) -> None:
    """Looked for first under the nearest ancestor still a unit, at the code's level, three at most."""
    assert not_a_code(code, "is unknown") == message


def named(registry_id: str | None, village_code: str | None) -> KkbYearRow:
    return replace(year_row(2020), registry_id=registry_id, village_code=village_code)


def test_a_yearly_row_names_one_kkb_or_is_refused_in_full() -> None:
    other = replace(KKB, row=5, registry_id="k2", village_code="62.04.06.2021")
    kkb = replace(KKB, registry_id="k1")
    by_id, by_village = {"k1": kkb, "k2": other}, {kkb.village_code: kkb, other.village_code: other}
    assert _kkb_of(named("k1", None), by_id, by_village) is kkb
    assert _kkb_of(named(None, "62.04.06.2021"), by_id, by_village) is other
    assert _kkb_of(named("k1", "62.04.06.2020"), by_id, by_village) is kkb

    def problem(column: str, value: str, message: str) -> Problem:
        return Problem("registry/kkb_years.csv", 7, column, value, message)

    assert _kkb_of(named(None, None), by_id, by_village) == problem(
        "registry_id", "", "is required, or village_code: name the KKB this row is about"
    )
    assert _kkb_of(named("k9", None), by_id, by_village) == problem(
        "registry_id", "k9", "is the registry_id of no KKB row"
    )
    assert _kkb_of(named(None, "62.04.06.2099"), by_id, by_village) == problem(
        "village_code", "62.04.06.2099", "is the village_code of no KKB row"
    )
    assert _kkb_of(named("k1", "62.04.06.2021"), by_id, by_village) == problem(
        "village_code", "62.04.06.2021", "names another KKB (row 5) than registry_id k1 (row 4)"
    )


def test_a_problem_names_the_column_as_the_file_wrote_it_and_the_sheet() -> None:
    record = replace(year_row(2020), sheet="Tahunan", written={"registry_id": "ID Registri"})
    assert _p(record, "registry_id", "k9", "m") == Problem(
        "registry/kkb_years.csv", 7, "ID Registri", "k9", "m", "Tahunan"
    )
    assert _p(record, "year", "2020", "m").column == "year"  # a column written as its name
    assert _p(year_row(2020), "year", "2020", "m") == Problem(
        "registry/kkb_years.csv", 7, "year", "2020", "m"
    )


def test_a_source_column_without_a_source_is_refused_with_its_value() -> None:
    kkb = replace(KKB, source_village_name="Desa Kalahien")
    assert list(check_kkb_entry(kkb, {}, dt.date(2026, 1, 1))) == [
        Problem(
            "registry/kkb.csv",
            4,
            "source_village_name",
            "Desa Kalahien",
            "says what a source calls the place, but the row names no source (source is empty)",
        )
    ]


def test_the_registry_is_checked_against_the_day_given() -> None:
    registry = read_registry(Path(__file__).parents[1] / "data")
    first = replace(registry.kkb[0], designation_date=dt.date(2999, 1, 1))
    later = replace(registry, kkb=(first, *registry.kkb[1:]))
    check_registry(later, today=dt.date(2999, 1, 1))
    with pytest.raises(InputError, match="is in the future"):
        check_registry(later)


def source(kind: str, document: str | None) -> SourceRow:
    return SourceRow(
        "registry/sources.csv",
        3,
        "s1",
        kind,
        "S",
        None,
        None,
        None,
        None,
        "id",
        document,
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("kind", "document", "why"),
    [
        ("news-article", None, "is a news article"),
        ("report", "sources/s1.txt", "has a document"),
        ("report", None, None),
    ],
    ids=["news", "document", "neither"],
)
def test_a_row_citing_a_source_with_text_must_quote_it(
    kind: str, document: str | None, why: str | None
) -> None:
    kkb = replace(KKB, source="s1")
    expected = (
        []
        if why is None
        else [
            Problem(
                "registry/kkb.csv",
                4,
                "source_excerpt",
                "",
                f"is required: source s1 {why}; quote the sentence that names this KKB, verbatim",
            )
        ]
    )
    assert list(check_kkb_entry(kkb, {"s1": source(kind, document)}, dt.date(2026, 1, 1))) == expected


UNRESOLVED = (
    "gives no village_code and its name does not resolve to one official village: {}; give the code, "
    "or the name and kecamatan as in the official list. Did you mean: {}"
)


@pytest.mark.parametrize(
    ("name", "district", "why", "candidates"),
    [
        (
            "Kalahien",
            "62.04.01",
            "no official village of this name lies in kecamatan '62.04.01' (1 elsewhere)",
            "62.04.06.2020 Kalahien (desa; Dusun Selatan 62.04.06, Kabupaten Barito Selatan 62.04)",
        ),
        ("Qxzvqx Wkrp", "62.04.06", "no official village has this name in kecamatan '62.04.06'", "none"),
        (
            "Bandar Baru",
            "62.04.06",
            "no official village of this name lies in kecamatan '62.04.06' (5 elsewhere)",
            "11.16.02.2006 Bandar Baru (desa; Bendahara 11.16.02, Kabupaten Aceh Tamiang 11.16); "
            "11.71.02.2008 Bandar Baru (desa; Kuta Alam 11.71.02, Kota Banda Aceh 11.71); "
            "12.07.03.2001 Bandar Baru (desa; Sibolangit 12.07.03, Kabupaten Deli Serdang 12.07); "
            "12.15.01.2004 Bandar Baru (desa; Sitelu Tali Urang Jehe 12.15.01, "
            "Kabupaten Pakpak Bharat 12.15); "
            "18.04.11.2018 Bandar Baru (desa; Sukau 18.04.11, Kabupaten Lampung Barat 18.04)",
        ),
    ],
    ids=["elsewhere", "nowhere", "several-elsewhere"],
)
def test_a_name_that_does_not_resolve_says_why_and_the_candidates(
    name: str, district: str, why: str, candidates: str
) -> None:
    kkb = replace(KKB, village_code="", village_name=name, district_code=district)
    assert unresolved(kkb) == UNRESOLVED.format(why, candidates)


def test_a_date_of_today_or_this_year_is_not_in_the_future_the_day_after_is() -> None:
    today = dt.date(2026, 6, 1)
    for column in ("designation_date", "inauguration_date", "pokja_decree_date"):
        for fine in (today, *((2026,) if column == "designation_date" else ())):
            assert list(check_kkb_entry(replace(KKB, **{column: fine}), {}, today)) == [], (column, fine)
        late = 2027 if column == "designation_date" else dt.date(2026, 6, 2)
        assert list(check_kkb_entry(replace(KKB, **{column: late}), {}, today)) == [
            Problem("registry/kkb.csv", 4, column, str(late), "is in the future (today is 2026-06-01)")
        ]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("62", None),
        ("62.01", "kabupaten"),
        ("62.69", "kabupaten"),
        ("62.70", "kota"),
        ("62.71", "kota"),
        ("62.04.06", None),
        ("62.04.06.1001", "kelurahan"),
        ("62.04.06.2020", "desa"),
        ("62.04.06.3001", "desa_adat"),
    ],
)
def test_the_kind_a_code_implies(code: str, kind: str | None) -> None:
    assert _kind(code) == kind


def unit(code: str, level: str, parent: str | None, kind: str | None, row: int = 2) -> UnitRow:
    return UnitRow("regions/units.csv", row, code, "X", level, parent, kind, None, None, None)


def test_a_unit_agrees_with_its_code_or_each_disagreement_is_named() -> None:
    good = [unit("62", "province", None, None), unit("62.04", "regency", "62", "kabupaten", 3)]
    units = {u.code: u for u in good}
    assert list(check_units(good, units)) == []
    bad = [
        unit("62.71", "district", "62.04", None, 4),
        unit("62.04.06", "district", None, None, 5),
        unit("62.04.06.2020", "village", "62.04.06", "desa", 6),
    ]

    def problem(row: int, column: str, value: str, message: str) -> Problem:
        return Problem("regions/units.csv", row, column, value, message)

    assert list(check_units(bad, units)) == [
        problem(4, "level", "district", "code 62.71 is a regency code"),
        problem(4, "parent_code", "62.04", "the parent of 62.71 is 62"),
        problem(4, "kind", "", "code 62.71 is of kind kota"),
        problem(5, "parent_code", "", "the parent of 62.04.06 is 62.04"),
        problem(6, "parent_code", "62.04.06", "is not a code in this file"),
    ]
    assert list(check_units([unit("62.04", "regency", "62", "kota")], units)) == [
        problem(2, "kind", "kota", "code 62.04 is of kind kabupaten")
    ]
    assert list(check_units([unit("62.04.06", "district", "62.04", "desa")], units)) == [
        problem(2, "kind", "desa", "code 62.04.06 is of kind (none)")
    ]


def test_a_duplicate_names_the_first_row_and_an_empty_cell_is_no_duplicate() -> None:
    rows = [
        replace(KKB, row=n, registry_id=key) for n, key in ((2, "k1"), (3, ""), (4, ""), (5, "k1"), (6, "k1"))
    ]
    assert list(_duplicates(rows, "registry_id")) == [
        Problem("registry/kkb.csv", row, "registry_id", "k1", "is a duplicate of row 2") for row in (5, 6)
    ]
    assert [p.message for p in _duplicates(rows, "registry_id", "again, first {first}")] == [
        "again, first 2"
    ] * 2


def place(**changes: str) -> list[tuple[str | None, str | None, str]]:
    """(column, value, message) of each problem ``_check_kkb_place`` finds in KKB with ``changes``."""
    found = list(_check_kkb_place(replace(KKB, **changes), units_by_code()))
    assert all((p.file, p.row) == ("registry/kkb.csv", 4) for p in found)
    return [(p.column, p.value, p.message) for p in found]


def test_a_kkb_place_agrees_with_the_official_list_or_each_difference_is_named() -> None:
    assert place() == [] and place(source_village_name="Kalahien", source_district_name="Dusun Selatan") == []
    assert place(village_code="62.04.06.2999") == [
        ("village_code", "62.04.06.2999", "is not a village code in the official list")
    ]
    assert place(village_code="62.04.06") == [("village_code", "62.04.06", "is a district, not a village")]
    assert place(village_name="Kalahian") == [
        ("village_name", "Kalahian", "does not match the official name of 62.04.06.2020, 'Kalahien'")
    ]
    assert place(district_code="62.04.01", district_name="Elsewhere") == [
        (
            "district_code",
            "62.04.01",
            "village 62.04.06.2020 (Kalahien) lies in kecamatan 62.04.06, not 62.04.01",
        )
    ]
    assert place(district_name="Elsewhere") == [
        ("district_name", "Elsewhere", "does not match the official name of 62.04.06, 'Dusun Selatan'")
    ]
    assert place(source_village_name="Elsewhere", source_district_name="Nowhere") == [
        ("source_village_name", "Elsewhere", "names another place than the official 'Kalahien'"),
        ("source_district_name", "Nowhere", "names another place than the official 'Dusun Selatan'"),
    ]
    assert place(village_code="", district_code="62.04.01") == [
        (
            "village_name",
            "Kalahien",
            UNRESOLVED.format(
                "no official village of this name lies in kecamatan '62.04.01' (1 elsewhere)",
                "62.04.06.2020 Kalahien (desa; Dusun Selatan 62.04.06, Kabupaten Barito Selatan 62.04)",
            ),
        )
    ]


def test_a_name_is_known_as_the_official_one_or_an_earlier_editions_at_the_units_level() -> None:
    """A village named "Kota Palak" is not "Palak" ("kota" is a kind word of regencies only); an
    earlier edition's name ("Kota Baro" for today's Kuta Baro, 11.01.05.2017) is known, read at
    the village's level too."""
    units = units_by_code()
    palak, baro = units["11.01.04.2009"], units["11.01.05.2017"]
    assert (palak.name, palak.level, baro.name) == ("Kota Palak", "village", "Kuta Baro")
    assert known_name("Desa Kota Palak", palak) and not known_name("Palak", palak)
    assert known_name("Kota Baro", baro) and known_name("Desa Kota Baro", baro)
    assert not known_name("Baro", baro)


def test_cross_table_problems_name_the_row_column_value_and_the_whole_message() -> None:
    """A crosswalk row to a code not among the regions, a village or a registry id given twice, an
    id that names no row, a place code that is no unit, an activity's partner, function or place
    that is not one, a source's counts that disagree, a quotation not in its source, of no source
    or of a source without its text: each refused with its place, its value and its message in full."""
    registry = read_registry(Path(__file__).parents[1] / "data")
    first, second, *rest = registry.kkb
    crosswalk = replace(registry.crosswalk[0], kemendagri_code="62.99")
    activity = replace(
        registry.activities[0],
        organiser="nobody",
        scope_code="91.01",
        partners=("ghost",),
        functions=("joy",),
    )
    idle = replace(registry.activities[0], row=9, activity_id="idle", scope_code="62.01", functions=())
    quoting = replace(first, registry_id="k1", source_excerpt=("not in the article",), designated_by="nobody")
    twice = replace(second, village_code=first.village_code, registry_id="k1", source=None)
    article = registry.sources[0]
    undocumented = replace(article, row=9, source_id="undocumented", document=None)
    unchecked = replace(rest[0], source="undocumented", source_excerpt=("a quotation",))
    broken = replace(
        registry,
        crosswalk=(crosswalk, *registry.crosswalk[1:]),
        kkb=(quoting, twice, unchecked, *rest[1:]),
        activities=(activity, idle, *registry.activities[1:]),
        sources=(
            replace(article, stated_kkb_count=16, stated_district_count=7),
            *registry.sources[1:],
            undocumented,
        ),
    )
    cited = [k for k in broken.kkb if k.source == article.source_id]
    districts = len({k.district_code for k in cited})
    unknown = "is not a code in the official region list"
    assert not_a_code("91.01", unknown).startswith(unknown + ": it was ")  # what became of it
    expected = [
        (crosswalk, "kemendagri_code", "62.99", unknown),
        (
            twice,
            "village_code",
            first.village_code,
            "a village has one KKB designation; this village is already on row 2",
        ),
        (twice, "registry_id", "k1", "a registry id names one KKB; row 2 already has it"),
        (activity, "organiser", "nobody", "is not an id in organisations.csv"),
        (activity, "scope_code", "91.01", not_a_code("91.01", unknown)),
        (activity, "partners", "ghost", "is not an id in organisations.csv"),
        (activity, "functions", "joy", f"is not a family function ({', '.join(FAMILY_FUNCTIONS)})"),
        (idle, "functions", "", "is required"),
        (idle, "scope_code", "62.01", "has no KKB in the registry"),
        (quoting, "designated_by", "nobody", "is not an id in organisations.csv"),
        (
            article,
            "stated_kkb_count",
            "16",
            f"the source states this many KKB but kkb.csv has {len(cited)} rows citing it",
        ),
        (
            article,
            "stated_district_count",
            "7",
            f"the source states this many kecamatan but its KKB lie in {districts}",
        ),
        (quoting, "source_excerpt", "not in the article", "does not occur verbatim in the source document"),
        (twice, "source_excerpt", twice.source_excerpt[0], "quotes no source (source is empty)"),
        (
            unchecked,
            "source_excerpt",
            "a quotation",
            "cannot be checked: source undocumented has no document",
        ),
    ]
    found = list(find_problems(broken, dt.date(2026, 1, 1)))
    assert first.row == 2
    for record, column, value, message in expected:
        assert Problem(record.file, record.row, column, value, message) in found, (column, value)


def test_indicators_and_observations_name_each_bad_reference_and_each_second_value() -> None:
    """An indicator given twice or citing no source; an observation of no indicator, of a place
    that is no unit (with what became of it), of no source, or a second value for the same
    indicator, area and year: each refused with its row, column, value and whole message."""
    registry = read_registry(Path(__file__).parents[1] / "data")

    def indicator(row: int, indicator_id: str, source: str) -> IndicatorRow:
        return IndicatorRow("registry/indicators.csv", row, indicator_id, "Label", None, source)

    def observation(row: int, indicator: str, area: str, year: int, source: str) -> ObservationRow:
        return ObservationRow("registry/observations.csv", row, indicator, area, year, "1", source)

    good = "antara-buntok-kkb"
    with_them = replace(
        registry,
        indicators=(indicator(2, "kkb", good), indicator(3, "kkb", good), indicator(4, "other", "nowhere")),
        observations=(
            observation(2, "kkb", "62.04", 2021, good),
            observation(3, "missing", "91.01", 2021, "nowhere"),
            observation(4, "kkb", "62.04", 2022, good),
            observation(5, "kkb", "62.04", 2021, good),
        ),
    )
    units = {u.code: u for u in registry.units}
    ids = {"sources": {s.source_id for s in registry.sources}}
    unknown = "is not a code in the official region list"

    def problem(file: str, row: int, column: str, value: str, message: str) -> Problem:
        return Problem(f"registry/{file}.csv", row, column, value, message)

    assert list(_check_observations(with_them, units, ids)) == [
        problem("indicators", 3, "indicator_id", "kkb", "is a duplicate of row 2"),
        problem("indicators", 4, "source", "nowhere", "is not an id in sources.csv"),
        problem("observations", 3, "indicator", "missing", "is not an id in indicators.csv"),
        problem("observations", 3, "area_code", "91.01", not_a_code("91.01", unknown)),
        problem("observations", 3, "source", "nowhere", "is not an id in sources.csv"),
        problem(
            "observations", 5, "year", "2021", "this indicator, area and year already have a value on row 2"
        ),
    ]
    assert not_a_code("91.01", unknown).startswith(unknown + ": it was ")
    in_full = list(find_problems(with_them, dt.date(2026, 1, 1)))  # what find_problems passes on
    assert all(p in in_full for p in _check_observations(with_them, units, ids))


def test_a_yearly_row_is_refused_for_a_second_row_of_its_year_the_future_and_an_unknown_source() -> None:
    """Each refusal with the year or source as its value and the whole message: the row of the
    year given first is named."""
    registry = read_registry(Path(__file__).parents[1] / "data")
    kkb = replace(registry.kkb[0], registry_id="k1")

    def row(number: int, year: int, source: str | None = None) -> KkbYearRow:
        return KkbYearRow("registry/kkb_years.csv", number, "k1", None, year, None, (), None, source, None)

    years = replace(registry, kkb=(kkb,), kkb_years=(row(2, 2021), row(3, 2021, "nowhere"), row(4, 2027)))

    def problem(number: int, column: str, value: str, message: str) -> Problem:
        return Problem("registry/kkb_years.csv", number, column, value, message)

    assert list(check_kkb_years(years, {"antara-buntok-kkb"}, dt.date(2026, 1, 1))) == [
        problem(3, "year", "2021", "this KKB already has a row for 2021 (row 2); one row per KKB and year"),
        problem(3, "source", "nowhere", "is not an id in sources.csv"),
        problem(4, "year", "2027", "is in the future (today is 2026-01-01)"),
    ]
