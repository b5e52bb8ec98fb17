"""The code and name history of the Kemendagri region list, 2016–2025 (packaged, read-only).

Codes never change their meaning in our IRIs, but names do, and some codes were removed (the
Papua provinces re-coded whole regencies). This module answers three questions about a code from
the packaged history (``kkb_lod/data/history/``, made by ``scripts/make_history.py`` from the six
editions; sources in the README there):

* :meth:`History.earlier_names` — the other names the code carried, each with its editions;
* :meth:`History.is_removed` — the code is in an earlier edition but not in 2025;
* :meth:`History.successors` — the 2025 code(s) that replaced a removed one, *only* where the
  editions pack records the pairing (never inferred from names).

Only what differs from the 2025 edition is stored; the 2025 names are the reference's.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kkb_lod.names import same_name

#: The editions of ``cahyadsn/wilayah`` the history covers (the repository's file years).
EDITIONS: tuple[int, ...] = (2016, 2018, 2020, 2022, 2023, 2025)
CURRENT_EDITION = EDITIONS[-1]
HISTORY_COLUMNS = ("code", "status", "name", "editions", "successors")
HISTORY_FILE = Path(__file__).resolve().parent / "data" / "history" / "history.csv.gz"
SOURCE_REPOSITORY = "cahyadsn/wilayah"
SOURCE_COMMIT = "b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7"


@dataclass(frozen=True)
class Edition:
    """One edition of the code list, citable: the decree the repository names for it, its file."""

    year: int
    decree: str
    path: str

    @property
    def label(self) -> str:
        return f"Kemendagri {self.year}"

    @property
    def citation(self) -> str:
        return (
            f"Kode wilayah Kemendagri, edisi {self.year} ({self.decree}); data: "
            f"{SOURCE_REPOSITORY} {self.path}, commit {SOURCE_COMMIT[:8]} (MIT)."
        )


#: The decree of each edition as the source repository's README names it (editions README).
EDITION_SOURCES: dict[int, Edition] = {
    e.year: e
    for e in (
        Edition(2016, "Permendagri No. 56 Tahun 2015", "db/archive/wilayah_2016.sql"),
        Edition(2018, "Permendagri No. 137 Tahun 2017", "db/archive/wilayah_2018.sql"),
        Edition(
            2020,
            "Permendagri No. 72 Tahun 2019, revised by Kepmendagri No. 146.1-4717 Tahun 2020",
            "db/archive/wilayah_2020.sql",
        ),
        Edition(
            2022,
            "Permendagri No. 58 Tahun 2021, revised by Kepmendagri No. 050-145 Tahun 2022",
            "db/archive/wilayah_2022.sql",
        ),
        Edition(2023, "Kepmendagri No 100.1.1-6117 Tahun 2022", "db/archive/wilayah_2023.sql"),
        Edition(2025, "Kepmendagri No 300.2.2-2138 Tahun 2025, amended by 300.2.2-2430", "db/wilayah.sql"),
    )
}


@dataclass(frozen=True)
class EarlierName:
    """A name a code carried, and the editions in which it did (not always consecutive)."""

    name: str
    editions: tuple[int, ...]


@dataclass(frozen=True)
class History:
    """Earlier names of current codes; names and successors of removed codes."""

    names: dict[str, tuple[EarlierName, ...]]
    removed: frozenset[str]
    replaced_by: dict[str, tuple[str, ...]]

    def earlier_names(self, code: str) -> tuple[EarlierName, ...]:
        """The names ``code`` had in earlier editions, other than its 2025 name (for a removed
        code: every name it had), oldest first; ``()`` when it never had another."""
        return self.names.get(code, ())

    def is_removed(self, code: str) -> bool:
        """True if ``code`` was in an earlier edition and is not in the 2025 edition."""
        return code in self.removed

    def successors(self, code: str) -> tuple[str, ...]:
        """The 2025 code(s) recorded as replacing the removed ``code``; ``()`` when none is."""
        return self.replaced_by.get(code, ())

    def last_edition(self, code: str) -> int | None:
        """The last edition a removed code is in (None for a code that is not removed)."""
        if code not in self.removed:
            return None
        return max(year for n in self.names.get(code, ()) for year in n.editions)

    def replacing(self, code: str) -> tuple[str, ...]:
        """The removed codes that ``code`` is recorded as replacing."""
        return tuple(sorted(old for old, new in self.replaced_by.items() if code in new))


def parse_history(text: str) -> History:
    """A :class:`History` from the CSV text of the packaged file."""
    names: dict[str, list[EarlierName]] = {}
    removed: set[str] = set()
    replaced_by: dict[str, tuple[str, ...]] = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        code = row["code"]
        editions = tuple(int(y) for y in row["editions"].split(";"))
        names.setdefault(code, []).append(EarlierName(row["name"], editions))
        if row["status"] == "removed":
            removed.add(code)
        if row["successors"]:
            replaced_by[code] = tuple(row["successors"].split(";"))
    return History(
        {c: tuple(sorted(ns, key=lambda n: n.editions)) for c, ns in names.items()},
        frozenset(removed),
        replaced_by,
    )


def earlier_edition(said: str, code: str, level: str | None = None) -> str | None:
    """The editions (``Kemendagri 2016``) in which ``code`` was named ``said`` (once normalised);
    None when ``said`` is none of its earlier names."""
    for n in load_history().earlier_names(code):
        if same_name(said, n.name, level):
            return ", ".join(EDITION_SOURCES[y].label for y in n.editions)
    return None


@cache
def load_history() -> History:
    """The packaged history (read once per process)."""
    with gzip.open(HISTORY_FILE, "rt", encoding="utf-8", newline="") as f:
        return parse_history(f.read())


__all__ = [
    "CURRENT_EDITION",
    "EDITIONS",
    "EDITION_SOURCES",
    "EarlierName",
    "Edition",
    "History",
    "earlier_edition",
    "load_history",
    "parse_history",
]
