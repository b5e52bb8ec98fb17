"""The records a registry folder is read into: one frozen dataclass per table, each row keeping its
file and row number. Pure data, no reading: :mod:`kkb_lod.ingest` parses the files into these,
and the region reference (:mod:`kkb_lod.reference`), the name matching and the web layer use them
without loading the readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Record:
    """Where a record came from: file, sheet of a workbook, row as a spreadsheet shows it, and the
    header each column has in the file where it is not the canonical name (for the messages)."""

    file: str
    row: int
    sheet: str | None = field(default=None, kw_only=True)
    written: Mapping[str, str] | None = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True)
class UnitRow(Record):
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str | None
    latitude: str | None
    longitude: str | None
    postal_code: str | None


@dataclass(frozen=True)
class CrosswalkRow(Record):
    bps_code: str
    bps_name: str
    kemendagri_code: str | None
    kemendagri_name_2025: str | None


@dataclass(frozen=True)
class KkbRow(Record):
    village_code: str
    village_name: str
    district_code: str
    district_name: str
    programme: str
    status: str
    designation_date: dt.date | int | None
    designated_by: str | None
    source: str | None  # None: the row comes from the registry file itself
    source_village_name: str | None
    source_village_kind: str | None
    source_district_name: str | None
    source_excerpt: tuple[str, ...]
    # The KKB's own registry entry (issue #16); every one may be left out of the file.
    registry_id: str | None = None
    kampung_name: str | None = None
    sub_village: str | None = None
    inauguration_date: dt.date | None = None
    inaugurated_by: str | None = None
    pokja_decree_number: str | None = None
    pokja_decree_date: dt.date | None = None


@dataclass(frozen=True)
class KkbYearRow(Record):
    """One year of one KKB (table ``kkb_years``), naming the KKB by its registry id or village."""

    registry_id: str | None
    village_code: str | None
    year: int
    classification: str | None
    poktan: tuple[str, ...]
    rumah_dataku: bool | None
    source: str | None
    note: str | None


@dataclass(frozen=True)
class ActivityRow(Record):
    activity_id: str
    scope_code: str
    year: int
    status: str
    organiser: str
    partners: tuple[str, ...]
    partner_description: str | None
    functions: tuple[str, ...]
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationRow(Record):
    org_id: str
    name: str
    name_en: str | None
    acronym: str | None
    kind: str
    parent_org: str | None
    jurisdiction_code: str | None
    source: str | None
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class PostRow(Record):
    post_id: str
    org_id: str
    title: str
    title_en: str | None
    holder_id: str | None
    holder_name: str | None
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammeRow(Record):
    programme_id: str
    name: str
    name_en: str | None
    supports: str | None
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class ObjectiveRow(Record):
    objective_id: str
    programme_id: str
    text: str
    text_en: str | None
    source: str
    source_excerpt: tuple[str, ...]


@dataclass(frozen=True)
class SourceRow(Record):
    source_id: str
    kind: str
    label: str
    label_en: str | None
    publisher: str | None
    place: str | None
    place_code: str | None
    language: str
    document: str | None  # the source's own text or file, relative to the registry folder
    stated_kkb_count: int | None
    stated_district_count: int | None
    stated_village_kind: str | None
    note: str | None


@dataclass(frozen=True)
class IndicatorRow(Record):
    indicator_id: str
    label: str
    label_en: str | None
    source: str


@dataclass(frozen=True)
class ObservationRow(Record):
    indicator: str
    area_code: str
    year: int
    value: str
    source: str


@dataclass(frozen=True)
class StatementRow(Record):
    """One passage of a source attributed to the person who stated it (table ``statements``)."""

    statement_id: str
    source: str
    source_excerpt: tuple[str, ...]
    stated_by: str  # a post (its holder stated it, in that post) or a person
    on_behalf_of: str | None  # a post (its holder, and the post's organisation) or an organisation
    note: str | None
