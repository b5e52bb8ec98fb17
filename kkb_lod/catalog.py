"""The dataset described for harvesters: DCAT 3 / DCAT-AP 3 catalog and VoID. Pure.

Built from the release manifest (dumps, sizes, checksums, build time, lineage) and figures the web
layer counted through SPARQL. Every IRI (catalog, datasets, distributions, service) is minted under
``base`` (the ``base_iri`` setting), so a portal sees one dataset whatever address it harvests;
links (downloads, endpoint, landing page) use ``site``, the server's public address. Every object a
DCAT-AP 3 shape constrains by class is typed here, so the catalog conforms without inference
(``tests/test_web_catalog.py`` checks it against the official shapes). Controlled values are the EU
vocabularies DCAT-AP names (data theme, language, file type, planned availability), ADMS publisher
and licence types, and IANA media types; places are our own IRIs. Nothing is invented: no e-mail
address is known, so the contact point gives the landing page. What a CKAN portal with
ckanext-dcat needs (a licence its register knows, readable formats, Hydra paging) is stated in
DCAT-AP's own terms (``tests/test_ckan_harvest.py`` harvests it with the real thing).

DCAT-AP 2.1.1 cannot be met at the same time on two points, both by design of 3.0: it wants
``dcat:byteSize`` as ``xsd:decimal`` (3.0: ``xsd:nonNegativeInteger``) and SHA-1 checksums only
(we publish SHA-256). Everything else of 2.1.1 is met, recommended properties included, but for
a bounding box of the regency, which no source gives us.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kkb_lod.formats import find_media_type, from_suffix
from kkb_lod.iris import Minter
from kkb_lod.names import bare_name, english_name
from kkb_lod.vocab import (
    DCAT,
    DCTERMS,
    FOAF,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF,
    RDFS,
    SD,
    SKOS,
    SPDX,
    VCARD,
    VOID,
    XSD,
)

IANA = "http://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
LICENSE = URIRef("http://creativecommons.org/licenses/by/4.0/")
#: The title of CC BY in CKAN's stock licence register (``cc-by``), which portals match.
LICENSE_TITLE = "Creative Commons Attribution"
THEMES = URIRef(EU + "data-theme")
THEME = URIRef(EU + "data-theme/SOCI")  # Population and society
LANGUAGES = (URIRef(EU + "language/IND"), URIRef(EU + "language/ENG"))
#: Dumps are rebuilt at every release under the same URL: "medium term" is the honest promise.
AVAILABILITY = URIRef(EU + "planned-availability/AVAILABLE")
DCATAP_AVAILABILITY = URIRef("http://data.europa.eu/r5r/availability")
#: CC BY is an "Attribution" licence in the ADMS licence-type vocabulary.
LICENSE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
#: The publisher is a regency government agency (ADMS publisher type vocabulary).
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
COMPRESSED = {"gz": "application/gzip"}


@dataclass(frozen=True)
class Linkset:
    """A ``void:Linkset`` of the data: its IRI, labels (id, en), link predicate, the dataset its
    objects belong to, how many links and the date of the snapshot they were made against."""

    iri: str
    labels: tuple[str, str]
    predicate: str
    target: str
    triples: int
    date: str = ""


@dataclass(frozen=True)
class Figures:
    """What the catalog states about the data, counted through SPARQL by the caller."""

    triples: int
    kkb: int
    villages: int
    districts: int
    years: tuple[str, ...]  # activity years, as the data states them
    publisher: str  # IRI of the publishing organisation in the data
    publisher_name: str
    spatial: tuple[str, ...]  # IRIs of the regencies covered
    #: Official names of those regencies and cities, and of their provinces (what titles name)
    area: tuple[str, ...] = ()
    area_provinces: tuple[str, ...] = ()
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    entities: int = 0  # IRIs of ours (void:uriSpace) used as subjects
    examples: tuple[str, ...] = ()
    distinct_subjects: int = 0
    distinct_objects: int = 0
    centroids: dict[str, str] = field(default_factory=dict)  # place IRI → WKT point
    #: Units per level (province, regency, district, village) of graph ``reference`` (the whole
    #: country's official list, built with ``reference = all``); empty when the release has none.
    reference_units: dict[str, int] = field(default_factory=dict)
    reference_graph: str = ""  # its IRI
    provinces: tuple[str, ...] = ()  # IRIs of the provinces in it
    #: Why no publisher could be named (the setting is needed and missing or wrong), else "".
    publisher_unknown: str = ""
    #: The linksets the data publishes (``void:Linkset``: the links to Wikidata), as the store has them.
    linksets: tuple[Linkset, ...] = ()


#: The dump holding graph ``reference`` alone (written by the build with ``reference = all``).
REFERENCE_DUMP = "reference.nt.gz"


#: The most regencies a title or the keywords name one by one; more are counted.
MAX_AREA_NAMES = 3


def area_names(figures: Figures) -> tuple[str, str]:
    """The area the registry covers, as (Indonesian, English) text: its regencies by name, or
    how many there are (in one province, or several), from the data, never fixed here."""
    area, provinces = figures.area, figures.area_provinces
    if not area:
        return "", ""
    if len(area) <= MAX_AREA_NAMES:
        return (", ".join(area), ", ".join(english_name(a) for a in area))
    if len(provinces) == 1:
        return (
            f"{len(area)} kabupaten/kota di {provinces[0]}",
            f"{len(area)} regencies and cities in {provinces[0]}",
        )
    return (
        f"{len(area)} kabupaten/kota di {len(provinces)} provinsi",
        f"{len(area)} regencies and cities in {len(provinces)} provinces",
    )


def dataset_title(figures: Figures) -> tuple[str, str]:
    """The dataset's title, Indonesian and English, naming the area it covers."""
    area_id, area_en = area_names(figures)
    return (
        (f"Registri Kampung Keluarga Berkualitas {area_id}".rstrip()),
        f"Quality Family Village (KKB) registry of {area_en}"
        if area_en
        else "Quality Family Village (KKB) registry",
    )


#: Datasets one page of the catalog lists (ckanext-dcat's catalog endpoint: 100 by default).
DATASETS_PER_PAGE = 100
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
#: DCAT 3 terms rdflib's closed DCAT namespace does not know (versioning).
DCAT3 = Namespace(str(DCAT))


class PageNotFound(LookupError):
    """A page of the catalog past its last one."""


@dataclass(frozen=True)
class Paging:
    """What part of the catalog was asked for, as ckanext-dcat's endpoint takes it: ``page``
    (1, 2 …) and ``modified_since`` (only datasets modified then or later)."""

    page: int = 1
    modified_since: dt.datetime | None = None
    per_page: int = DATASETS_PER_PAGE

    @classmethod
    def parse(cls, page: str | None, modified_since: str | None) -> Paging:
        """From the query parameters; ValueError saying what is wrong and what is expected."""
        number = 1
        if page is not None:
            if not page.isascii() or not page.isdigit() or int(page) < 1:
                raise ValueError(f"page must be a whole number from 1, not {page!r}")
            number = int(page)
        since = None
        if modified_since is not None:
            try:
                since = dt.datetime.fromisoformat(modified_since.strip().replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(
                    "modified_since must be an ISO 8601 date or date-time, e.g. "
                    f"2025-01-31 or 2025-01-31T08:00:00Z, not {modified_since!r}"
                ) from None
            since = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
        return cls(number, since)

    def query(self, page: int) -> str:
        """The query string of ``page`` with the same ``modified_since``."""
        since = f"modified_since={self.modified_since.isoformat()}&" if self.modified_since else ""
        return f"?{since}page={page}".replace("+", "%2B")


def describe_catalog(
    base: str, site: str, release: dict, figures: Figures, paging: Paging | None = None
) -> Graph:
    """DCAT-AP 3: the catalog, its datasets (a distribution per dump, the SPARQL service) and,
    as ckanext-dcat's catalog endpoint does, a Hydra page of them.

    Every IRI is minted under ``base`` (the dataset's identity, whatever host it is reached at);
    ``site`` is the public address the links to files, pages and the endpoint use. PageNotFound
    for a page past the last one."""
    paging = paging or Paging()
    g = _graph()
    catalog, dataset = URIRef(base + "catalog"), URIRef(base + "catalog#dataset")
    service = URIRef(base + "sparql")
    created = Literal(_utc(release["created"]), datatype=XSD.dateTime) if release.get("created") else None
    first = release.get("first_issued") or release.get("created")
    issued = Literal(_utc(first), datatype=XSD.dateTime) if first else None
    when = (
        dt.datetime.fromisoformat(release["created"]).astimezone(dt.UTC) if release.get("created") else None
    )
    listed = [
        name
        for name in ("dataset", "reference")
        if (name == "dataset" or figures.reference_units)
        and (paging.modified_since is None or (when and when >= paging.modified_since))
    ]
    last = max(1, -(-len(listed) // paging.per_page))
    if paging.page > last:
        raise PageNotFound(
            f"no page {paging.page} of the catalog: it has {last} "
            f"({len(listed)} datasets, {paging.per_page} a page)"
        )
    shown = listed[(paging.page - 1) * paging.per_page : paging.page * paging.per_page]
    _add(g, catalog, RDF.type, DCAT.Catalog)
    _texts(
        g,
        catalog,
        DCTERMS.title,
        "Katalog data Kampung Keluarga Berkualitas",
        "Quality Family Village (KKB) data catalogue",
    )
    _texts(
        g,
        catalog,
        DCTERMS.description,
        "Data terbuka tertaut registri Kampung Keluarga Berkualitas.",
        "Linked open data of the Kampung Keluarga Berkualitas registry.",
    )
    _add(g, catalog, FOAF.homepage, URIRef(site), FOAF.Document)
    _add(g, catalog, DCAT.themeTaxonomy, THEMES, SKOS.ConceptScheme)
    g.add((THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    _common(g, base, catalog, figures, issued, created)
    _hydra(g, site, paging, len(listed), last)
    if "dataset" in shown:
        _add(g, catalog, DCAT.dataset, dataset)
        _add(g, catalog, DCAT.service, service)
        _dataset(g, base, site, dataset, release, figures, issued, created)
        _service(g, base, site, dataset, service, figures)
        if release.get("ldes"):  # built with event stream pages (kkb_lod.ldes)
            _event_stream(g, base, site, catalog, dataset)
    if "reference" in shown:
        _reference_dataset(g, base, site, catalog, release, figures, issued, created)
    return g


def _hydra(g: Graph, site: str, paging: Paging, count: int, last: int) -> None:
    """The page as ckanext-dcat's endpoint states it (and its harvester reads it): a
    ``hydra:PagedCollection`` with both the current and the deprecated Hydra terms."""
    g.bind("hydra", HYDRA)
    page = URIRef(site + "catalog" + paging.query(paging.page))
    g.add((page, RDF.type, HYDRA.PagedCollection))
    g.add((page, HYDRA.totalItems, Literal(count)))
    g.add((page, HYDRA.itemsPerPage, Literal(paging.per_page)))
    links = {
        "first": 1,
        "last": last,
        "next": paging.page + 1 if paging.page < last else None,
        "previous": paging.page - 1 if paging.page > 1 else None,
    }
    for key, number in links.items():
        if number is not None:
            url = Literal(site + "catalog" + paging.query(number))
            g.add((page, HYDRA[key], url))
            g.add((page, HYDRA[key + "Page"], url))


def _dataset(
    g: Graph,
    base: str,
    site: str,
    dataset: URIRef,
    release: dict,
    figures: Figures,
    issued: Literal | None,
    created: Literal | None,
) -> None:
    """The registry's dataset: what it holds, its coverage, versions and distributions."""
    _add(g, dataset, RDF.type, DCAT.Dataset)
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    _texts(g, dataset, DCTERMS.title, *dataset_title(figures))
    _texts(
        g,
        dataset,
        DCTERMS.description,
        f"{figures.kkb} Kampung Keluarga Berkualitas di {figures.districts} kecamatan, dengan "
        "wilayah administrasi resmi Kemendagri, kegiatan pembinaan, delapan fungsi keluarga dan "
        "asal-usul setiap fakta.",
        f"{figures.kkb} Quality Family Villages in {figures.districts} districts, with the "
        "official Kemendagri administrative units, guidance activities, the eight family "
        "functions and the provenance of every fact.",
    )
    _common(g, base, dataset, figures, issued, created)
    _add(g, dataset, DCAT.theme, THEME, SKOS.Concept)
    g.add((THEME, SKOS.prefLabel, Literal("Population and society", lang="en")))
    g.add((THEME, SKOS.inScheme, THEMES))
    _add(g, dataset, DCAT.landingPage, URIRef(site), FOAF.Document)
    _add(g, dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI), DCTERMS.Standard)
    for keyword, lang in (
        ("Kampung Keluarga Berkualitas", "id"),
        ("Bangga Kencana", "id"),
        ("family planning", "en"),
        *((bare_name(a), "id") for a in figures.area[:MAX_AREA_NAMES]),
    ):
        g.add((dataset, DCAT.keyword, Literal(keyword, lang=lang)))
    if figures.years:
        period = URIRef(base + "catalog#period")
        _add(g, dataset, DCTERMS.temporal, period, DCTERMS.PeriodOfTime)
        g.add((period, DCAT.startDate, Literal(min(figures.years), datatype=XSD.gYear)))
        g.add((period, DCAT.endDate, Literal(max(figures.years), datatype=XSD.gYear)))
    _contact(g, base, site, dataset, figures)
    _versions(g, base, dataset, release)
    for dump in release.get("dumps", []):
        if dump["name"] != REFERENCE_DUMP:
            _distribution(g, base, site, dataset, dump, release.get("id"), created)
    changes = release.get("changes") or {}
    for file in changes.get("files", []):
        added = "added" in file["name"]
        _distribution(
            g,
            base,
            site,
            dataset,
            file,
            release.get("id"),
            created,
            (
                f"Pernyataan yang {'ditambahkan' if added else 'dihapus'} dalam rilis ini "
                f"dibanding rilis {changes.get('previous') or '(tidak ada)'}, N-Quads terurut, gzip.",
                f"Statements {'added' if added else 'removed'} by this release against release "
                f"{changes.get('previous') or '(none)'}, sorted N-Quads, gzip.",
            ),
        )


def _contact(g: Graph, base: str, site: str, dataset: URIRef, figures: Figures) -> None:
    contact = URIRef(base + "catalog#contact")
    _add(g, dataset, DCAT.contactPoint, contact, VCARD.Kind)
    g.add((contact, VCARD.fn, Literal(figures.publisher_name)))
    _add(g, contact, VCARD.hasURL, URIRef(site), RDFS.Resource)


def _versions(g: Graph, base: str, dataset: URIRef, release: dict) -> None:
    """DCAT 3 versioning: this release's number and IRI, the one before, and what changed.
    Releases written before lineage was recorded read as version 1 with no previous one."""
    # A release is a dcat:Dataset (DCAT-AP's range of hasVersion) through a class of its own, so
    # a harvester that takes every dcat:Dataset (ckanext-dcat) still sees one dataset, updated.
    kind = URIRef(base + "catalog#Release")
    g.add((kind, RDFS.subClassOf, DCAT.Dataset))
    _texts(g, kind, RDFS.label, "Rilis", "Release")
    for predicate, rid in (
        (DCAT3.hasVersion, release.get("id")),
        (DCAT3.previousVersion, release.get("previous")),
    ):
        if rid:
            node = URIRef(f"{base}releases/{rid}")
            _add(g, dataset, predicate, node, kind)
            _texts(g, node, DCTERMS.title, f"Rilis {rid}", f"Release {rid}")
            _texts(
                g,
                node,
                DCTERMS.description,
                f"Data registri pada rilis {rid}.",
                f"The registry's data as of release {rid}.",
            )
    if release.get("id"):
        g.add((dataset, DCAT3.version, Literal(str(release.get("version") or 1))))
    changes = release.get("changes")
    if not isinstance(changes, dict):
        return
    if not changes.get("previous"):
        _texts(g, dataset, ADMS.versionNotes, "Rilis pertama.", "First release.")
    elif not changes.get("added") and not changes.get("removed"):
        _texts(
            g,
            dataset,
            ADMS.versionNotes,
            f"Tidak ada perubahan dibanding rilis {changes['previous']}.",
            f"No change against release {changes['previous']}.",
        )
    else:
        kinds = changes.get("resources") or {}
        each = "; ".join(
            f"{kind}: +{n.get('added', 0)} -{n.get('removed', 0)} ~{n.get('changed', 0)}"
            for kind, n in sorted(kinds.items())
        )
        _texts(
            g,
            dataset,
            ADMS.versionNotes,
            f"Dibanding rilis {changes['previous']}: {changes.get('added', 0)} pernyataan "
            f"ditambahkan, {changes.get('removed', 0)} dihapus"
            + (f" (sumber daya ditambah/dihapus/diubah: {each})." if each else "."),
            f"Against release {changes['previous']}: {changes.get('added', 0)} statements "
            f"added, {changes.get('removed', 0)} removed"
            + (f" (resources added/removed/changed: {each})." if each else "."),
        )


def _reference_dataset(
    g: Graph,
    base: str,
    site: str,
    catalog: URIRef,
    release: dict,
    figures: Figures,
    issued: Literal | None,
    created: Literal | None,
) -> None:
    """The whole country's official units (graph ``reference``): a dataset of its own, with its
    dump and the SPARQL endpoint (the graph named) as distributions."""
    dataset = URIRef(base + "catalog#reference")
    n = figures.reference_units

    def ribu(number: int) -> str:  # Indonesian groups thousands with a dot
        return f"{number:,}".replace(",", ".")

    _add(g, catalog, DCAT.dataset, dataset, DCAT.Dataset)
    g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    _texts(
        g,
        dataset,
        DCTERMS.title,
        "Wilayah administrasi pemerintahan Indonesia (Kemendagri 2025)",
        "Government administrative areas of Indonesia (Kemendagri 2025)",
    )
    _texts(
        g,
        dataset,
        DCTERMS.description,
        f"Seluruh {ribu(sum(n.values()))} wilayah resmi Kepmendagri 2025 (300.2.2-2138, diubah "
        f"dengan 300.2.2-2430): {n.get('province', 0)} provinsi, {n.get('regency', 0)} "
        f"kabupaten/kota, {ribu(n.get('district', 0))} kecamatan/distrik, "
        f"{ribu(n.get('village', 0))} desa/kelurahan, "
        "dengan kode, induk, titik tengah, kode pos, kode BPS 2018 dan tautan Wikidata provinsi "
        f"dan kabupaten/kota; graf bernama <{figures.reference_graph}>.",
        f"All {sum(n.values()):,} official units of the Kepmendagri 2025 list (300.2.2-2138, "
        f"amended by 300.2.2-2430): {n.get('province', 0)} provinces, {n.get('regency', 0)} "
        f"regencies/cities, {n.get('district', 0):,} districts, {n.get('village', 0):,} villages, "
        "with codes, parents, centroids, postal codes, BPS 2018 codes and Wikidata links of "
        f"provinces and regencies; named graph <{figures.reference_graph}>.",
    )
    _common(g, base, dataset, figures, issued, created, figures.provinces)
    _add(g, dataset, DCAT.theme, THEME, SKOS.Concept)
    _add(g, dataset, DCAT.landingPage, URIRef(site), FOAF.Document)
    _add(g, dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI), DCTERMS.Standard)
    for keyword, lang in (("kode wilayah", "id"), ("Kemendagri", "id"), ("administrative divisions", "en")):
        g.add((dataset, DCAT.keyword, Literal(keyword, lang=lang)))
    _contact(g, base, site, dataset, figures)
    for dump in release.get("dumps", []):
        if dump["name"] == REFERENCE_DUMP:
            _distribution(
                g,
                base,
                site,
                dataset,
                dump,
                release.get("id"),
                created,
                (
                    "Graf reference (seluruh wilayah resmi) sebagai N-Triples, gzip.",
                    "Graph reference (every official unit) as N-Triples, gzip.",
                ),
            )
    _add(g, dataset, DCAT.distribution, URIRef(base + "catalog#sparql"), DCAT.Distribution)


def _common(
    g: Graph,
    base: str,
    node: URIRef,
    figures: Figures,
    issued: Literal | None,
    modified: Literal | None,
    spatial: tuple[str, ...] | None = None,
) -> None:
    """Publisher, licence, languages, coverage (``figures.spatial`` unless ``spatial``) and dates,
    stated alike on catalog and datasets: issued with the first release of the lineage,
    modified with the one served."""
    publisher = URIRef(figures.publisher)
    _add(g, node, DCTERMS.publisher, publisher, FOAF.Agent)
    g.add((publisher, FOAF.name, Literal(figures.publisher_name)))
    _add(g, publisher, DCTERMS.type, PUBLISHER_TYPE, SKOS.Concept)
    g.add((PUBLISHER_TYPE, SKOS.prefLabel, Literal("Local Authority", lang="en")))
    _licence(g, node)
    for language in LANGUAGES:
        _add(g, node, DCTERMS.language, language, DCTERMS.LinguisticSystem)
    for place in figures.spatial if spatial is None else spatial:  # our own IRIs: no EU or
        # GeoNames identifier is needed
        _add(g, node, DCTERMS.spatial, URIRef(place), DCTERMS.Location)
        if place in figures.centroids:
            g.add((URIRef(place), DCAT.centroid, Literal(figures.centroids[place], datatype=WKT)))
    if issued is not None:
        g.add((node, DCTERMS.issued, issued))
    if modified is not None:
        g.add((node, DCTERMS.modified, modified))


def _licence(g: Graph, node: URIRef) -> None:
    """CC BY 4.0, by its own IRI, titled as CKAN's stock licence register titles it (its
    ``cc-by``: the register's URL is opendefinition.org's, so a portal matches us by title)."""
    _add(g, node, DCTERMS.license, LICENSE, DCTERMS.LicenseDocument)
    g.add((LICENSE, DCTERMS.title, Literal(LICENSE_TITLE, lang="en")))
    g.add((LICENSE, DCTERMS.identifier, Literal("CC-BY-4.0")))  # its SPDX id
    _add(g, LICENSE, DCTERMS.type, LICENSE_TYPE, SKOS.Concept)
    g.add((LICENSE_TYPE, SKOS.prefLabel, Literal("Attribution", lang="en")))


def _format(g: Graph, dist: URIRef, eu: str, label: str, media: str | None) -> None:
    """``dcterms:format``: the EU file type, as a ``dcterms:IMT`` with a readable label (what a
    CKAN portal shows as the format) and its media type (DCMI: IMT ⊂ MediaType ⊂
    MediaTypeOrExtent, stated so DCAT-AP's class constraint holds without inference)."""
    file_type = URIRef(f"{EU}file-type/{eu}")
    _add(g, dist, DCTERMS["format"], file_type, DCTERMS.IMT)
    g.add((file_type, RDFS.label, Literal(label)))
    if media:
        g.add((file_type, RDF.value, Literal(media)))
    g.add((DCTERMS.IMT, RDFS.subClassOf, DCTERMS.MediaType))
    g.add((DCTERMS.MediaType, RDFS.subClassOf, DCTERMS.MediaTypeOrExtent))


def _media_type(g: Graph, node: URIRef, predicate: URIRef, media: str) -> None:
    """An IANA media type by its IRI, labelled with its name (what a portal shows)."""
    iri = URIRef(IANA + media)
    _add(g, node, predicate, iri, DCTERMS.MediaType)
    g.add((iri, RDFS.label, Literal(media)))


def _distribution(
    g: Graph,
    base: str,
    site: str,
    dataset: URIRef,
    dump: dict,
    release_id: str | None,
    modified: Literal | None,
    description: tuple[str, str] | None = None,
) -> None:
    """One dump file: where to get it, its format (and compression), size and SHA-256; by default
    described as the whole release. The download URL names the release (its bytes never change,
    so it stays citable and caches may keep it for good); the access URL is the current one."""
    name = dump["name"]
    dist, url = URIRef(f"{base}catalog#dump-{name}"), URIRef(f"{site}dumps/{name}")
    download = URIRef(f"{site}dumps/{release_id}/{name}") if release_id else url
    stem, _, last = name.rpartition(".")
    inner = from_suffix(stem.rpartition(".")[2], "graph", "dataset") if last in COMPRESSED else None
    media = inner.media_type if inner else dump["media_type"]
    fmt = find_media_type(media, "graph", "dataset")
    shown = (fmt.label if fmt else media) + (", gzip" if inner else "")
    quads = media in ("application/n-quads", "application/trig")
    _add(g, dataset, DCAT.distribution, dist, DCAT.Distribution)
    g.add((dist, DCTERMS.title, Literal(f"Dump {name}", lang="en")))
    _texts(
        g,
        dist,
        DCTERMS.description,
        *description
        or (
            f"Seluruh data rilis ini sebagai {shown}"
            + (", dengan graf bernama." if quads else " (gabungan semua graf)."),
            f"The whole release as {shown}"
            + (", with its named graphs." if quads else " (all graphs merged)."),
        ),
    )
    _add(g, dist, DCAT.accessURL, url, RDFS.Resource)
    _add(g, dist, DCAT.downloadURL, download, RDFS.Resource)
    _media_type(g, dist, DCAT.mediaType, media)
    if fmt and fmt.file_type:
        _format(g, dist, fmt.file_type, fmt.label, media)
    if inner:
        _media_type(g, dist, DCAT.compressFormat, COMPRESSED[last])
    g.add(
        (
            dist,
            DCAT.byteSize,
            Literal(dump["size"] if "size" in dump else dump["bytes"], datatype=XSD.nonNegativeInteger),
        )
    )
    _licence(g, dist)
    _add(g, dist, DCATAP_AVAILABILITY, AVAILABILITY, SKOS.Concept)
    g.add((AVAILABILITY, SKOS.prefLabel, Literal("Available", lang="en")))
    checksum = URIRef(f"{base}catalog#sha256-{name}")
    _add(g, dist, SPDX.checksum, checksum, SPDX.Checksum)
    _add(g, checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
    g.add((checksum, SPDX.checksumValue, Literal(dump["sha256"], datatype=XSD.hexBinary)))
    if modified is not None:
        g.add((dist, DCTERMS.modified, modified))


def _service(g: Graph, base: str, site: str, dataset: URIRef, service: URIRef, figures: Figures) -> None:
    """The SPARQL endpoint, as a data service and as the access service of a distribution.
    The service names no publisher of its own (the catalog's is its publisher): ckanext-dcat
    2.4.4 harvests a service's publisher as a list its own serializer then cannot write."""
    dist, endpoint = URIRef(base + "catalog#sparql"), URIRef(site + "sparql")
    _add(g, dataset, DCAT.distribution, dist, DCAT.Distribution)
    g.add((dist, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    _texts(
        g,
        dist,
        DCTERMS.description,
        "Kueri SPARQL 1.1 atas data rilis terkini (graf bawaan: gabungan semua graf).",
        "SPARQL 1.1 queries over the current release (default graph: all graphs merged).",
    )
    _add(g, dist, DCATAP_AVAILABILITY, AVAILABILITY, SKOS.Concept)
    _format(g, dist, "SPARQLQ", "SPARQL", None)
    _add(g, dist, DCAT.accessURL, endpoint, RDFS.Resource)
    _add(g, dist, DCAT.accessService, service, DCAT.DataService)
    _licence(g, dist)
    _texts(g, service, DCTERMS.title, "Titik akhir SPARQL KKB", "KKB SPARQL endpoint")
    _add(g, service, DCAT.endpointURL, endpoint)
    _add(g, service, DCAT.endpointDescription, endpoint)  # the service description is there
    _add(g, service, DCAT.servesDataset, dataset)
    _add(g, service, DCTERMS.conformsTo, SPARQL_PROTOCOL, DCTERMS.Standard)
    _licence(g, service)


def _event_stream(g: Graph, base: str, site: str, catalog: URIRef, dataset: URIRef) -> None:
    """The Linked Data Event Stream of the dataset's versions, as a data service of the catalog
    (not a distribution: a portal lists no resource for it); ``/ldes`` is its root."""
    stream = Minter(base).stream()
    _add(g, catalog, DCAT.service, stream, DCAT.DataService)
    g.add((stream, RDF.type, URIRef("https://w3id.org/ldes#EventStream")))
    _texts(
        g, stream, DCTERMS.title, "Aliran peristiwa data tertaut (LDES) KKB", "KKB Linked Data Event Stream"
    )
    _add(g, stream, DCAT.endpointURL, URIRef(site + "ldes"), RDFS.Resource)
    _add(g, stream, DCAT.endpointDescription, URIRef(site + "ldes"))  # the root describes it
    _add(g, stream, DCAT.servesDataset, dataset)
    _add(g, stream, DCTERMS.conformsTo, URIRef("https://w3id.org/ldes/specification"), DCTERMS.Standard)
    _licence(g, stream)


def describe_void(site: str, base_iri: str, release: dict, figures: Figures) -> Graph:
    """VoID: size, partitions by class and property, endpoint, dumps, examples, vocabularies,
    linksets and named graphs (with their sizes in the release manifest)."""
    g = _graph()
    dataset = URIRef(site + ".well-known/void#dataset")
    _add(g, dataset, RDF.type, VOID.Dataset)
    _texts(g, dataset, DCTERMS.title, *dataset_title(figures))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, FOAF.homepage, URIRef(site)))
    for figure, n in (
        (VOID.triples, figures.triples),
        (VOID.entities, figures.entities),
        (VOID.distinctSubjects, figures.distinct_subjects),
        (VOID.distinctObjects, figures.distinct_objects),
        (VOID.classes, len(figures.classes)),
        (VOID.properties, len(figures.properties)),
    ):
        g.add((dataset, figure, Literal(n, datatype=XSD.integer)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(site + "sparql")))
    g.add((dataset, VOID.uriSpace, Literal(base_iri + "id/")))
    g.add((dataset, VOID.rootResource, URIRef(base_iri + "catalog#dataset")))
    for prefix in ("kkb", "skos", "org", "prov", "schema", "dcterms", "geo", "geosparql", "owl", "foaf"):
        g.add((dataset, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for dump in release.get("dumps", []):
        g.add((dataset, VOID.dataDump, URIRef(f"{site}dumps/{dump['name']}")))
        fmt = find_media_type(dump["media_type"], "graph", "dataset")
        if fmt and fmt.w3c_iri:
            g.add((dataset, VOID.feature, URIRef(fmt.w3c_iri)))
    for example in figures.examples:
        g.add((dataset, VOID.exampleResource, URIRef(example)))
    for i, (cls, n) in enumerate(sorted(figures.classes.items())):
        part = URIRef(f"{site}.well-known/void#class-{i}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for i, (prop, n) in enumerate(sorted(figures.properties.items())):
        part = URIRef(f"{site}.well-known/void#property-{i}")
        g.add((dataset, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for linkset in figures.linksets:
        _linkset(g, dataset, linkset)
    for name, n in sorted(release.get("graphs", {}).items()):  # each dereferences: /graph/{name}
        if n:
            graph = URIRef(f"{base_iri}graph/{name}")
            _add(g, dataset, VOID.subset, graph, SD.NamedGraph)
            g.add((graph, VOID.triples, Literal(n, datatype=XSD.integer)))
    return g


def _linkset(g: Graph, dataset: URIRef, linkset: Linkset) -> None:
    """A linkset of the data (to Wikidata) as a subset of the dataset, as VoID describes one."""
    node = URIRef(linkset.iri)
    g.add((dataset, VOID.subset, node))
    _add(g, node, RDF.type, VOID.Linkset)
    g.add((node, VOID.subjectsTarget, dataset))
    g.add((node, VOID.objectsTarget, URIRef(linkset.target)))
    g.add((node, VOID.linkPredicate, URIRef(linkset.predicate)))
    g.add((node, VOID.triples, Literal(linkset.triples, datatype=XSD.integer)))
    _texts(g, node, RDFS.label, *linkset.labels)
    if linkset.date:
        g.add((node, DCTERMS.date, Literal(linkset.date, datatype=XSD.date)))


def _utc(created: str) -> str:
    """The release's build time as an xsd:dateTime in UTC, to the second."""
    when = dt.datetime.fromisoformat(created).astimezone(dt.UTC).replace(microsecond=0)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(g: Graph, s: URIRef, p: URIRef, o: Node, cls: URIRef | None = None) -> None:
    """Add a triple and, for DCAT-AP's class-constrained objects, type the object."""
    g.add((s, p, o))
    if cls is not None:
        g.add((o, RDF.type, cls))


def _texts(g: Graph, s: URIRef, p: URIRef, indonesian: str, english: str) -> None:
    g.add((s, p, Literal(indonesian, lang="id")))
    g.add((s, p, Literal(english, lang="en")))


def _graph() -> Graph:
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace, replace=True)
    g.bind("dcatap", "http://data.europa.eu/r5r/")
    return g


__all__ = [
    "DATASETS_PER_PAGE",
    "REFERENCE_DUMP",
    "Figures",
    "Linkset",
    "PageNotFound",
    "Paging",
    "describe_catalog",
    "describe_void",
]
