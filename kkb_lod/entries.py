"""A KKB's own registry entry → RDF (issue #16): its registry id and names, inauguration, pokja
decree, yearly records, and the registry row each fact comes from when it cites no source.

Split from :mod:`kkb_lod.mapping` (which calls these generators) so each stays a few screens long;
the same rules hold: triples built from terms, IRIs from :class:`~kkb_lod.iris.Minter`, our terms
from :class:`~kkb_lod.vocab.KKB`. A row's values are published as written (names, the official who
inaugurated, a decree number): the registry is their source, and nothing is inferred from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

from kkb_lod.ingest import DEFAULT_PROGRAMME
from kkb_lod.rows import KkbRow, Record
from kkb_lod.vocab import CLASSIFICATION_LEVELS, DCTERMS, KKB, POKTAN_KINDS, PROV, RDF, RDFS, XSD

if TYPE_CHECKING:
    from kkb_lod.mapping import Context, Triple

#: The name of the programme a KKB row names by default, when the registry has no programmes row
#: for it: the programme's own name, the one every KKB's label already carries.
DEFAULT_PROGRAMME_NAMES = ("Kampung Keluarga Berkualitas", "Quality Family Village (Kampung KB)")


def entry_triples(ctx: Context, s: URIRef, k: KkbRow, village_name: str) -> Iterator[Triple]:
    """The columns of a KKB row beyond its place and source: registry id, kampung name, sub-village
    area, inauguration, and the pokja decree as a resource of its own (``{kkb}/pokja``)."""
    if k.registry_id:
        yield s, KKB.registryId, Literal(k.registry_id)
    if k.kampung_name:
        yield s, KKB.kampungName, Literal(k.kampung_name)
    if k.sub_village:
        yield s, KKB.subVillageArea, Literal(k.sub_village)
    if k.inauguration_date:
        yield s, KKB.inaugurationDate, Literal(k.inauguration_date, datatype=XSD.date)
    if k.inaugurated_by:
        yield s, KKB.inauguratedBy, Literal(k.inaugurated_by)
    if k.pokja_decree_number or k.pokja_decree_date:
        d = ctx.mint.pokja(k.village_code)
        yield s, KKB.pokjaDecree, d
        yield d, RDF.type, KKB.Decree
        yield d, RDFS.label, Literal(f"SK Pokja Kampung Keluarga Berkualitas {village_name}", lang="id")
        yield d, RDFS.label, Literal(f"Pokja decree of the Quality Family Village {village_name}", lang="en")
        if k.pokja_decree_number:
            yield d, KKB.decreeNumber, Literal(k.pokja_decree_number)
        if k.pokja_decree_date:
            yield d, DCTERMS.issued, Literal(k.pokja_decree_date, datatype=XSD.date)
        yield from derived_from(ctx, d, k, k.source)


def derived_from(ctx: Context, s: URIRef, row: Record, source: str | None) -> Iterator[Triple]:
    """``s`` comes from ``source`` (a source document) or, citing none, from its registry row."""
    if source:
        yield s, PROV.wasDerivedFrom, ctx.source(source)
    else:
        yield s, PROV.wasDerivedFrom, ctx.mint.record(row.file, row.row, row.sheet)


def record_triples(ctx: Context, row: Record) -> Iterator[Triple]:
    """The registry row itself (``id/record/{key}``): file, sheet (workbooks only) and row."""
    r = ctx.mint.record(row.file, row.row, row.sheet)
    where = f"{row.file}, lembar {row.sheet}" if row.sheet else row.file
    where_en = f"{row.file}, sheet {row.sheet}" if row.sheet else row.file
    yield r, RDF.type, KKB.RegistryRecord
    yield r, RDFS.label, Literal(f"Baris {row.row} dari {where}", lang="id")
    yield r, RDFS.label, Literal(f"Row {row.row} of {where_en}", lang="en")
    yield r, KKB.recordFile, Literal(row.file)
    if row.sheet:
        yield r, KKB.recordSheet, Literal(row.sheet)
    yield r, KKB.recordRow, Literal(row.row)


def annual_triples(ctx: Context) -> Iterator[Triple]:
    """One kkb:AnnualRecord per row of the kkb_years table (``{kkb}/{year}``)."""
    by_id = {k.registry_id: k for k in ctx.registry.kkb if k.registry_id}
    by_village = {k.village_code: k for k in ctx.registry.kkb}
    for y in ctx.registry.kkb_years:
        k = by_id[y.registry_id] if y.registry_id else by_village[y.village_code or ""]
        name = ctx.units[k.village_code].name
        s = ctx.mint.annual(k.village_code, y.year)
        yield ctx.mint.kkb(k.village_code), KKB.annualRecord, s
        yield s, RDF.type, KKB.AnnualRecord
        yield s, RDFS.label, Literal(f"Kampung Keluarga Berkualitas {name} {y.year}", lang="id")
        yield s, RDFS.label, Literal(f"Quality Family Village {name}, {y.year}", lang="en")
        yield s, KKB.year, Literal(str(y.year), datatype=XSD.gYear)
        if y.classification:
            yield s, KKB.classification, CLASSIFICATION_LEVELS[y.classification]
        for kind in y.poktan:
            yield s, KKB.poktan, POKTAN_KINDS[kind]
        if y.rumah_dataku is not None:
            yield s, KKB.hasRumahDataKu, Literal(y.rumah_dataku)
        if y.note:
            yield s, RDFS.comment, Literal(y.note)
        yield from derived_from(ctx, s, y, y.source)
        if not y.source:
            yield from record_triples(ctx, y)


def default_programme_triples(ctx: Context) -> Iterator[Triple]:
    """The default programme, when KKB rows name it and the registry has no programmes row for it:
    a kkb:Programme with its name only (no source states more; see docs/model.md)."""
    listed = {g.programme_id for g in ctx.registry.programmes}
    if DEFAULT_PROGRAMME in listed or all(k.programme != DEFAULT_PROGRAMME for k in ctx.registry.kkb):
        return
    s = ctx.mint.mint("programme", DEFAULT_PROGRAMME)
    yield s, RDF.type, KKB.Programme
    yield s, RDFS.label, Literal(DEFAULT_PROGRAMME_NAMES[0], lang="id")
    yield s, RDFS.label, Literal(DEFAULT_PROGRAMME_NAMES[1], lang="en")
