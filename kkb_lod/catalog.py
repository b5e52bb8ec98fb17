"""The dataset described for harvesters: DCAT 3 / DCAT-AP 3 catalog and VoID. Pure.

Built from the release manifest (dumps, sizes, checksums, build time) and figures the web layer
obtained through SPARQL, under the URL the server is reached at (``site``), so a harvester gets
download links that work. Every object a DCAT-AP 3 shape constrains by class is typed here, so the
catalog conforms without inference (``tests/test_web_catalog.py`` checks it against the official
shapes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from kkb_lod.vocab import (
    DCAT,
    DCTERMS,
    FOAF,
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
THEME = URIRef(EU + "data-theme/SOCI")
LANGUAGES = (URIRef(EU + "language/IND"), URIRef(EU + "language/ENG"))
DUMP_TITLES = {
    "kkb.nt": "N-Triples (sorted)", "kkb.nt.gz": "N-Triples, gzip", "kkb.ttl": "Turtle",
    "kkb.jsonld": "JSON-LD", "kkb.nq": "N-Quads (named graphs)", "kkb.trig": "TriG (named graphs)",
}
MEDIA = {"kkb.nt.gz": "application/gzip"}


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
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    entities: int = 0
    examples: tuple[str, ...] = ()


def describe_catalog(site: str, release: dict, figures: Figures) -> Graph:
    """DCAT-AP 3: the catalog, the dataset, a distribution per dump, and the SPARQL service."""
    g = _graph()
    catalog, dataset = URIRef(site + "catalog"), URIRef(site + "catalog#dataset")
    service, publisher = URIRef(site + "sparql"), URIRef(figures.publisher)
    created = Literal(release.get("created", "")[:19], datatype=XSD.dateTime)
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Katalog data Kampung Keluarga Berkualitas", lang="id")))
    g.add((catalog, DCTERMS.title, Literal("Quality Family Village (KKB) data catalogue", lang="en")))
    g.add((catalog, DCTERMS.description, Literal(
        "Data terbuka tertaut registri Kampung Keluarga Berkualitas.", lang="id")))
    g.add((catalog, DCTERMS.description, Literal(
        "Linked open data of the Kampung Keluarga Berkualitas registry.", lang="en")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, FOAF.homepage, URIRef(site)))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    for language in LANGUAGES:
        g.add((catalog, DCTERMS.language, language))
    if release.get("created"):
        g.add((catalog, DCTERMS.modified, created))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(
        "Registri Kampung Keluarga Berkualitas Kabupaten Barito Selatan", lang="id")))
    g.add((dataset, DCTERMS.title, Literal(
        "Quality Family Village (KKB) registry of Barito Selatan Regency", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        f"{figures.kkb} Kampung Keluarga Berkualitas di {figures.districts} kecamatan, dengan "
        "wilayah administrasi resmi Kemendagri, kegiatan pembinaan, delapan fungsi keluarga dan "
        "asal-usul setiap fakta.", lang="id")))
    g.add((dataset, DCTERMS.description, Literal(
        f"{figures.kkb} Quality Family Villages in {figures.districts} districts, with the official "
        "Kemendagri administrative units, guidance activities, the eight family functions and "
        "the provenance of every fact.", lang="en")))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCAT.theme, THEME))
    g.add((dataset, DCAT.landingPage, URIRef(site)))
    g.add((dataset, DCAT.keyword, Literal("Kampung Keluarga Berkualitas", lang="id")))
    g.add((dataset, DCAT.keyword, Literal("Bangga Kencana", lang="id")))
    g.add((dataset, DCAT.keyword, Literal("family planning", lang="en")))
    for language in LANGUAGES:
        g.add((dataset, DCTERMS.language, language))
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
    if release.get("created"):
        g.add((dataset, DCTERMS.issued, created))
        g.add((dataset, DCTERMS.modified, created))
    for place in figures.spatial:
        g.add((dataset, DCTERMS.spatial, URIRef(place)))
        g.add((URIRef(place), RDF.type, DCTERMS.Location))
    if figures.years:
        period = URIRef(site + "catalog#period")
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(min(figures.years), datatype=XSD.gYear)))
        g.add((period, DCAT.endDate, Literal(max(figures.years), datatype=XSD.gYear)))
    contact = URIRef(site + "catalog#contact")
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(figures.publisher_name)))
    g.add((contact, VCARD.hasURL, URIRef(site)))

    for dump in release.get("dumps", []):
        dist = URIRef(f"{site}catalog#dump-{dump['name']}")
        url = URIRef(f"{site}dumps/{dump['name']}")
        media = URIRef(IANA + MEDIA.get(dump["name"], dump["media_type"]))
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"Dump: {DUMP_TITLES.get(dump['name'], dump['name'])}",
                                           lang="en")))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, media))
        g.add((media, RDF.type, DCTERMS.MediaType))
        if dump["name"].endswith(".gz"):
            nt = URIRef(IANA + "application/n-triples")
            g.add((dist, DCAT.packageFormat, nt))
            g.add((nt, RDF.type, DCTERMS.MediaType))
        g.add((dist, DCAT.byteSize, Literal(dump["size"], datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, LICENSE))
        checksum = URIRef(f"{site}catalog#sha256-{dump['name']}")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        g.add((checksum, SPDX.checksumValue, Literal(dump["sha256"], datatype=XSD.hexBinary)))
        if release.get("created"):
            g.add((dist, DCTERMS.modified, created))

    sparql_dist = URIRef(site + "catalog#sparql")
    g.add((dataset, DCAT.distribution, sparql_dist))
    g.add((sparql_dist, RDF.type, DCAT.Distribution))
    g.add((sparql_dist, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((sparql_dist, DCAT.accessURL, service))
    g.add((sparql_dist, DCAT.accessService, service))
    g.add((sparql_dist, DCTERMS.license, LICENSE))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("Titik akhir SPARQL KKB", lang="id")))
    g.add((service, DCTERMS.title, Literal("KKB SPARQL endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, service))
    g.add((service, DCAT.endpointDescription, service))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((URIRef("https://www.w3.org/TR/sparql11-protocol/"), RDF.type, DCTERMS.Standard))
    g.add((service, DCTERMS.license, LICENSE))
    g.add((service, DCTERMS.publisher, publisher))

    for document in (URIRef(site),):
        g.add((document, RDF.type, FOAF.Document))
    for url in set(g.objects(None, DCAT.accessURL)) | set(g.objects(None, DCAT.downloadURL)) | set(
            g.objects(None, DCAT.endpointURL)) | set(g.objects(None, DCAT.endpointDescription)):
        g.add((url, RDF.type, RDFS.Resource))
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    g.add((THEME, RDF.type, SKOS.Concept))
    g.add((THEME, SKOS.prefLabel, Literal("Population and society", lang="en")))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(figures.publisher_name)))
    return g


def describe_void(site: str, base_iri: str, release: dict, figures: Figures) -> Graph:
    """VoID: size, partitions by class and property, endpoint, dumps, examples, vocabularies."""
    g = _graph()
    dataset = URIRef(site + ".well-known/void#dataset")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("Quality Family Village (KKB) registry", lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, VOID.triples, Literal(figures.triples, datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(figures.entities, datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(figures.classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(figures.properties), datatype=XSD.integer)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(site + "sparql")))
    g.add((dataset, VOID.uriSpace, Literal(base_iri + "id/")))
    g.add((dataset, VOID.rootResource, URIRef(site + "catalog#dataset")))
    for prefix in ("kkb", "skos", "org", "prov", "schema", "dcterms", "geo", "owl"):
        g.add((dataset, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for dump in release.get("dumps", []):
        g.add((dataset, VOID.dataDump, URIRef(f"{site}dumps/{dump['name']}")))
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


def _graph() -> Graph:
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace, replace=True)
    return g


__all__ = ["Figures", "describe_catalog", "describe_void"]
