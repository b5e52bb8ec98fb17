"""The dataset described for harvesters: DCAT 3 / DCAT-AP 3 catalog and VoID. Pure.

Built from the release manifest (dumps, sizes, checksums, build time) and figures the web layer
counted through SPARQL, under the URL the server is reached at (``site``), so a harvester gets
download links that work wherever the server runs. Every object a DCAT-AP 3 shape constrains by
class is typed here, so the catalog conforms without inference (``tests/test_web_catalog.py``
checks it against the official shapes). Controlled values are the EU vocabularies DCAT-AP names
(data theme, language, file type, planned availability), ADMS publisher and licence types, and
IANA media types; places are our own IRIs. Nothing is invented: no e-mail address is known, so
the contact point gives the landing page.

DCAT-AP 2.1.1 cannot be met at the same time on two points, both by design of 3.0: it wants
``dcat:byteSize`` as ``xsd:decimal`` (3.0: ``xsd:nonNegativeInteger``) and SHA-1 checksums only
(we publish SHA-256). Everything else of 2.1.1 is met, recommended properties included, but for
a bounding box of the regency, which no source gives us.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kkb_lod.formats import from_suffix
from kkb_lod.names import bare_name, english_name
from kkb_lod.vocab import (
    DCAT,
    DCTERMS,
    FOAF,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    VOID,
    XSD,
)

IANA = "http://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
LICENSE = URIRef("http://creativecommons.org/licenses/by/4.0/")
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
#: By media type: the W3C format name (``http://www.w3.org/ns/formats/…``, for ``void:feature``)
#: and the EU file type (``…/authority/file-type/…``, for ``dcterms:format``).
RDF_FORMATS = {
    "text/turtle": ("Turtle", "RDF_TURTLE"),
    "application/n-triples": ("N-Triples", "RDF_N_TRIPLES"),
    "application/n-quads": ("N-Quads", "RDF_N_QUADS"),
    "application/trig": ("TriG", "RDF_TRIG"),
    "application/ld+json": ("JSON-LD", "JSON_LD"),
    "application/rdf+xml": ("RDF_XML", "RDF_XML"),
}
COMPRESSED = {"gz": "application/gzip"}


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


def describe_catalog(site: str, release: dict, figures: Figures) -> Graph:
    """DCAT-AP 3: the catalog, the dataset, a distribution per dump, and the SPARQL service."""
    g = _graph()
    catalog, dataset = URIRef(site + "catalog"), URIRef(site + "catalog#dataset")
    service = URIRef(site + "sparql")
    created = Literal(_utc(release["created"]), datatype=XSD.dateTime) if release.get("created") else None
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
    _add(g, catalog, DCAT.dataset, dataset)
    _add(g, catalog, DCAT.service, service)
    _common(g, catalog, figures, created)

    _add(g, dataset, RDF.type, DCAT.Dataset)
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
    _common(g, dataset, figures, created)
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
        period = URIRef(site + "catalog#period")
        _add(g, dataset, DCTERMS.temporal, period, DCTERMS.PeriodOfTime)
        g.add((period, DCAT.startDate, Literal(min(figures.years), datatype=XSD.gYear)))
        g.add((period, DCAT.endDate, Literal(max(figures.years), datatype=XSD.gYear)))
    contact = URIRef(site + "catalog#contact")
    _add(g, dataset, DCAT.contactPoint, contact, VCARD.Kind)
    g.add((contact, VCARD.fn, Literal(figures.publisher_name)))
    _add(g, contact, VCARD.hasURL, URIRef(site), RDFS.Resource)
    for dump in release.get("dumps", []):
        if dump["name"] != REFERENCE_DUMP:
            _distribution(g, site, dataset, dump, release.get("id"), created)
    _service(g, site, dataset, service, figures)
    if figures.reference_units:
        _reference_dataset(g, site, catalog, release, figures, created)
    return g


def _reference_dataset(
    g: Graph, site: str, catalog: URIRef, release: dict, figures: Figures, created: Literal | None
) -> None:
    """The whole country's official units (graph ``reference``): a dataset of its own, with its
    dump and the SPARQL endpoint (the graph named) as distributions."""
    dataset = URIRef(site + "catalog#reference")
    n = figures.reference_units

    def ribu(number: int) -> str:  # Indonesian groups thousands with a dot
        return f"{number:,}".replace(",", ".")

    _add(g, catalog, DCAT.dataset, dataset, DCAT.Dataset)
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
    _common(g, dataset, figures, created, figures.provinces)
    _add(g, dataset, DCAT.theme, THEME, SKOS.Concept)
    _add(g, dataset, DCAT.landingPage, URIRef(site), FOAF.Document)
    _add(g, dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI), DCTERMS.Standard)
    for keyword, lang in (("kode wilayah", "id"), ("Kemendagri", "id"), ("administrative divisions", "en")):
        g.add((dataset, DCAT.keyword, Literal(keyword, lang=lang)))
    contact = URIRef(site + "catalog#contact")
    _add(g, dataset, DCAT.contactPoint, contact, VCARD.Kind)
    for dump in release.get("dumps", []):
        if dump["name"] == REFERENCE_DUMP:
            _distribution(
                g,
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
    _add(g, dataset, DCAT.distribution, URIRef(site + "catalog#sparql"), DCAT.Distribution)


def _common(
    g: Graph, node: URIRef, figures: Figures, modified: Literal | None, spatial: tuple[str, ...] | None = None
) -> None:
    """Publisher, licence, languages, coverage (``figures.spatial`` unless ``spatial``) and dates,
    stated alike on catalog and datasets (the release is issued when it is built: each release is
    a new edition)."""
    publisher = URIRef(figures.publisher)
    _add(g, node, DCTERMS.publisher, publisher, FOAF.Agent)
    g.add((publisher, FOAF.name, Literal(figures.publisher_name)))
    _add(g, publisher, DCTERMS.type, PUBLISHER_TYPE, SKOS.Concept)
    g.add((PUBLISHER_TYPE, SKOS.prefLabel, Literal("Local Authority", lang="en")))
    _add(g, node, DCTERMS.license, LICENSE, DCTERMS.LicenseDocument)
    _add(g, LICENSE, DCTERMS.type, LICENSE_TYPE, SKOS.Concept)
    g.add((LICENSE_TYPE, SKOS.prefLabel, Literal("Attribution", lang="en")))
    for language in LANGUAGES:
        _add(g, node, DCTERMS.language, language, DCTERMS.LinguisticSystem)
    for place in figures.spatial if spatial is None else spatial:  # our own IRIs: no EU or
        # GeoNames identifier is needed
        _add(g, node, DCTERMS.spatial, URIRef(place), DCTERMS.Location)
        if place in figures.centroids:
            g.add((URIRef(place), DCAT.centroid, Literal(figures.centroids[place], datatype=WKT)))
    if modified is not None:
        g.add((node, DCTERMS.issued, modified))
        g.add((node, DCTERMS.modified, modified))


def _distribution(
    g: Graph,
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
    dist, url = URIRef(f"{site}catalog#dump-{name}"), URIRef(f"{site}dumps/{name}")
    download = URIRef(f"{site}dumps/{release_id}/{name}") if release_id else url
    stem, _, last = name.rpartition(".")
    inner = from_suffix(stem.rpartition(".")[2], "graph", "dataset") if last in COMPRESSED else None
    media = inner.media_type if inner else dump["media_type"]
    w3c, eu = RDF_FORMATS.get(media, (media, None))
    shown = w3c.replace("_", "/") + (", gzip" if inner else "")
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
    _add(g, dist, DCAT.mediaType, URIRef(IANA + media), DCTERMS.MediaType)
    if eu:
        _add(g, dist, DCTERMS["format"], URIRef(f"{EU}file-type/{eu}"), DCTERMS.MediaTypeOrExtent)
    if inner:
        _add(g, dist, DCAT.compressFormat, URIRef(IANA + COMPRESSED[last]), DCTERMS.MediaType)
    g.add((dist, DCAT.byteSize, Literal(dump["size"], datatype=XSD.nonNegativeInteger)))
    _add(g, dist, DCTERMS.license, LICENSE, DCTERMS.LicenseDocument)
    _add(g, dist, DCATAP_AVAILABILITY, AVAILABILITY, SKOS.Concept)
    g.add((AVAILABILITY, SKOS.prefLabel, Literal("Available", lang="en")))
    checksum = URIRef(f"{site}catalog#sha256-{name}")
    _add(g, dist, SPDX.checksum, checksum, SPDX.Checksum)
    _add(g, checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
    g.add((checksum, SPDX.checksumValue, Literal(dump["sha256"], datatype=XSD.hexBinary)))
    if modified is not None:
        g.add((dist, DCTERMS.modified, modified))


def _service(g: Graph, site: str, dataset: URIRef, service: URIRef, figures: Figures) -> None:
    """The SPARQL endpoint, as a data service and as the access service of a distribution."""
    dist = URIRef(site + "catalog#sparql")
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
    _add(g, dist, DCTERMS["format"], URIRef(EU + "file-type/SPARQLQ"), DCTERMS.MediaTypeOrExtent)
    _add(g, dist, DCAT.accessURL, service, RDFS.Resource)
    _add(g, dist, DCAT.accessService, service, DCAT.DataService)
    _add(g, dist, DCTERMS.license, LICENSE, DCTERMS.LicenseDocument)
    _texts(g, service, DCTERMS.title, "Titik akhir SPARQL KKB", "KKB SPARQL endpoint")
    _add(g, service, DCAT.endpointURL, service)
    _add(g, service, DCAT.endpointDescription, service)  # the service description is served there
    _add(g, service, DCAT.servesDataset, dataset)
    _add(g, service, DCTERMS.conformsTo, SPARQL_PROTOCOL, DCTERMS.Standard)
    _add(g, service, DCTERMS.license, LICENSE, DCTERMS.LicenseDocument)
    _add(g, service, DCTERMS.publisher, URIRef(figures.publisher), FOAF.Agent)


def describe_void(site: str, base_iri: str, release: dict, figures: Figures) -> Graph:
    """VoID: size, partitions by class and property, endpoint, dumps, examples, vocabularies."""
    g = _graph()
    dataset = URIRef(site + ".well-known/void#dataset")
    _add(g, dataset, RDF.type, VOID.Dataset)
    g.add((dataset, DCTERMS.title, Literal("Quality Family Village (KKB) registry", lang="en")))
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
    g.add((dataset, VOID.rootResource, URIRef(site + "catalog#dataset")))
    for prefix in ("kkb", "skos", "org", "prov", "schema", "dcterms", "geo", "owl", "foaf"):
        g.add((dataset, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for dump in release.get("dumps", []):
        g.add((dataset, VOID.dataDump, URIRef(f"{site}dumps/{dump['name']}")))
        if dump["media_type"] in RDF_FORMATS:
            feature = "http://www.w3.org/ns/formats/" + RDF_FORMATS[dump["media_type"]][0]
            g.add((dataset, VOID.feature, URIRef(feature)))
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
    return g


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


__all__ = ["REFERENCE_DUMP", "Figures", "describe_catalog", "describe_void"]
