"""Checked registry records → RDF triples. Pure: no files, no store.

One small generator per entity type, each yielding ``(subject, predicate, object)`` triples built
from terms (never from text), with every IRI minted by :class:`~kkb_lod.iris.Minter` and every term of
ours from :class:`~kkb_lod.vocab.KKB`. Generators, not graphs, so a national registry can stream
straight into the store; :func:`to_graph` collects them where a graph is wanted (tests, SHACL).

Where a source and the official list disagree (a name's spelling, desa vs kelurahan), the official
value is used and the disagreement is published as a :data:`KKB.SourceDiscrepancy`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kkb_lod import ntriples
from kkb_lod.attribution import attribution_triples
from kkb_lod.entries import (
    annual_triples,
    default_programme_triples,
    derived_from,
    entry_triples,
    record_triples,
)
from kkb_lod.geometry import geometry_triples
from kkb_lod.history import (
    CURRENT_EDITION,
    EDITION_SOURCES,
    EarlierName,
    History,
    earlier_edition,
    load_history,
)
from kkb_lod.ingest import Registry
from kkb_lod.iris import INDICATORS, REFERENCE, REGIONS, REGISTRY, Minter, parent_code
from kkb_lod.rows import CrosswalkRow, KkbRow, SourceRow, UnitRow
from kkb_lod.vocab import (
    DCTERMS,
    FAMILY_FUNCTIONS,
    FOAF,
    GEO,
    KKB,
    ORG,
    PROV,
    QB,
    RDF,
    RDFS,
    SDO,
    SKOS,
    STATUSES,
    XSD,
)

if TYPE_CHECKING:
    from kkb_lod.resolve import Resolution

Triple = tuple[Node, Node, Node]

#: The one qb:DataSet holding the indicator observations of a build.
INDICATOR_DATASET = "indicators"

UNIT_CLASSES: dict[tuple[str, str | None], tuple[URIRef, ...]] = {
    ("province", None): (KKB.Province,),
    ("regency", "kabupaten"): (KKB.Regency, KKB.RegencyOrCity),
    ("regency", "kota"): (KKB.City, KKB.RegencyOrCity),
    ("district", None): (KKB.District,),
    ("village", "desa"): (KKB.Desa, KKB.Village),
    ("village", "kelurahan"): (KKB.Kelurahan, KKB.Village),
    ("village", "desa_adat"): (KKB.DesaAdat, KKB.Village),
}
LANGUAGES = {
    "id": URIRef("http://id.loc.gov/vocabulary/iso639-1/id"),
    "en": URIRef("http://id.loc.gov/vocabulary/iso639-1/en"),
}
KIND_WORDS = {"desa": "desa", "kelurahan": "kelurahan", "desa_adat": "desa adat"}
ASPECT_WORDS = {"name": "nama", "kind": "jenis", "code": "kode"}


def id_(text: str) -> Literal:
    """An Indonesian-language literal."""
    return Literal(text, lang="id")


def en(text: str) -> Literal:
    """An English-language literal."""
    return Literal(text, lang="en")


@dataclass(frozen=True)
class Context:
    """What every mapping step needs: the minter and the registry's lookup tables."""

    mint: Minter
    registry: Registry

    @cached_property
    def units(self) -> dict[str, UnitRow]:
        """Units by code (built once: a national registry has 91,599)."""
        return {u.code: u for u in self.registry.units}

    @cached_property
    def kkb_in(self) -> dict[str, list[str]]:
        """Village codes of the KKB designations under each region code, for activity scopes."""
        under: dict[str, list[str]] = {}
        for k in self.registry.kkb:
            parts = k.village_code.split(".")
            for n in range(1, len(parts)):
                under.setdefault(".".join(parts[:n]), []).append(k.village_code)
        return under

    def source(self, source_id: str) -> URIRef:
        return self.mint.mint("source", source_id)

    def reference_source(self, document: str) -> URIRef | None:
        """The source resource describing one of the reference files (the official lists)."""
        for s in self.registry.sources:
            if s.document == document:
                return self.source(s.source_id)
        return None


def registry_graphs(registry: Registry, national: bool = False) -> list[str]:
    """The named graphs :func:`map_registry` maps ``registry`` into, known without mapping it:
    regions and registry always (empty or not), the national reference with ``national``, the
    indicators when the registry has any."""
    return [
        REGIONS,
        REGISTRY,
        *([REFERENCE] if national else []),
        *([INDICATORS] if registry.observations or registry.indicators else []),
    ]


def map_registry(
    registry: Registry,
    mint: Minter,
    nquads: bool = False,
    reference: tuple[tuple[UnitRow, ...], tuple[CrosswalkRow, ...]] | None = None,
) -> dict[str, Iterator[Triple | str]]:
    """Triples of each named graph of a build (:func:`registry_graphs`), lazily.

    With ``nquads`` the indicator observations (millions of rows in a national registry) come as
    blocks of N-Quads text (:func:`observation_nquads`) instead of triples: the streaming build
    writes text anyway, and this skips a Python object per term. With ``reference`` (units and
    crosswalk rows: the whole country's, for ``reference = all``) those units are mapped as the
    covered ones are, into a graph of their own.
    """
    ctx = Context(mint, registry)

    def graph(name: str) -> Iterator[Triple | str]:
        if name == REGIONS:
            return itertools.chain(region_triples(ctx), history_triples(ctx))
        if name == REGISTRY:
            return registry_triples(ctx)
        if name == REFERENCE and reference is not None:
            return itertools.chain(region_triples(ctx, *reference), history_triples(ctx, reference[0]))
        if nquads:  # INDICATORS, the one graph left
            return itertools.chain(indicator_header_triples(ctx), observation_nquads(ctx))
        return indicator_triples(ctx)

    return {name: graph(name) for name in registry_graphs(registry, reference is not None)}


def to_graph(triples: Iterable[Triple], graph: Graph | None = None) -> Graph:
    """Collect triples into an rdflib graph (a new one unless given)."""
    graph = Graph() if graph is None else graph
    for triple in triples:
        graph.add(triple)
    return graph


# --- administrative units ------------------------------------------------------------------------


def region_triples(
    ctx: Context, units: Iterable[UnitRow] | None = None, crosswalk: Iterable[CrosswalkRow] | None = None
) -> Iterator[Triple]:
    """Every administrative unit (the registry's, unless ``units``), with codes, hierarchy,
    centroid, boundary (:mod:`kkb_lod.geometry`), postcode and BPS codes (from the registry's
    crosswalk, unless ``crosswalk``)."""
    # A registry without a source describing the official list (a new registry: no sources table)
    # still publishes where its units come from: the current Kemendagri edition, as for names.
    listed = ctx.reference_source("regions/units.csv")
    origin = listed if listed is not None else edition_iri(ctx, CURRENT_EDITION)
    bps_source = ctx.reference_source("regions/bps_crosswalk.csv")
    published: list[str] = []
    bps: dict[str, set[str]] = {}
    for x in ctx.registry.crosswalk if crosswalk is None else crosswalk:
        if x.kemendagri_code:
            bps.setdefault(x.kemendagri_code, set()).add(x.bps_code)
    for u in ctx.registry.units if units is None else units:
        s = ctx.mint.unit(u.code)
        for cls in UNIT_CLASSES[(u.level, u.kind if u.level in ("regency", "village") else None)]:
            yield s, RDF.type, cls
        yield s, RDF.type, KKB.AdministrativeUnit
        yield s, RDF.type, SDO.AdministrativeArea
        yield s, RDFS.label, id_(u.name)
        yield s, SDO.name, id_(u.name)
        yield s, KKB.kemendagriCode, Literal(u.code)
        yield s, SKOS.notation, Literal(u.code)
        if u.parent_code:
            parent = ctx.mint.unit(u.parent_code)
            yield s, KKB.partOf, parent
            yield s, SDO.containedInPlace, parent
            yield parent, SDO.containsPlace, s
        if u.latitude and u.longitude:
            yield s, GEO.lat, Literal(u.latitude, datatype=XSD.decimal)
            yield s, GEO.long, Literal(u.longitude, datatype=XSD.decimal)
        if u.postal_code:
            yield s, SDO.postalCode, Literal(u.postal_code)
        for code in sorted(bps.get(u.code, ())):
            yield s, KKB.bpsCode, Literal(code)
            if bps_source:
                yield s, PROV.wasDerivedFrom, bps_source
        yield s, PROV.wasDerivedFrom, origin
        published.append(u.code)
    if listed is None and published:
        yield from edition_triples(ctx, CURRENT_EDITION)
    yield from geometry_triples(ctx.mint, published)


# --- code and name history ----------------------------------------------------------------------


def history_triples(
    ctx: Context, units: Iterable[UnitRow] | None = None, history: History | None = None
) -> Iterator[Triple]:
    """Earlier names of the published units (the registry's, unless ``units``), and the former
    codes that lie under a published unit or were replaced by one (with their successors), each
    name sourced to its editions."""
    history = history or load_history()
    units = ctx.registry.units if units is None else tuple(units)
    published = {u.code for u in units}
    editions: set[int] = set()
    for u in units:
        for n in history.earlier_names(u.code):
            yield from name_record(ctx, u.code, n, editions)
        for old in history.replacing(u.code):
            yield ctx.mint.unit(u.code), DCTERMS.replaces, ctx.mint.unit(old)
    for code in sorted(history.removed):
        successors = [c for c in history.successors(code) if c in published]
        if not successors and parent_code(code) not in published:
            continue
        s = ctx.mint.unit(code)
        names = history.earlier_names(code)
        yield s, RDF.type, KKB.FormerUnit
        yield s, RDFS.label, id_(names[-1].name)
        yield s, KKB.kemendagriCode, Literal(code)
        for n in names:
            yield from name_record(ctx, code, n, editions)
        for new in successors:
            yield s, DCTERMS.isReplacedBy, ctx.mint.unit(new)
    for year in sorted(editions):
        yield from edition_triples(ctx, year)


def name_record(ctx: Context, code: str, name: EarlierName, editions: set[int]) -> Iterator[Triple]:
    """One name a code carried, with the editions that carry it as data and as sources."""
    n = ctx.mint.mint("name", f"{code.replace('.', '-')}-{name.editions[0]}")
    yield ctx.mint.unit(code), KKB.earlierName, n
    yield n, RDF.type, KKB.NameRecord
    yield n, RDFS.label, id_(name.name)
    for year in name.editions:
        yield n, KKB.edition, Literal(str(year), datatype=XSD.gYear)
        yield n, DCTERMS.source, edition_iri(ctx, year)
        editions.add(year)


def edition_iri(ctx: Context, year: int) -> URIRef:
    return ctx.mint.mint("edition", f"kemendagri-{year}")


def edition_triples(ctx: Context, year: int) -> Iterator[Triple]:
    """An edition of the Kemendagri code list as a source document, with its citation."""
    edition = EDITION_SOURCES[year]
    s = edition_iri(ctx, year)
    yield s, RDF.type, KKB.SourceDocument
    yield s, RDF.type, PROV.Entity
    yield s, RDFS.label, id_(f"Kode wilayah Kemendagri, edisi {year}")
    yield s, RDFS.label, en(f"Kemendagri region codes, {year} edition")
    yield s, DCTERMS.bibliographicCitation, Literal(edition.citation)


# --- the registry --------------------------------------------------------------------------------


def registry_triples(ctx: Context) -> Iterator[Triple]:
    """KKB designations, activities, organisations, programmes, sources and data-quality notes."""
    yield from source_triples(ctx)
    yield from organisation_triples(ctx)
    yield from programme_triples(ctx)
    yield from default_programme_triples(ctx)
    resolved = {(r.file, r.row): r for r in ctx.registry.resolutions}
    for row in ctx.registry.kkb:
        yield from kkb_triples(ctx, row)
        if (row.file, row.row) in resolved:
            yield from resolution_triples(ctx, resolved[row.file, row.row])
    yield from annual_triples(ctx)
    yield from activity_triples(ctx)
    yield from attribution_triples(ctx)


def kkb_triples(ctx: Context, k: KkbRow) -> Iterator[Triple]:
    """One KKB designation, its provenance and any disagreement between source and official list."""
    s = ctx.mint.kkb(k.village_code)
    village = ctx.units[k.village_code]
    yield s, RDF.type, KKB.KKBDesignation
    yield s, RDFS.label, id_(f"Kampung Keluarga Berkualitas {village.name}")
    yield s, RDFS.label, en(f"Quality Family Village {village.name}")
    yield s, KKB.village, ctx.mint.unit(k.village_code)
    yield s, KKB.programme, ctx.mint.mint("programme", k.programme)
    yield s, KKB.status, STATUSES[k.status]
    if k.designated_by:
        yield s, KKB.designatedBy, ctx.mint.mint("org", k.designated_by)
    if isinstance(k.designation_date, dt.date):
        yield s, KKB.designationDate, Literal(k.designation_date, datatype=XSD.date)
        yield s, KKB.designationYear, Literal(str(k.designation_date.year), datatype=XSD.gYear)
    elif k.designation_date is not None:
        yield s, KKB.designationYear, Literal(str(k.designation_date), datatype=XSD.gYear)
    if k.source:
        yield from provenance(ctx, s, k.source, k.source_excerpt)
    else:  # the row is its own source: the registry file, sheet and row
        yield from derived_from(ctx, s, k, None)
        yield from record_triples(ctx, k)
    yield from entry_triples(ctx, s, k, village.name)

    district = ctx.units[k.district_code]
    official_kind = village.kind or ""
    source = ctx.source(k.source) if k.source else None
    yield from discrepancy(
        ctx, "name", village, k.village_name, None, "the registry row spells the village name differently"
    )
    yield from discrepancy(
        ctx, "name", village, k.source_village_name, source, "the source spells the village name differently"
    )
    yield from discrepancy(
        ctx,
        "name",
        district,
        k.source_district_name,
        source,
        "the source spells the kecamatan name differently",
    )
    if k.source_village_kind and k.source_village_kind != official_kind:
        yield from note(
            ctx,
            "kind",
            village,
            source,
            KIND_WORDS[k.source_village_kind],
            KIND_WORDS[official_kind],
            f"Sumber menyebut {village.name} sebagai {KIND_WORDS[k.source_village_kind]};"
            f" menurut daftar resmi Kemendagri {village.name} adalah"
            f" {KIND_WORDS[official_kind]} (kode {village.code}).",
            f"The source calls {village.name} a {KIND_WORDS[k.source_village_kind]};"
            f" the official Kemendagri list has it as a {KIND_WORDS[official_kind]}"
            f" (code {village.code}). The official kind is used.",
        )


def discrepancy(
    ctx: Context, aspect: str, unit: UnitRow, said: str | None, source: URIRef | None, why: str
) -> Iterator[Triple]:
    """A note when ``said`` is spelt otherwise than the official name (same place, checked)."""
    if not said or said == unit.name:
        return
    edition = earlier_edition(said, unit.code, unit.level)
    if edition is not None:
        yield from note(
            ctx,
            aspect,
            unit,
            source,
            said,
            unit.name,
            f"'{said}' adalah nama kode {unit.code} dalam {edition}; nama resmi"
            f" Kemendagri 2025 '{unit.name}' yang dipakai.",
            f"{why}: '{said}' is the name of code {unit.code} in {edition}; the"
            f" official Kemendagri 2025 name '{unit.name}' is used.",
        )
        return
    yield from note(
        ctx,
        aspect,
        unit,
        source,
        said,
        unit.name,
        f"Ejaan '{said}' berbeda dengan nama resmi Kemendagri '{unit.name}'"
        f" (kode {unit.code}); nama resmi yang dipakai.",
        f"{why}: '{said}' versus the official Kemendagri name '{unit.name}'"
        f" (code {unit.code}). The official name is used.",
    )


def resolution_triples(ctx: Context, r: Resolution) -> Iterator[Triple]:
    """A note that a row's codes were resolved from the names it gives (as it gives them)."""
    village = ctx.units[r.village_code]
    said = f"{r.village_name} (kecamatan {r.district_name})"
    via = "" if r.matched_as == "name" else f", named so in {r.matched_as}"
    yield from note(
        ctx,
        "code",
        village,
        None,
        said,
        r.village_code,
        f"Baris {r.row} {r.file} tidak memberi kode; kode {r.village_code} diambil dari"
        f" nama '{r.village_name}' di kecamatan '{r.district_name}': satu-satunya desa/"
        f"kelurahan resmi dengan nama itu di sana ({village.name}{via}).",
        f"Row {r.row} of {r.file} gives no code; code {r.village_code} was resolved from"
        f" the name '{r.village_name}' in kecamatan '{r.district_name}': the one official"
        f" village of that name there ({village.name}{via}).",
        labels=(
            f"Kode dari nama: {said} → {r.village_code}",
            f"Code resolved from the name: {said} → {r.village_code}",
        ),
    )


def note(
    ctx: Context,
    aspect: str,
    unit: UnitRow | None,
    source: URIRef | None,
    said: str,
    official: str,
    comment_id: str,
    comment_en: str,
    about: URIRef | None = None,
    labels: tuple[str, str] | None = None,
) -> Iterator[Triple]:
    """A :data:`KKB.SourceDiscrepancy` naming both values, the source of each, and the one used."""
    target = about if about is not None else ctx.mint.unit(unit.code)  # type: ignore[union-attr]
    key = target.rsplit("/", 1)[-1].replace(".", "-")
    origin = source.rsplit("/", 1)[-1] if source is not None else "registry"
    n = ctx.mint.mint("note", f"{aspect}-{key}" + ("" if origin == key else f"-{origin}"))
    yield n, RDF.type, KKB.SourceDiscrepancy
    label_id, label_en = labels or (
        f"Perbedaan {ASPECT_WORDS[aspect]}: {said} / {official}",
        f"{aspect.capitalize()} discrepancy: {said} / {official}",
    )
    yield n, RDFS.label, id_(label_id)
    yield n, RDFS.label, en(label_en)
    yield n, KKB.concerns, target
    yield n, KKB.aspect, Literal(aspect)
    yield n, KKB.valueInSource, Literal(said)
    yield n, KKB.valueInReference, Literal(official)
    yield n, KKB.valueUsed, Literal(official)
    yield n, RDFS.comment, id_(comment_id)
    yield n, RDFS.comment, en(comment_en)
    if source is not None:
        yield n, DCTERMS.source, source
    reference = ctx.reference_source("regions/units.csv")
    if reference is not None:
        yield n, KKB.referenceSource, reference


def provenance(ctx: Context, s: URIRef, source_id: str | None, excerpts: Iterable[str]) -> Iterator[Triple]:
    """Where a resource comes from: the source document and the verbatim sentences of it."""
    if not source_id:
        return
    yield s, PROV.wasDerivedFrom, ctx.source(source_id)
    for excerpt in excerpts:
        yield s, KKB.sourceExcerpt, Literal(excerpt)


# --- activities, organisations, programmes, sources ----------------------------------------------


def activity_triples(ctx: Context) -> Iterator[Triple]:
    """Guidance activities (pembinaan), linked to every KKB designation in their scope."""
    for a in ctx.registry.activities:
        s = ctx.mint.mint("activity", a.activity_id)
        scope = ctx.units[a.scope_code]
        yield s, RDF.type, KKB.GuidanceActivity
        yield s, RDF.type, PROV.Activity
        yield s, RDFS.label, id_(f"Pembinaan Kampung Keluarga Berkualitas {scope.name} {a.year}")
        yield s, RDFS.label, en(f"Guidance of the Quality Family Villages of {scope.name}, {a.year}")
        yield s, KKB.year, Literal(str(a.year), datatype=XSD.gYear)
        yield s, KKB.status, STATUSES[a.status]
        yield s, PROV.atLocation, ctx.mint.unit(a.scope_code)
        organiser = ctx.mint.mint("org", a.organiser)
        yield s, KKB.organiser, organiser
        yield s, PROV.wasAssociatedWith, organiser
        for partner in a.partners:
            yield s, KKB.partner, ctx.mint.mint("org", partner)
        if a.partner_description:
            yield s, KKB.partnerDescription, id_(a.partner_description)
        for fn in a.functions:
            yield s, KKB.strengthens, FAMILY_FUNCTIONS[fn]
        for village_code in ctx.kkb_in.get(a.scope_code, ()):
            yield s, KKB.guides, ctx.mint.kkb(village_code)
        yield from provenance(ctx, s, a.source, a.source_excerpt)


def organisation_triples(ctx: Context) -> Iterator[Triple]:
    """Organisations (W3C ORG), their units, posts and the people who hold them."""
    for o in ctx.registry.organisations:
        s = ctx.mint.mint("org", o.org_id)
        yield s, RDF.type, ORG.Organization
        yield s, RDF.type, FOAF.Organization
        if o.kind == "unit":
            yield s, RDF.type, ORG.OrganizationalUnit
        else:
            yield s, RDF.type, ORG.FormalOrganization
        yield s, RDFS.label, id_(o.name)
        yield s, SKOS.prefLabel, id_(o.name)
        if o.name_en:
            yield s, RDFS.label, en(o.name_en)
            yield s, SKOS.prefLabel, en(o.name_en)
        if o.acronym:
            yield s, SKOS.altLabel, Literal(o.acronym)
        if o.parent_org:
            parent = ctx.mint.mint("org", o.parent_org)
            yield s, ORG.unitOf if o.kind == "unit" else ORG.subOrganizationOf, parent
            yield parent, ORG.hasUnit if o.kind == "unit" else ORG.hasSubOrganization, s
        if o.jurisdiction_code:
            yield s, DCTERMS.spatial, ctx.mint.unit(o.jurisdiction_code)
        yield from provenance(ctx, s, o.source, o.source_excerpt)
    for p in ctx.registry.posts:
        s = ctx.mint.mint("post", p.post_id)
        yield s, RDF.type, ORG.Post
        yield s, RDFS.label, id_(p.title)
        if p.title_en:
            yield s, RDFS.label, en(p.title_en)
        yield s, ORG.postIn, ctx.mint.mint("org", p.org_id)
        if p.holder_id:
            person = ctx.mint.mint("person", p.holder_id)
            yield s, ORG.heldBy, person
            yield person, ORG.holds, s
            yield person, RDF.type, FOAF.Person
            yield person, FOAF.name, Literal(p.holder_name or p.holder_id)
            yield person, RDFS.label, Literal(p.holder_name or p.holder_id)
            yield from provenance(ctx, person, p.source, ())
        yield from provenance(ctx, s, p.source, p.source_excerpt)


def programme_triples(ctx: Context) -> Iterator[Triple]:
    """Programmes and the strategic objectives the source states for them."""
    for g in ctx.registry.programmes:
        s = ctx.mint.mint("programme", g.programme_id)
        yield s, RDF.type, KKB.Programme
        yield s, RDFS.label, id_(g.name)
        if g.name_en:
            yield s, RDFS.label, en(g.name_en)
        if g.supports:
            yield s, KKB.supportsProgramme, ctx.mint.mint("programme", g.supports)
        yield from provenance(ctx, s, g.source, g.source_excerpt)
    for b in ctx.registry.objectives:
        s = ctx.mint.mint("objective", b.objective_id)
        yield ctx.mint.mint("programme", b.programme_id), KKB.objective, s
        yield s, RDF.type, KKB.StrategicObjective
        yield s, RDFS.label, id_(b.text)
        if b.text_en:
            yield s, RDFS.label, en(b.text_en)
        yield from provenance(ctx, s, b.source, b.source_excerpt)


def source_triples(ctx: Context) -> Iterator[Triple]:
    """Source documents, and what a source states that the official list contradicts."""
    for src in ctx.registry.sources:
        s = ctx.source(src.source_id)
        yield s, RDF.type, KKB.SourceDocument
        yield s, RDF.type, PROV.Entity
        if src.kind == "news-article":
            yield s, RDF.type, SDO.NewsArticle
        yield s, RDFS.label, id_(src.label)
        if src.label_en:
            yield s, RDFS.label, en(src.label_en)
        if src.publisher:
            yield s, DCTERMS.publisher, ctx.mint.mint("org", src.publisher)
        if src.place:
            yield s, SDO.dateline, Literal(src.place)
        if src.place_code:
            yield s, SDO.locationCreated, ctx.mint.unit(src.place_code)
        if src.language in LANGUAGES:
            yield s, DCTERMS.language, LANGUAGES[src.language]
        if src.note:
            yield s, RDFS.comment, en(src.note)
        yield from stated_kind_note(ctx, src)


def stated_kind_note(ctx: Context, src: SourceRow) -> Iterator[Triple]:
    """A source that calls all its villages 'desa' when some are officially kelurahan."""
    if not src.stated_village_kind:
        return
    kinds: dict[str, int] = {}
    for k in ctx.registry.kkb:
        if k.source == src.source_id:
            kind = ctx.units[k.village_code].kind or ""
            kinds[kind] = kinds.get(kind, 0) + 1
    if set(kinds) <= {src.stated_village_kind}:
        return
    total = sum(kinds.values())
    said = f"{total} {KIND_WORDS[src.stated_village_kind]}"
    official = ", ".join(f"{n} {KIND_WORDS[kind]}" for kind, n in sorted(kinds.items()))
    yield from note(
        ctx,
        "kind",
        None,
        ctx.source(src.source_id),
        said,
        official,
        f"Sumber menyebut {said}; menurut daftar resmi Kemendagri: {official}.",
        f"The source speaks of {said}; the official Kemendagri list has {official}."
        " The official kinds are used.",
        about=ctx.source(src.source_id),
    )


# --- indicators (RDF Data Cube) ------------------------------------------------------------------


def indicator_triples(ctx: Context) -> Iterator[Triple]:
    """The indicator data set, its indicators and one qb:Observation per area, year and indicator.

    An observation's IRI is made of its three dimensions, so two values for one cell could not
    hide: they would meet on one IRI and fail the shapes (the checks refuse them first).
    """
    yield from indicator_header_triples(ctx)
    yield from observation_triples(ctx)


def indicator_header_triples(ctx: Context) -> Iterator[Triple]:
    """The indicator data set, its structure and its indicators (everything but observations)."""
    dataset = ctx.mint.mint("dataset", INDICATOR_DATASET)
    structure = ctx.mint.mint("dataset", INDICATOR_DATASET + "-structure")
    yield dataset, RDF.type, QB.DataSet
    yield dataset, QB.structure, structure
    yield structure, RDF.type, QB.DataStructureDefinition
    yield structure, RDFS.label, id_("Struktur data indikator: indikator, wilayah, tahun; nilai")
    yield structure, RDFS.label, en("Indicator data structure: indicator, area, year; value")
    for order, (role, prop) in enumerate(
        (
            (QB.dimension, KKB.indicator),
            (QB.dimension, KKB.refArea),
            (QB.dimension, KKB.refYear),
            (QB.measure, KKB.indicatorValue),
        )
    ):
        component = BNode()
        yield structure, QB.component, component
        yield component, role, prop
        if role == QB.dimension:
            yield component, QB.order, Literal(order + 1)
    yield dataset, RDFS.label, id_("Indikator Kampung Keluarga Berkualitas per wilayah dan tahun")
    yield dataset, RDFS.label, en("Quality Family Village indicators by area and year")
    for source in sorted({i.source for i in ctx.registry.indicators}):
        yield dataset, PROV.wasDerivedFrom, ctx.source(source)
    for i in ctx.registry.indicators:
        s = ctx.mint.mint("indicator", i.indicator_id)
        yield s, RDF.type, KKB.Indicator
        yield s, RDF.type, SKOS.Concept
        yield s, RDFS.label, id_(i.label)
        if i.label_en:
            yield s, RDFS.label, en(i.label_en)
        yield s, SKOS.notation, Literal(i.indicator_id)
        yield from provenance(ctx, s, i.source, ())


def observation_triples(ctx: Context) -> Iterator[Triple]:
    """One qb:Observation per row of observations.csv (seven triples each)."""
    dataset = ctx.mint.mint("dataset", INDICATOR_DATASET)
    indicators = {i.indicator_id: ctx.mint.mint("indicator", i.indicator_id) for i in ctx.registry.indicators}
    # The hot loop of a national build (millions of rows): terms looked up once, not per row.
    a, in_set, what, where, when, value, derived = (
        RDF.type,
        QB.dataSet,
        KKB.indicator,
        KKB.refArea,
        KKB.refYear,
        KKB.indicatorValue,
        PROV.wasDerivedFrom,
    )
    observation, decimal = QB.Observation, XSD.decimal
    years: dict[int, Literal] = {}
    sources: dict[str, URIRef] = {}
    for o in ctx.registry.observations:
        s = ctx.mint.mint("observation", f"{o.indicator}-{o.area_code.replace('.', '-')}-{o.year}")
        if o.year not in years:
            years[o.year] = Literal(str(o.year), datatype=XSD.gYear)
        if o.source not in sources:
            sources[o.source] = ctx.source(o.source)
        yield s, a, observation
        yield s, in_set, dataset
        yield s, what, indicators[o.indicator]
        yield s, where, ctx.mint.unit(o.area_code)
        yield s, when, years[o.year]
        yield s, value, Literal(o.value, datatype=decimal)
        yield s, derived, sources[o.source]


def observation_nquads(ctx: Context, rows_per_block: int = 2000) -> Iterator[str]:
    """:func:`observation_triples` as N-Quads text in graph ``indicators``, in blocks of lines.

    The same statements (``tests/test_mapping.py`` compares the two), without a Python object
    per term: every IRI but the observation's own is looked up once, the subject is the minted
    IRI's text (an over-long key is refused by :meth:`Minter.mint`, as in the triple mapping),
    and a value passed the ``number`` parser of :mod:`kkb_lod.ingest`, so it needs no escaping.
    """
    decimal_lexical = _decimal_lexical
    t = ntriples.term
    graph = f" {t(ctx.mint.graph(INDICATORS))} .\n"
    prefix = t(ctx.mint.mint("observation", "x"))[:-2]  # '<{base}id/observation/'
    head = (
        f" {t(RDF.type)} {t(QB.Observation)}{graph}",
        f" {t(QB.dataSet)} {t(ctx.mint.mint('dataset', INDICATOR_DATASET))}{graph}",
        f" {t(KKB.indicator)} ",
    )
    where, when, value = f" {t(KKB.refArea)} ", f" {t(KKB.refYear)} ", f" {t(KKB.indicatorValue)} "
    decimal, derived = f"^^{t(XSD.decimal)}{graph}", f" {t(PROV.wasDerivedFrom)} "
    indicators = {
        i.indicator_id: t(ctx.mint.mint("indicator", i.indicator_id)) + graph for i in ctx.registry.indicators
    }
    areas: dict[str, str] = {}
    years: dict[int, str] = {}
    sources: dict[str, str] = {}
    block: list[str] = []
    for o in ctx.registry.observations:
        key = f"{o.indicator}-{o.area_code.replace('.', '-')}-{o.year}"
        if len(key) > 80:
            ctx.mint.mint("observation", key)  # raises the same IriError as the triple mapping
        s = prefix + key + ">"
        area = areas.get(o.area_code)
        if area is None:
            area = areas[o.area_code] = t(ctx.mint.unit(o.area_code)) + graph
        year = years.get(o.year)
        if year is None:
            year = years[o.year] = t(Literal(str(o.year), datatype=XSD.gYear)) + graph
        source = sources.get(o.source)
        if source is None:
            source = sources[o.source] = t(ctx.source(o.source)) + graph
        block.append(
            f"{s}{head[0]}{s}{head[1]}{s}{head[2]}{indicators[o.indicator]}"
            f'{s}{where}{area}{s}{when}{year}{s}{value}"{decimal_lexical(o.value)}"{decimal}'
            f"{s}{derived}{source}"
        )
        if len(block) == rows_per_block:
            yield "".join(block)
            block.clear()
    if block:
        yield "".join(block)


def _decimal_lexical(value: str) -> str:
    """The lexical form rdflib gives ``Literal(value, datatype=xsd:decimal)``: as written, but
    without leading zeros (``007.5`` → ``7.5``)."""
    digits = value[1:] if value[:1] == "-" else value
    if len(digits) > 1 and digits[0] == "0" and digits[1] != ".":
        return str(Literal(value, datatype=XSD.decimal))
    return value
