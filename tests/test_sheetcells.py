"""A typed spreadsheet cell becomes the text a CSV file would hold, or a message saying what the
type has lost (kkb_lod.sheetcells)."""

from __future__ import annotations

import datetime as dt

import pytest

from kkb_lod.ingest import CellError, date, optional
from kkb_lod.sheetcells import ambiguous_date, cell_text, dated


@pytest.mark.parametrize(
    ("value", "column", "text"),
    [
        ("62.10", "area_code", "62.10"),
        (62.0, "area_code", "62"),  # a province code typed as a number loses nothing
        (2021.0, "year", "2021"),
        (123456.0, "registry_id", "123456"),
        (15, "stated_kkb_count", "15"),
        (-1.598742, "latitude", "-1.598742"),
        (41.75, "value", "41.75"),
        (dt.date(2021, 3, 17), "designation_date", "2021-03-17"),
        (dt.datetime(2021, 3, 17), "pokja_decree_date", "2021-03-17"),
        (2021.0, "designation_date", "2021"),  # a year, which a date column takes
        (True, "note", "TRUE"),
    ],
)
def test_a_typed_cell_reads_as_meant(value: object, column: str, text: str) -> None:
    assert cell_text(value, column) == text


@pytest.mark.parametrize(
    ("value", "column", "said"),
    [
        (62.1, "area_code", "keeping 62.10 as 62.1"),
        (44377.0, "designation_date", "(as a spreadsheet date serial it is 2021-06-30)"),
        (-3.0, "designation_date", "not a date: ambiguous;"),
        (dt.datetime(2021, 3, 17, 9, 30), "designation_date", "give the date alone"),
        (
            dt.datetime(2021, 3, 17, 9, 30),
            "village_name",
            "is a date cell (2021-03-17 09:30:00), in a column",
        ),
        (dt.date(2021, 3, 1), "year", "write the year alone, like 2021"),
        (dt.date(2021, 3, 1), "village_name", "took what was typed for a date"),
        (dt.time(9, 30), "note", "is a time cell"),
        (1234567890123456.0, "registry_id", "more than 15 digits"),
        (1e-7, "value", "no plain decimal form"),
    ],
)
def test_a_typed_cell_that_lost_its_meaning_is_refused(value: object, column: str, said: str) -> None:
    with pytest.raises(CellError) as caught:
        cell_text(value, column)
    assert said in str(caught.value)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("17/03/2021", "write it as 2021-03-17"),
        ("3/17/2021", "write it as 2021-03-17"),
        ("03.04.2021", "reads as 2021-04-03 (day first) or 2021-03-04 (month first)"),
        ("04-04-2021", "write it as 2021-04-04"),  # both readings agree
        ("17/03/21", "the year in four digits"),
        ("17 Maret 2021", "2021-03-17"),
        ("1 Agt. 2022", "2022-08-01"),
        ("31 February 2021", None),  # no such day: the parser's own message
        ("2021/03/17", None),
    ],
)
def test_date_text_gets_its_iso_form(text: str, said: str | None) -> None:
    assert (ambiguous_date(text) is None) == (said is None)
    with pytest.raises(CellError) as caught:
        dated(optional(date))(text)
    assert said in str(caught.value) if said else "is not a date as YYYY-MM-DD" in str(caught.value)
