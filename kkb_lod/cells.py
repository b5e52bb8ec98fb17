"""Parsers of the cells a KKB's own registry entry adds (issue #16): its registry id, dates, and
the yearly record's classification, poktan and Rumah DataKu.

Kept apart from :mod:`kkb_lod.ingest` (which imports them into its table definitions) because they
carry the one piece of domain knowledge of these columns: which written forms mean which value.
The values are those the BKKBN Kampung KB registry records, no more: five classification levels,
five kinds of poktan (kelompok kegiatan), yes or no. A parser returns the canonical key
(:data:`CLASSIFICATIONS`, :data:`POKTAN`), which :mod:`kkb_lod.vocab` turns into a concept.
"""

from __future__ import annotations

import datetime as dt
import re


class CellError(ValueError):
    """A cell that its column's parser refuses."""


def ascii_digits(value: str) -> str:
    """``value`` if every digit in it is one of 0-9: ``\\d`` and ``int()`` also take other scripts'
    digits (``20٢١``) and ``str.isdigit`` superscripts (``¹⁵``, which ``int()`` then refuses)."""
    if value.isascii():
        return value
    for char in value:
        if (char.isdigit() or char.isnumeric()) and not "0" <= char <= "9":
            raise CellError(
                f"has the digit {char!r} (U+{ord(char):04X}), not one of 0-9; write "
                "numbers, years and dates with the digits 0-9"
            )
    return value


def registry_id(value: str) -> str:
    """The KKB's id in the Kampung KB registry ("ID Kampung"): digits only, kept as written
    (leading zeros are part of an id, so it is text, never a number)."""
    if not re.fullmatch(r"[0-9]{1,20}", ascii_digits(value)):
        raise CellError("is not a registry id of digits 0-9 (at most 20)")
    return value


def full_date(value: str) -> dt.date:
    """A full ISO date, YYYY-MM-DD (a spreadsheet's date cell arrives in this form)."""
    try:
        if re.fullmatch(r"(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}", ascii_digits(value)):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise CellError("is not a date as YYYY-MM-DD (e.g. 2021-03-17)")


#: Classification levels of a Kampung KB as the registry records them ("Klasifikasi"), in order.
CLASSIFICATIONS: tuple[str, ...] = ("dasar", "berkembang", "mandiri", "berkelanjutan", "paripurna")

#: Kinds of poktan as the registry writes them, and the other spellings taken for each.
POKTAN: dict[str, str] = {
    "BKB": "BKB",
    "BKR": "BKR",
    "BKL": "BKL",
    "UPPKA": "UPPKA",
    "PIK-R": "PIK-R",
    "PIK R": "PIK-R",
    "PIKR": "PIK-R",
    "GENRE": "PIK-R",
}


def classification(value: str) -> str:
    """One of :data:`CLASSIFICATIONS`, case-insensitive (``Mandiri`` → ``mandiri``)."""
    key = " ".join(value.split()).casefold()
    if key not in CLASSIFICATIONS:
        raise CellError("must be one of " + ", ".join(c.capitalize() for c in CLASSIFICATIONS))
    return key


def poktan(value: str) -> tuple[str, ...]:
    """A list of poktan separated by ``;`` or ``,`` (each once, in the canonical spelling of
    :data:`POKTAN`); "GenRe" and "PIK R" are the same kind as "PIK-R"."""
    found: list[str] = []
    for part in re.split(r"[;,]", value):
        word = " ".join(part.split()).upper()
        if not word:
            continue
        if word not in POKTAN:
            raise CellError(
                f"names {part.strip()!r}, not a poktan: write BKB, BKR, BKL, UPPKA or "
                "PIK-R (GenRe), separated by ';' or ','"
            )
        if POKTAN[word] not in found:
            found.append(POKTAN[word])
    return tuple(found)


#: How a yes/no cell may be written (Indonesian or English, any case).
YES_NO: dict[str, bool] = {"ya": True, "yes": True, "tidak": False, "no": False}


def yes_no(value: str) -> bool | None:
    """Ya/Yes → True, Tidak/No → False, empty → None (not known)."""
    if not value:
        return None
    answer = YES_NO.get(value.casefold())
    if answer is None:
        raise CellError("must be Ya or Tidak (or Yes or No); leave it empty when not known")
    return answer


__all__ = [
    "CLASSIFICATIONS",
    "POKTAN",
    "CellError",
    "classification",
    "full_date",
    "poktan",
    "registry_id",
    "yes_no",
]
