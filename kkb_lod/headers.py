"""The names a column or a table may be given in a registry file, besides its canonical one.

A registry is kept by people at a desk, in Indonesian, in a spreadsheet: its header reads
"Kode Desa/Kelurahan", not ``village_code``, and its sheets are "Kampung KB" and "Tahunan". Both
kinds of name are accepted, and this one table says which, so that the template (``kkb-lod init``),
the reader (:mod:`kkb_lod.tables`) and data/README.md (checked against it by tests/test_docs.py)
cannot disagree.

Names are compared after :func:`fold`: case-folded, runs of white space made one space, and no
space around ``/`` ("Desa / Kelurahan" = "desa/kelurahan"). Every canonical name is also accepted
with spaces for its underscores (``village code``), the English alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Canonical column name → the other headers it may have (Indonesian first: the template's).
HEADERS: dict[str, tuple[str, ...]] = {
    # kkb: one row per Kampung KB
    "village_code": ("Kode Desa/Kelurahan", "Kode Desa"),
    "village_name": ("Desa/Kelurahan", "Nama Desa/Kelurahan", "Nama Desa"),
    "district_code": ("Kode Kecamatan",),
    "district_name": ("Kecamatan", "Nama Kecamatan"),
    "programme": ("Program",),
    "status": ("Status",),
    "designation_date": ("Tanggal Penetapan",),
    "designated_by": ("Ditetapkan Oleh",),
    "source": ("Sumber",),
    "source_excerpt": ("Kutipan Sumber",),
    "source_village_name": ("Nama Desa menurut Sumber",),
    "source_village_kind": ("Jenis Desa menurut Sumber",),
    "source_district_name": ("Nama Kecamatan menurut Sumber",),
    "registry_id": ("ID Kampung", "ID Kampung KB", "Nomor Registrasi"),
    "kampung_name": ("Nama Kampung", "Nama Kampung KB"),
    "sub_village": ("Dusun/RW", "Wilayah Dusun/RW"),
    "inauguration_date": ("Tanggal Pencanangan",),
    "inaugurated_by": ("Dicanangkan Oleh",),
    "pokja_decree_number": ("Nomor SK Pokja", "No. SK Pokja"),
    "pokja_decree_date": ("Tanggal SK Pokja",),
    # kkb_years: one row per Kampung KB and year
    "year": ("Tahun",),
    "classification": ("Klasifikasi",),
    "poktan": ("Poktan",),
    "rumah_dataku": ("Rumah DataKu",),
    "note": ("Catatan",),
    # activities
    "activity_id": ("ID Kegiatan",),
    "scope_code": ("Kode Wilayah Binaan",),
    "organiser": ("Penyelenggara",),
    "partners": ("Mitra",),
    "partner_description": ("Uraian Mitra",),
    "functions": ("Fungsi Keluarga",),
    # organisations
    "org_id": ("ID Organisasi",),
    "name": ("Nama",),
    "name_en": ("Nama (Inggris)",),
    "acronym": ("Singkatan",),
    "kind": ("Jenis",),
    "parent_org": ("Organisasi Induk",),
    "jurisdiction_code": ("Kode Wilayah Kerja",),
    # posts
    "post_id": ("ID Jabatan",),
    "title": ("Jabatan", "Nama Jabatan"),
    "title_en": ("Jabatan (Inggris)",),
    "holder_id": ("ID Pejabat",),
    "holder_name": ("Nama Pejabat",),
    # programmes, objectives
    "programme_id": ("ID Program",),
    "supports": ("Mendukung Program",),
    "objective_id": ("ID Sasaran",),
    "text": ("Rumusan",),
    "text_en": ("Rumusan (Inggris)",),
    # sources
    "source_id": ("ID Sumber",),
    "label": ("Judul",),
    "label_en": ("Judul (Inggris)",),
    "publisher": ("Penerbit",),
    "place": ("Tempat",),
    "place_code": ("Kode Tempat",),
    "language": ("Bahasa",),
    "document": ("Dokumen",),
    "stated_kkb_count": ("Jumlah Kampung KB menurut Sumber",),
    "stated_district_count": ("Jumlah Kecamatan menurut Sumber",),
    "stated_village_kind": ("Jenis Desa yang Disebut Sumber",),
    # statements: who stated a passage of a source
    "statement_id": ("ID Pernyataan",),
    "stated_by": ("Dinyatakan Oleh",),
    "on_behalf_of": ("Atas Nama",),
    # indicators, observations
    "indicator_id": ("ID Indikator",),
    "indicator": ("Indikator",),
    "area_code": ("Kode Wilayah",),
    "value": ("Nilai",),
    # the official region list (regions/units.csv, regions/bps_crosswalk.csv: CSV only)
    "code": ("Kode",),
    "level": ("Tingkat",),
    "parent_code": ("Kode Induk",),
    "latitude": ("Lintang",),
    "longitude": ("Bujur",),
    "postal_code": ("Kode Pos",),
    "bps_code": ("Kode BPS",),
    "bps_name": ("Nama BPS",),
    "kemendagri_code": ("Kode Kemendagri",),
    "kemendagri_name_2025": ("Nama Kemendagri 2025",),
}

#: Table (its file stem) → the names its sheet may have in a workbook, besides the stem.
SHEETS: dict[str, tuple[str, ...]] = {
    "kkb": ("Kampung KB",),
    "kkb_years": ("Tahunan",),
    "activities": ("Kegiatan",),
    "organisations": ("Organisasi",),
    "posts": ("Jabatan",),
    "programmes": ("Program",),
    "objectives": ("Sasaran",),
    "sources": ("Sumber",),
    "indicators": ("Indikator",),
    "observations": ("Nilai Indikator",),
    "statements": ("Pernyataan",),
}

_SLASH = re.compile(r"\s*/\s*")


def fold(name: str) -> str:
    """``name`` as names are compared: case-folded, white space collapsed, none around ``/``."""
    return _SLASH.sub("/", " ".join(name.split())).casefold()


def names(canonical: str, aliases: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every name ``canonical`` may be written as: itself, with spaces, and its aliases."""
    return (canonical, canonical.replace("_", " "), *aliases.get(canonical, ()))


def lookup(canonicals: Iterable[str], aliases: dict[str, tuple[str, ...]] = HEADERS) -> dict[str, str]:
    """Folded name → canonical name, for the columns (or tables) ``canonicals``."""
    return {fold(name): canonical for canonical in canonicals for name in names(canonical, aliases)}


def shown(canonical: str, aliases: dict[str, tuple[str, ...]] = HEADERS) -> str:
    """``canonical`` with its first alias, as a message names a column: ``village_code ("Kode
    Desa/Kelurahan")``."""
    alias = aliases.get(canonical)
    return f'{canonical} ("{alias[0]}")' if alias else canonical


def header_table() -> str:
    """The Markdown tables of data/README.md: each table's sheet names, each column's headers
    (tests/test_docs.py checks that the README holds exactly these)."""
    lines = ["| table (file stem) | sheet name |", "|---|---|"]
    lines += [
        f"| `{stem}` | " + ", ".join(f'"{name}"' for name in names) + " |" for stem, names in SHEETS.items()
    ]
    lines += ["", "| column | header (any of these, or the column's own name) |", "|---|---|"]
    lines += [
        f"| `{column}` | " + ", ".join(f'"{name}"' for name in names) + " |"
        for column, names in HEADERS.items()
    ]
    return "\n".join(lines)
