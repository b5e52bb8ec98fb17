"""``kkb-lod init``: a ready registry folder for an area — the template workbook, a README in
Indonesian and English, and the settings file a build reads.

The workbook (written with xlsxwriter, row by row, so the country's 83,762 villages cost seconds
and little memory) has the sheets "Kampung KB" (every column of the kkb table, under its first
Indonesian header), "Tahunan" (the kkb_years table) and "Sumber" (the sources table, starting with
the two official lists the area's units and BPS codes come from),
and a hidden sheet ``_daftar`` holding the
lists the drop-downs offer: the area's kecamatan and villages by code and by name, with a lookup
table (village, kecamatan, regency) a user may unhide. Sheets whose name starts with ``_`` are
never read by a build. Each drop-down is one data validation over a whole column referencing a
range of ``_daftar``, so its size does not grow with the rows. Codes and ids are text cells:
a code typed as a number loses its trailing zero (62.10 becomes 62.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kkb_lod.headers import HEADERS, SHEETS
from kkb_lod.rows import UnitRow
from kkb_lod.sheetscan import column_letters

SHEET_KKB, SHEET_YEARS, SHEET_SOURCES = SHEETS["kkb"][0], SHEETS["kkb_years"][0], SHEETS["sources"][0]
SHEET_LISTS = "_daftar"  # a name starting with "_": never read by a build
WORKBOOK = Path("registry") / "registry.xlsx"
#: Rows a drop-down or input rule covers (the whole sheet below the header).
LAST_ROW = 1_048_575
#: Plausible bounds of the input rules (a check on typing, not a fact about the programme).
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
FIRST_YEAR, LAST_YEAR = 2000, 2099
#: Values of the fixed lists (SPEC-16; what the build accepts).
CLASSIFICATIONS = ("Dasar", "Berkembang", "Mandiri", "Berkelanjutan", "Paripurna")
POKTAN = ("BKB", "BKR", "BKL", "UPPKA", "PIK-R")
YES_NO = ("Ya", "Tidak")
VILLAGE_KINDS = ("desa", "kelurahan", "desa_adat")


@dataclass(frozen=True)
class Column:
    """One column of a template sheet: its table column, header, note and input rule."""

    name: str  # the canonical column name (ingest, data/README.md)
    note: str  # Indonesian, shown on the header (comment) and when a cell is selected
    rule: str = ""  # a list of _daftar (LISTS), "date", "year" or "" (free)
    width: int = 18
    text: bool = False  # codes and ids: text cells, so 62.10 stays 62.10

    @property
    def header(self) -> str:
        """Its header in the template: the column's first Indonesian name (kkb_lod/headers.py)."""
        return HEADERS[self.name][0]


KKB_COLUMNS = (
    Column("registry_id", "Nomor registrasi Kampung KB (angka saja). Boleh kosong.", width=12, text=True),
    Column(
        "kampung_name", "Nama Kampung KB, jika berbeda dari nama desa (mis. Cempaka). Boleh kosong.", width=20
    ),
    Column("district_name", "Nama kecamatan (pilih dari daftar). Wajib.", "district_name", 22),
    Column(
        "district_code",
        "Kode Kemendagri kecamatan (pilih dari daftar). Boleh kosong: dicari dari nama.",
        "district_code",
        14,
        True,
    ),
    Column(
        "village_name",
        "Nama desa/kelurahan (pilih dari daftar; nama lama "
        "dari edisi Kemendagri sebelumnya juga diterima). Wajib.",
        "village_name",
        24,
    ),
    Column(
        "village_code",
        "Kode Kemendagri desa/kelurahan (pilih dari "
        "daftar). Boleh kosong: dicari dari nama desa dan kecamatan.",
        "village_code",
        18,
        True,
    ),
    Column("sub_village", "Wilayah dusun/RW Kampung KB (data sebelum 2023), jika ada.", width=14),
    Column("inauguration_date", "Tanggal pencanangan (tanggal, mis. 2021-03-15).", "date", 14),
    Column(
        "inaugurated_by",
        "Pejabat yang mencanangkan, seperti tertulis (mis. Bupati Barito Selatan).",
        width=24,
    ),
    Column("pokja_decree_number", "Nomor SK Pokja Kampung KB, seperti tertulis.", width=20, text=True),
    Column("pokja_decree_date", "Tanggal SK Pokja Kampung KB (tanggal).", "date", 14),
    Column("programme", "Kosongkan (= kampung-keluarga-berkualitas).", "programme", 16),
    Column("status", "Kosongkan (= designated: ditetapkan).", "status", 12),
    Column("designation_date", "Tanggal penetapan (tanggal), hanya jika diketahui.", "date", 14),
    Column(
        "designated_by", "Kosongkan, kecuali lembaga penetap tercatat di tabel Organisasi (id-nya).", width=16
    ),
    Column(
        "source",
        "Kosongkan: baris berasal dari buku registri ini. Isi id sumber "
        "(tabel Sumber) hanya untuk data dari berita.",
        width=14,
    ),
    Column("source_excerpt", "Hanya jika Sumber diisi dengan dokumen: kalimat sumber, persis.", width=24),
    Column("source_village_name", "Nama desa seperti tertulis di sumber, jika berbeda.", width=20),
    Column(
        "source_village_kind",
        "desa, kelurahan atau desa_adat, seperti tertulis di sumber.",
        "village_kind",
        14,
    ),
    Column("source_district_name", "Nama kecamatan seperti tertulis di sumber, jika berbeda.", width=20),
)

YEAR_COLUMNS = (
    Column(
        "registry_id", "ID Kampung dari sheet Kampung KB (atau isi Kode Desa/Kelurahan).", width=12, text=True
    ),
    Column("village_code", "Kode desa/kelurahan Kampung KB (atau isi ID Kampung).", "village_code", 18, True),
    Column(
        "year",
        f"Tahun (bilangan bulat {FIRST_YEAR}-{LAST_YEAR}). Satu baris per Kampung KB per tahun.",
        "year",
        8,
    ),
    Column(
        "classification", "Dasar, Berkembang, Mandiri, Berkelanjutan atau Paripurna.", "classification", 14
    ),
    Column(
        "poktan",
        "Poktan yang ada: BKB, BKR, BKL, UPPKA, PIK-R; beberapa dipisah ';' (mis. BKB; BKR).",
        "poktan",
        22,
    ),
    Column("rumah_dataku", "Ya atau Tidak; kosong = tidak diketahui.", "yes_no", 12),
    Column("source", "Kosongkan: baris berasal dari buku registri ini.", width=14),
    Column("note", "Catatan bebas.", width=30),
)

SOURCE_COLUMNS = (
    Column("source_id", "ID sumber (huruf kecil, angka, '-'), dipakai di kolom Sumber.", width=20),
    Column("kind", "reference (daftar resmi), news-article (berita) atau registry.", "source_kind", 14),
    Column("label", "Judul sumber.", width=40),
    Column("label_en", "Judul dalam bahasa Inggris (boleh kosong).", width=30),
    Column("publisher", "ID penerbit di tabel Organisasi (boleh kosong).", width=14),
    Column("place", "Tempat terbit (boleh kosong).", width=14),
    Column("place_code", "Kode Kemendagri tempat itu (boleh kosong).", width=12, text=True),
    Column("language", "Kode bahasa, mis. id.", width=8),
    Column(
        "document",
        "Teks sumber: file di folder ini, mis. sources/berita.txt; baris daftar "
        "resmi: regions/units.csv dan regions/bps_crosswalk.csv (disertakan kkb-lod).",
        width=24,
    ),
    Column("stated_kkb_count", "Jumlah Kampung KB menurut sumber (boleh kosong).", width=10),
    Column("stated_district_count", "Jumlah kecamatan menurut sumber (boleh kosong).", width=10),
    Column("stated_village_kind", "Jenis desa menurut sumber (boleh kosong).", "village_kind", 12),
    Column("note", "Catatan.", width=40),
)

#: The rows the "Sumber" sheet starts with: the official lists the build publishes the area's
#: units and BPS codes from (the package's own copies, :mod:`kkb_lod.reference`), so each unit
#: and each BPS code names the list it comes from (without them a build derives the units from the
#: current Kemendagri edition, and the BPS codes from no source). As data/registry/sources.csv
#: describes them (publisher left out: a new registry has no organisations table).
REFERENCE_SOURCES = (
    {
        "source_id": "kemendagri-2025",
        "kind": "reference",
        "label": "Kode dan data wilayah administrasi pemerintahan (Kepmendagri No 300.2.2-2138 Tahun "
        "2025 sebagaimana diubah dengan Kepmendagri No 300.2.2-2430 Tahun 2025)",
        "label_en": "Codes and data of government administrative areas (Kepmendagri 300.2.2-2138 of "
        "2025 as amended by 300.2.2-2430 of 2025)",
        "language": "id",
        "document": "regions/units.csv",
        "note": "Decree of 25 April 2025, amended 23 June 2025. Codes and names via the public "
        "repository cahyadsn/wilayah (db/wilayah.sql, commit b7ad440a); centroids (polygon "
        "centroid, not a settlement point) from cahyadsn/wilayah_boundaries (commit "
        "3c5a7960); postal codes from cahyadsn/wilayah_kodepos (commit 4fa8c592).",
    },
    {
        "source_id": "bps-crosswalk-2018",
        "kind": "reference",
        "label": "Kode wilayah BPS dan padanannya dengan kode Kemendagri (BPS 2018 semester 1)",
        "label_en": "BPS area codes and their Kemendagri equivalents (BPS 2018 H1)",
        "language": "id",
        "document": "regions/bps_crosswalk.csv",
        "note": "BPS code bridge, 2018 H1, via the public repository kodewilayah/explorer "
        "(data/bps/bps-to-dagri.tsv, commit 95495514). BPS numbering differs from Kemendagri "
        "below regency level.",
    },
)


@dataclass(frozen=True)
class Lists:
    """What the drop-downs offer, from the area's official units."""

    villages: tuple[UnitRow, ...]  # in code order
    districts: tuple[UnitRow, ...]
    names: dict[str, str]  # code → name of every unit of the area (regencies for the lookup)

    @classmethod
    def of(cls, units: Sequence[UnitRow]) -> Lists:
        return cls(
            tuple(u for u in units if u.level == "village"),
            tuple(u for u in units if u.level == "district"),
            {u.code: u.name for u in units},
        )

    def columns(self) -> dict[str, list[str]]:
        """Each column of ``_daftar``, under its header: the lookup table first, then the lists
        the drop-downs reference (names once each, sorted: a list shows each name once)."""
        return {
            "Kode Desa/Kelurahan": [v.code for v in self.villages],
            "Desa/Kelurahan": [v.name for v in self.villages],
            "Kode Kecamatan (desa)": [v.parent_code or "" for v in self.villages],
            "Kecamatan (desa)": [self.names.get(v.parent_code or "", "") for v in self.villages],
            "Kabupaten/Kota (desa)": [self.names.get(v.code[:5], "") for v in self.villages],
            "Kode Kecamatan": [d.code for d in self.districts],
            "Kecamatan": [d.name for d in self.districts],
            "Nama Desa/Kelurahan": sorted({v.name for v in self.villages}),
            "Nama Kecamatan": sorted({d.name for d in self.districts}),
            "Klasifikasi": list(CLASSIFICATIONS),
            "Poktan": list(POKTAN),
            "Ya/Tidak": list(YES_NO),
            "Jenis Desa": list(VILLAGE_KINDS),
            "Program": ["kampung-keluarga-berkualitas"],
            "Status": ["designated"],
            "Jenis Sumber": ["reference", "news-article", "registry"],
        }


#: The _daftar column each list rule references, and whether a value off the list is refused
#: ("stop") or only warned about (names: earlier editions' names are accepted too; poktan: a
#: cell may list several).
LISTS = {
    "village_code": ("Kode Desa/Kelurahan", "stop"),
    "village_name": ("Nama Desa/Kelurahan", "warning"),
    "district_code": ("Kode Kecamatan", "stop"),
    "district_name": ("Nama Kecamatan", "warning"),
    "classification": ("Klasifikasi", "stop"),
    "poktan": ("Poktan", "information"),
    "yes_no": ("Ya/Tidak", "stop"),
    "village_kind": ("Jenis Desa", "stop"),
    "programme": ("Program", "warning"),
    "status": ("Status", "stop"),
    "source_kind": ("Jenis Sumber", "stop"),
}


def list_ranges(lists: dict[str, list[str]]) -> dict[str, str]:
    """The range of each _daftar column's values, as a data validation references it."""
    return {
        header: f"='{SHEET_LISTS}'!${column_letters(n)}$2:${column_letters(n)}${len(values) + 1}"
        for n, (header, values) in enumerate(lists.items())
    }


def write_workbook(path: Path, units: Sequence[UnitRow]) -> None:
    """Write the template workbook for ``units`` (the area's official units) to ``path``."""
    import xlsxwriter

    lists = Lists.of(units).columns()
    ranges = list_ranges(lists)
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "header": book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        ),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "year": book.add_format({"num_format": "0"}),
    }
    for name, columns, rows in (
        (SHEET_KKB, KKB_COLUMNS, ()),
        (SHEET_YEARS, YEAR_COLUMNS, ()),
        (SHEET_SOURCES, SOURCE_COLUMNS, REFERENCE_SOURCES),
    ):
        sheet = book.add_worksheet(name)
        _write_sheet(sheet, columns, formats, ranges)
        for r, row in enumerate(rows, start=1):
            for n, column in enumerate(columns):
                if row.get(column.name):
                    sheet.write_string(r, n, row[column.name])
    sheet = book.add_worksheet(SHEET_LISTS)
    sheet.set_column(0, len(lists) - 1, 22, formats["text"])
    sheet.write_row(0, 0, list(lists), formats["header"])
    listed = list(lists.values())
    for r in range(max(len(values) for values in listed)):
        for n, values in enumerate(listed):
            if r < len(values):
                sheet.write_string(r + 1, n, values[r])
    sheet.freeze_panes(1, 0)
    sheet.hide()
    book.close()


def _write_sheet(sheet, columns: Sequence[Column], formats: dict, ranges: dict[str, str]) -> None:
    """Headers, widths, formats, notes and the input rule of each column of one sheet."""
    for n, column in enumerate(columns):
        kind = "text" if column.text else column.rule if column.rule in ("date", "year") else None
        sheet.set_column(n, n, column.width, formats[kind] if kind else None)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 0)
    for n, column in enumerate(columns):
        sheet.write_string(0, n, column.header, formats["header"])
        sheet.write_comment(
            0, n, f"{column.header}: {column.note}", {"author": "kkb-lod", "x_scale": 2, "y_scale": 1.5}
        )
        rule = _rule(column, ranges)
        rule.update(input_title=column.header[:32], input_message=column.note[:255])
        sheet.data_validation(1, n, LAST_ROW, n, rule)


def _rule(column: Column, ranges: dict[str, str]) -> dict:
    """The data validation of a column: a drop-down list, a date or year range, or any value
    (only the input message)."""
    if column.rule == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": FIRST_DATE,
            "maximum": LAST_DATE,
            "error_title": "Tanggal",
            "error_message": f"Isi tanggal antara {FIRST_DATE} dan {LAST_DATE}, mis. 2021-03-15.",
        }
    if column.rule == "year":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": FIRST_YEAR,
            "maximum": LAST_YEAR,
            "error_title": "Tahun",
            "error_message": f"Isi tahun sebagai bilangan bulat {FIRST_YEAR}-{LAST_YEAR}.",
        }
    if column.rule:
        header, style = LISTS[column.rule]
        return {
            "validate": "list",
            "source": ranges[header],
            "error_type": style,
            "error_title": column.header[:32],
            "error_message": f"Nilai ini tidak ada di daftar {header}.",
        }
    return {"validate": "any"}


__all__ = [
    "KKB_COLUMNS",
    "LISTS",
    "REFERENCE_SOURCES",
    "SHEET_KKB",
    "SHEET_LISTS",
    "SHEET_SOURCES",
    "SHEET_YEARS",
    "SOURCE_COLUMNS",
    "WORKBOOK",
    "YEAR_COLUMNS",
    "Column",
    "Lists",
    "list_ranges",
    "write_workbook",
]
