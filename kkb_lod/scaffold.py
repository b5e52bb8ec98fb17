"""``kkb-lod init --area CODE [DIR]``: a ready registry folder for a regency/city, a province or the
country.

It writes three files and nothing else: ``registry/registry.xlsx`` (:mod:`kkb_lod.template`),
``README.md`` (Indonesian and English: the sheets, every column, how to fill, build and publish)
and ``kkb-lod.toml`` (the settings a build in that folder reads: the area, the base IRI to set,
the folders). A folder that already holds files is refused, so nobody's registry is overwritten;
with ``force`` a non-empty folder is accepted, but an existing file of these three still never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kkb_lod.config import CONFIG_FILE, area_codes
from kkb_lod.rows import UnitRow
from kkb_lod.template import (
    FIRST_DATE,
    FIRST_YEAR,
    KKB_COLUMNS,
    LAST_DATE,
    LAST_YEAR,
    SHEET_KKB,
    SHEET_LISTS,
    SHEET_SOURCES,
    SHEET_YEARS,
    SOURCE_COLUMNS,
    WORKBOOK,
    YEAR_COLUMNS,
    Column,
    write_workbook,
)

#: The base IRI the settings file starts with is a placeholder (example.org is reserved for
#: examples, RFC 2606), so a build works at once and nothing is published under a real address
#: nobody chose; ``kkb-lod build`` reminds whoever builds with it.
PLACEHOLDER_BASE = "https://example.org/kkb/"

#: What each column means, in English (the Indonesian note is on the column itself).
ENGLISH = {
    (SHEET_KKB, "registry_id"): "registry number of the Kampung KB (digits only); may be empty",
    (SHEET_KKB, "kampung_name"): "name of the Kampung KB where it differs from the village's "
    "(e.g. Cempaka); may be empty",
    (SHEET_KKB, "district_name"): "name of the kecamatan (district), from the list; required",
    (SHEET_KKB, "district_code"): "Kemendagri code of the kecamatan, from the list; may be empty "
    "(found from the names)",
    (SHEET_KKB, "village_name"): "name of the desa/kelurahan (village), from the list; a name of "
    "an earlier Kemendagri edition is accepted too; required",
    (SHEET_KKB, "village_code"): "Kemendagri code of the desa/kelurahan, from the list; may be "
    "empty (found from the village and kecamatan names)",
    (SHEET_KKB, "sub_village"): "the sub-village area (dusun/RW) it covers (entries before 2023)",
    (SHEET_KKB, "inauguration_date"): "date of the inauguration (pencanangan)",
    (SHEET_KKB, "inaugurated_by"): "the official who inaugurated it, as written",
    (SHEET_KKB, "pokja_decree_number"): "number of the decree (SK) of the Pokja Kampung KB, as written",
    (SHEET_KKB, "pokja_decree_date"): "date of that decree",
    (SHEET_KKB, "programme"): "leave empty (= kampung-keluarga-berkualitas)",
    (SHEET_KKB, "status"): "leave empty (= designated)",
    (SHEET_KKB, "designation_date"): "date of the designation, only where known",
    (SHEET_KKB, "designated_by"): "leave empty, unless the designating body is in an "
    "organisations table (its id)",
    (SHEET_KKB, "source"): "leave empty: the row comes from this workbook; a source id only for "
    "rows taken from a news article (sources table)",
    (SHEET_KKB, "source_excerpt"): "only when Sumber names a source with a document: its sentence, verbatim",
    (SHEET_KKB, "source_village_name"): "the village name as that source writes it, if different",
    (SHEET_KKB, "source_village_kind"): "desa, kelurahan or desa_adat, as that source writes it",
    (SHEET_KKB, "source_district_name"): "the kecamatan name as that source writes it, if different",
    (SHEET_YEARS, "registry_id"): "ID Kampung of the Kampung KB sheet (or give the village code)",
    (SHEET_YEARS, "village_code"): "village code of the Kampung KB (or give ID Kampung)",
    (SHEET_YEARS, "year"): f"the year, a whole number {FIRST_YEAR}-{LAST_YEAR}; one row per "
    "Kampung KB and year",
    (SHEET_YEARS, "classification"): "Dasar, Berkembang, Mandiri, Berkelanjutan or Paripurna",
    (SHEET_YEARS, "poktan"): "the poktan that exist: BKB, BKR, BKL, UPPKA, PIK-R, several separated by ';'",
    (SHEET_YEARS, "rumah_dataku"): "Ya (yes) or Tidak (no); empty = not known",
    (SHEET_YEARS, "source"): "leave empty: the row comes from this workbook",
    (SHEET_YEARS, "note"): "a free note",
    (SHEET_SOURCES, "source_id"): "id of the source (lower-case letters, digits, '-'), used in "
    "the Sumber columns",
    (SHEET_SOURCES, "kind"): "reference (an official list), news-article or registry",
    (SHEET_SOURCES, "label"): "title of the source",
    (SHEET_SOURCES, "label_en"): "its title in English (may be empty)",
    (SHEET_SOURCES, "publisher"): "id of its publisher in an organisations table (may be empty)",
    (SHEET_SOURCES, "place"): "place of publication (may be empty)",
    (SHEET_SOURCES, "place_code"): "Kemendagri code of that place (may be empty)",
    (SHEET_SOURCES, "language"): "language code, e.g. id",
    (SHEET_SOURCES, "document"): "the source's text: a file of this folder, e.g. "
    "sources/article.txt; the official lists' rows: "
    "regions/units.csv and regions/bps_crosswalk.csv (kkb-lod has them)",
    (SHEET_SOURCES, "stated_kkb_count"): "the number of Kampung KB the source states (may be empty)",
    (SHEET_SOURCES, "stated_district_count"): "the number of kecamatan it states (may be empty)",
    (SHEET_SOURCES, "stated_village_kind"): "the kind of village it states (may be empty)",
    (SHEET_SOURCES, "note"): "a note",
}


class InitError(ValueError):
    """A folder or area ``kkb-lod init`` refuses, with what to do instead."""


@dataclass(frozen=True)
class Area:
    """The area of a registry: its codes and official units."""

    codes: tuple[str, ...]
    units: tuple[UnitRow, ...]

    @classmethod
    def of(cls, area: str) -> Area:
        """The area of a setting's value (checked: :func:`kkb_lod.config.area_codes`)."""
        from kkb_lod.reference import covered_units

        codes = area_codes(area, "--area")
        if not codes:
            raise InitError(
                "give the area: --area with a regency/city or province code "
                "(e.g. 62.04 or 62), several separated by commas, or 'all'"
            )
        return cls(codes, covered_units((), codes))

    def title(self) -> str:
        """The area as people name it: "Kabupaten Barito Selatan (62.04)", or "Indonesia"."""
        if self.codes == ("all",):
            return "Indonesia (all provinces)"
        names = {u.code: u.name for u in self.units}
        return ", ".join(f"{names[c]} ({c})" for c in self.codes)

    def count(self, level: str) -> int:
        return sum(u.level == level for u in self.units)


def init_registry(folder: Path, area: str, force: bool = False) -> list[Path]:
    """Write the registry folder for ``area`` into ``folder``; the files written."""
    found = Area.of(area)
    files = [folder / WORKBOOK, folder / "README.md", folder / CONFIG_FILE]
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InitError(
            f"{folder} is not empty; give an empty or new folder (or --force to "
            "write into it, which never overwrites a file)"
        )
    existing = [str(f) for f in files if f.exists()]
    if existing:
        raise InitError(f"{', '.join(existing)} already exist(s); nothing was written")
    (folder / WORKBOOK).parent.mkdir(parents=True, exist_ok=True)
    # written beside, then renamed: a run that fails leaves no half workbook to refuse next time
    # (a name starting with "." is never read as a table)
    partial = folder / WORKBOOK.parent / f".{WORKBOOK.name}.partial"
    try:
        write_workbook(partial, found.units)
        partial.replace(folder / WORKBOOK)
    finally:
        partial.unlink(missing_ok=True)
    (folder / "README.md").write_text(readme(found), encoding="utf-8")
    (folder / CONFIG_FILE).write_text(settings_file(found), encoding="utf-8")
    return files


def settings_file(area: Area) -> str:
    """The ``kkb-lod.toml`` of a registry folder."""
    return f'''# kkb-lod settings of this registry folder (written by `kkb-lod init`).
# A kkb-lod command run in this folder reads this file (or: kkb-lod --config path/to/{CONFIG_FILE} build).
# Relative paths are relative to this file's folder. Every setting: README.md of kkb-lod, "Settings".

# Wilayah registri / the area of the registry: {area.title()}.
# Published whole, even where no row names a unit (kode Kemendagri, dipisah koma, atau "all").
area = "{",".join(area.codes)}"

# GANTI sebelum menerbitkan / SET THIS before publishing: the public web address under which the
# data's IRIs will resolve, ending with "/", e.g. "https://data.example.go.id/kkb/". The value
# below is a placeholder (example.org is reserved for examples): a build works, but its IRIs
# resolve nowhere.
base_iri = "{PLACEHOLDER_BASE}"

# Penerbit data / the organisation publishing the data (named in the DCAT catalog harvesters
# read): its id in an organisations table (registry/organisations.csv). Empty = the registry's one
# organisation (none: kkb-lod); a registry with several organisations must name one here.
publisher = ""

# Folder of the registry (registry/registry.xlsx) and folder of the releases the build writes.
data_dir = "."
build_dir = "build"
'''


def _table(sheet: str, columns: Sequence[Column], english: bool) -> str:
    head = "| column (header) | meaning |" if english else "| kolom (judul) | arti |"
    rows = [head, "|---|---|"]
    for c in columns:
        text = ENGLISH[(sheet, c.name)] if english else c.note
        rows.append(f"| {c.header} (`{c.name}`) | {text} |")
    return "\n".join(rows)


def readme(area: Area) -> str:
    """The README of a registry folder, in Indonesian and in English."""
    counts = (
        f"{area.count('regency')} kabupaten/kota, {area.count('district')} kecamatan, "
        f"{area.count('village')} desa/kelurahan"
    )
    return f"""# Registri Kampung KB — {area.title()}

Folder ini dibuat oleh `kkb-lod init`. / This folder was written by `kkb-lod init`.
Wilayah / area: **{area.title()}** — {counts} (Kemendagri 2025).

* `registry/registry.xlsx` — buku kerja registri / the registry workbook
* `kkb-lod.toml` — pengaturan / settings (`area`, `base_iri`, `publisher`, `data_dir`,
  `build_dir`)
* `build/` — hasil `kkb-lod build` / what `kkb-lod build` writes

## Bahasa Indonesia

### Cara mengisi
1. Buka `registry/registry.xlsx` (Excel atau LibreOffice). Sheet **{SHEET_KKB}**: satu baris per
   Kampung KB. Sheet **{SHEET_YEARS}**: satu baris per Kampung KB per tahun (klasifikasi, poktan,
   Rumah DataKu).
2. Pilih kecamatan dan desa/kelurahan dari daftar (panah di sel). Kode boleh dikosongkan: jika nama
   desa dan nama kecamatan diisi, kodenya dicari dari daftar resmi Kemendagri saat build (hanya jika
   tepat satu desa cocok; jika tidak, build menyebut baris dan calon-calonnya).
3. Tanggal diisi sebagai tanggal ({FIRST_DATE} s.d. {LAST_DATE}), tahun sebagai bilangan bulat.
   Kode diisi sebagai teks (62.10, bukan 62.1). Sel kosong berarti "tidak diketahui": jangan menebak.
4. Sheet **{SHEET_SOURCES}**: sumber data. Dua baris pertama adalah daftar resmi Kemendagri dan
   BPS tempat wilayah diterbitkan: biarkan. Baris Kampung KB dari buku ini mengosongkan kolom
   Sumber; tambahkan sumber hanya untuk data dari berita (dengan teks beritanya di `sources/`).
5. Sheet tersembunyi `{SHEET_LISTS}` berisi daftar untuk pilihan (kecamatan dan desa wilayah ini,
   dengan kodenya): tampilkan (Unhide) untuk mencari kode, tetapi jangan diubah. Sheet yang namanya
   diawali `_` tidak pernah dibaca oleh build.
6. Jangan mengganti judul kolom dan nama sheet; kolom yang tidak dipakai boleh dibiarkan kosong.

### Sheet {SHEET_KKB}
{_table(SHEET_KKB, KKB_COLUMNS, False)}

### Sheet {SHEET_YEARS}
{_table(SHEET_YEARS, YEAR_COLUMNS, False)}

### Sheet {SHEET_SOURCES}
{_table(SHEET_SOURCES, SOURCE_COLUMNS, False)}

### Membangun dan menerbitkan
Di folder ini (pengaturan dibaca dari `kkb-lod.toml`):

```sh
kkb-lod build      # membaca registry/, memeriksa, menulis rilis baru ke build/
kkb-lod serve      # menyajikan rilis di http://127.0.0.1:5000/
```

Dari folder lain: `kkb-lod --config /jalan/ke/{CONFIG_FILE} build`. Build pada buku kerja yang
belum diisi pun berhasil: menerbitkan semua wilayah resmi dengan nol Kampung KB. Kesalahan isi
disebut dengan file, sheet, baris dan judul kolom.

**Base IRI**: sebelum menerbitkan, ganti `base_iri` di `kkb-lod.toml` dengan alamat web publik
tempat data akan disajikan, diakhiri `/` (mis. `https://data.example.go.id/kkb/`); nilai awalnya
`{PLACEHOLDER_BASE}` hanya contoh.

## English

### How to fill it in
1. Open `registry/registry.xlsx` (Excel or LibreOffice). Sheet **{SHEET_KKB}**: one row per
   Kampung KB. Sheet **{SHEET_YEARS}**: one row per Kampung KB and year (classification, poktan,
   Rumah DataKu).
2. Pick the kecamatan and the village from the drop-down lists. Codes may be left empty: when the
   village and kecamatan names are given, the build finds the codes in the official Kemendagri list
   (only when exactly one village fits; otherwise it names the row and the candidates).
3. Dates are dates ({FIRST_DATE} to {LAST_DATE}), years whole numbers. Codes are text (62.10, not
   62.1). An empty cell means "not known": never fill one with a guess.
4. Sheet **{SHEET_SOURCES}**: the sources. Its first two rows are the official Kemendagri and BPS
   lists the area's units are published from: keep them. Rows of this workbook leave their Sumber
   column empty; add a source only for data taken from a news article (its text in `sources/`).
5. The hidden sheet `{SHEET_LISTS}` holds the lists the drop-downs offer (this area's kecamatan and
   villages with their codes): unhide it to look a code up, but do not change it. A sheet whose
   name starts with `_` is never read by a build.
6. Keep the column headers and sheet names; a column you do not use may stay empty.

### Sheet {SHEET_KKB}
{_table(SHEET_KKB, KKB_COLUMNS, True)}

### Sheet {SHEET_YEARS}
{_table(SHEET_YEARS, YEAR_COLUMNS, True)}

### Sheet {SHEET_SOURCES}
{_table(SHEET_SOURCES, SOURCE_COLUMNS, True)}

### Building and publishing
In this folder (the settings are read from `kkb-lod.toml`):

```sh
kkb-lod build      # reads registry/, checks it, writes a new release to build/
kkb-lod serve      # serves the release at http://127.0.0.1:5000/
```

From another folder: `kkb-lod --config /path/to/{CONFIG_FILE} build`. A build of the untouched
workbook succeeds too: it publishes every official unit of the area with zero Kampung KB. Bad
cells are named with file, sheet, row and column header.

**Base IRI**: before publishing, set `base_iri` in `kkb-lod.toml` to the public web address the
data will be served at, ending with `/` (e.g. `https://data.example.go.id/kkb/`); the value it
starts with, `{PLACEHOLDER_BASE}`, is only a placeholder.
"""


__all__ = ["ENGLISH", "PLACEHOLDER_BASE", "Area", "InitError", "init_registry", "readme", "settings_file"]
