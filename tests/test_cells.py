"""The cells of a KKB's registry entry and yearly rows: each written form read as the registry
means it, anything else refused with a message saying what is expected."""

from __future__ import annotations

import datetime as dt

import pytest

from kkb_lod.cells import CellError, classification, full_date, poktan, registry_id, yes_no


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("Dasar", "dasar"),
        ("BERKEMBANG", "berkembang"),
        ("mandiri", "mandiri"),
        (" Berkelanjutan ", "berkelanjutan"),
        ("Paripurna", "paripurna"),
    ],
)
def test_classification_is_read_in_any_case(cell: str, key: str) -> None:
    assert classification(cell) == key


@pytest.mark.parametrize("cell", ["Maju", "Dasar 1", "1", "Paripurna+"])
def test_an_unknown_classification_is_refused_naming_the_five(cell: str) -> None:
    with pytest.raises(CellError, match="Dasar, Berkembang, Mandiri, Berkelanjutan, Paripurna"):
        classification(cell)


@pytest.mark.parametrize(
    ("cell", "kinds"),
    [
        ("BKB; BKR", ("BKB", "BKR")),
        ("bkl,uppka", ("BKL", "UPPKA")),
        ("GenRe", ("PIK-R",)),
        ("PIK R; PIK-R, pikr", ("PIK-R",)),
        ("BKB;;BKB;", ("BKB",)),
        ("", ()),
    ],
)
def test_poktan_lists_with_their_aliases(cell: str, kinds: tuple[str, ...]) -> None:
    assert poktan(cell) == kinds


def test_an_unknown_poktan_is_named() -> None:
    with pytest.raises(CellError, match="'Posyandu', not a poktan"):
        poktan("BKB; Posyandu")


@pytest.mark.parametrize(
    ("cell", "answer"), [("Ya", True), ("yes", True), ("TIDAK", False), ("No", False), ("", None)]
)
def test_yes_no(cell: str, answer: bool | None) -> None:
    assert yes_no(cell) is answer


@pytest.mark.parametrize("cell", ["mungkin", "Y", "1", "true"])
def test_other_answers_are_refused(cell: str) -> None:
    with pytest.raises(CellError, match="Ya or Tidak"):
        yes_no(cell)


def test_a_registry_id_keeps_its_leading_zeros() -> None:
    assert registry_id("0012") == "0012"


@pytest.mark.parametrize("cell", ["12a", "12 3", "-12", "١٢", "1" * 21])
def test_a_registry_id_is_digits_0_to_9(cell: str) -> None:
    with pytest.raises(CellError):
        registry_id(cell)


def test_a_full_date() -> None:
    assert full_date("2021-03-17") == dt.date(2021, 3, 17)


@pytest.mark.parametrize("cell", ["17-03-2021", "2021", "2021-02-30", "2021-3-17", "1821-03-17"])
def test_other_dates_are_refused(cell: str) -> None:
    with pytest.raises(CellError, match="YYYY-MM-DD"):
        full_date(cell)
