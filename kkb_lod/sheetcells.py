"""A spreadsheet's typed cell → the text a CSV file would hold, or why it cannot be.

python-calamine gives each cell as a Python value: text, a number (always a float for .xlsx), a
bool, a date, a date and time, a time. A registry column is read as text (:mod:`kkb_lod.tables`),
so each is written as a person means it (a date as YYYY-MM-DD, a whole number without ``.0``);
where the type has already lost or hides what was meant (a code's final zero, a date serial,
text the spreadsheet turned into a date), the cell is refused with what to do.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kkb_lod.ingest import CellError, Parser


class Flag:
    """A cell refused whatever its column: a formula, an error, a merged cell."""

    __slots__ = ("message", "value")

    def __init__(self, message: str, value: str) -> None:
        self.message, self.value = message, value

    def __str__(self) -> str:
        return self.value


_EPOCH = dt.date(1899, 12, 30)  # day 0 of a spreadsheet's date serials (1900 date system)


def is_code(column: str) -> bool:
    return column == "code" or column.endswith("_code")


def is_date(column: str) -> bool:
    return column.endswith("_date")


def header_text(value: Any) -> str:
    """A header cell as text (a year typed as a header is a number cell)."""
    if type(value) is str:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_text(value: Any, column: str) -> str:
    """The text of a typed cell for ``column``, as it would be typed in a CSV file; a cell whose
    type loses or hides what was meant is a :class:`CellError` saying what to do."""
    if isinstance(value, Flag):
        raise CellError(value.message)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(float(value), column)
    if isinstance(value, dt.datetime) and is_date(column):
        if value.time() != dt.time(0):
            raise CellError(
                f"is a date and time ({value.isoformat(sep=' ')}); give the date alone, as YYYY-MM-DD"
            )
        value = value.date()
    if isinstance(value, dt.date):
        if is_date(column):
            return value.isoformat()
        shown = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        if column == "year":
            raise CellError(f"is a date cell ({shown}); write the year alone, like {value.year}")
        raise CellError(
            f"is a date cell ({shown}), in a column that holds no date: "
            f"the spreadsheet took what was typed for a date; format the column as "
            f"Text and type the value again"
        )
    if isinstance(value, dt.time | dt.timedelta):
        raise CellError(f"is a time cell ({value}); no column holds a time")
    return str(value)


def number_text(value: float, column: str) -> str:
    """A number cell as text: a whole number without ``.0`` (a year, an id typed as a number);
    refused in a code column unless whole (``62.10`` is stored as 62.1) and in a date column
    unless a year (a date serial is ambiguous)."""
    if is_code(column) and not value.is_integer():
        raise CellError(
            f"is a number cell ({value!r}), not text: Excel (or any spreadsheet) "
            f"drops a code's final zero, keeping 62.10 as 62.1; format the column as "
            f"Text and type the code again"
        )
    if is_date(column) and not (value.is_integer() and 1900 <= value <= 2099):
        shown = (_EPOCH + dt.timedelta(days=int(value))).isoformat() if 0 < value < 2_958_466 else None
        said = f" (as a spreadsheet date serial it is {shown})" if shown else ""
        raise CellError(
            f"is a number ({value:g}), not a date: ambiguous{said}; type the date "
            f"as YYYY-MM-DD{f', {shown} if that is the date,' if shown else ''} or "
            f"format the cell as a date"
        )
    if value.is_integer():
        if abs(value) >= 1e15:
            raise CellError(
                "is a number of more than 15 digits, which a spreadsheet rounds; "
                "format the column as Text and type it again"
            )
        return str(int(value))
    text = repr(value)
    if "e" in text or "n" in text:
        raise CellError(
            f"is the number {text}, which has no plain decimal form here; format the "
            f"column as Text and type it as it should read"
        )
    return text


_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{2}|[0-9]{4})")
_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            "januari january jan",
            "februari february feb peb",
            "maret march mar",
            "april apr",
            "mei may",
            "juni june jun",
            "juli july jul",
            "agustus august agu agt aug",
            "september sep sept",
            "oktober october okt oct",
            "november nov nop",
            "desember december des dec",
        ),
        start=1,
    )
    for name in names.split()
}
_DAY_MONTHNAME_YEAR = re.compile(r"([0-9]{1,2})\.? ([a-zA-Z]+)\.? ([0-9]{4})")


def dated(parser: Parser) -> Parser:
    """``parser`` for a spreadsheet's date column: date text not written YYYY-MM-DD is refused
    with the ISO form (and, where day and month could be swapped, both readings)."""

    def parse(value: str) -> Any:
        try:
            return parser(value)
        except CellError:
            raise CellError(
                ambiguous_date(value) or "is not a date as YYYY-MM-DD (or a year as YYYY)"
            ) from None

    return parse


def ambiguous_date(value: str) -> str | None:
    """What to write instead of date text such as 17/03/2021 or 17 Maret 2021, or None."""
    if found := _DAY_MONTHNAME_YEAR.fullmatch(value):
        month = _MONTHS.get(found[2].casefold())
        if month is not None and (iso := _iso(int(found[3]), month, int(found[1]))):
            return f"is a date written as words; write it as YYYY-MM-DD: {iso}"
        return None
    if not (found := _DAY_MONTH_YEAR.fullmatch(value)):
        return None
    first, second, year = int(found[1]), int(found[2]), found[3]
    if len(year) == 2:
        return (
            "is a date with a two-digit year, which is ambiguous; write it as YYYY-MM-DD, "
            "the year in four digits"
        )
    readings = [iso for iso in (_iso(int(year), second, first), _iso(int(year), first, second)) if iso]
    if len(set(readings)) == 2:
        return (
            f"is ambiguous: it reads as {readings[0]} (day first) or {readings[1]} (month "
            f"first); write it as YYYY-MM-DD"
        )
    if readings:
        return f"is not written as YYYY-MM-DD; write it as {readings[0]}"
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
