"""Codes from names: a ``kkb.csv`` row that names its village and kecamatan but gives no codes.

The row gets its codes only when exactly one official village matches after normalising — by its
2025 name or an earlier edition's — inside the kecamatan the row names (:mod:`kkb_lod.matching`
decides; a homonym is never resolved without its kecamatan). Each resolution is kept
(:class:`Resolution`): the build prints it and the mapping publishes it as a note, with the names
as the row gave them. A row that does not resolve keeps its empty code; the checks
(:mod:`kkb_lod.checks`) then list the best candidates ("did you mean …"). Nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from kkb_lod.history import load_history
from kkb_lod.matching import Matcher, Result, unit_entries
from kkb_lod.reference import national_units
from kkb_lod.rows import KkbRow


@dataclass(frozen=True)
class Resolution:
    """How one row's codes were found: the names it gave, the unit they name, and by which name."""

    file: str
    row: int
    village_name: str
    district_name: str
    village_code: str
    district_code: str
    official_name: str
    matched_as: str  # "name", or the edition whose name it is ("Kemendagri 2016")

    def __str__(self) -> str:
        via = "" if self.matched_as == "name" else f", its name in {self.matched_as}"
        return (
            f"{self.file}, row {self.row}: resolved village {self.village_name!r} in kecamatan "
            f"{self.district_name!r} to {self.village_code} {self.official_name} (kecamatan "
            f"{self.district_code}{via}), the one official village of that name there"
        )


@cache
def national_matcher() -> Matcher:
    """The matcher over every unit of the packaged 2025 reference and its earlier names (built
    once per process, and only when a row needs it: about 2 s)."""
    return Matcher.of(unit_entries(national_units(), load_history()))


def village_query(matcher: Matcher, row: KkbRow, limit: int = 5) -> Result:
    """The official villages that ``row``'s names may mean, best first."""
    parents = [p for p in (row.district_code, row.district_name) if p]
    return matcher.match(row.village_name, level="village", parents=parents, limit=limit)


def resolve_rows(
    rows: tuple[KkbRow, ...], matcher: Matcher | None = None
) -> tuple[tuple[KkbRow, ...], tuple[Resolution, ...]]:
    """``rows`` with the codes of every row that names exactly one official village filled in,
    and how each was found. Rows that give a village code are returned unchanged."""
    if all(row.village_code for row in rows):
        return rows, ()
    matcher = matcher or national_matcher()
    out, found = [], []
    for row in rows:
        certain = None if row.village_code else village_query(matcher, row).certain
        if certain is None:
            out.append(row)
            continue
        district = certain.entry.parent or ""
        out.append(replace(row, village_code=certain.id, district_code=district))
        found.append(
            Resolution(
                row.file,
                row.row,
                row.village_name,
                row.district_name,
                certain.id,
                district,
                certain.entry.name,
                certain.matched_as,
            )
        )
    return tuple(out), tuple(found)


__all__ = ["Resolution", "national_matcher", "resolve_rows", "village_query"]
