"""Namespaces: our own terms as a closed namespace, plus the external vocabularies we use.

``KKB`` is a :class:`~rdflib.namespace.DefinedNamespace` with ``_fail = True``: a misspelt term
(``KKB.Vilage``) fails at import time instead of publishing a dangling IRI. ``tests/test_vocab.py``
checks this list against ``ontology/kkb.ttl`` in both directions, so the code and the ontology
cannot drift apart.
"""

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

#: The ontology IRI. Terms are hash IRIs under it, so they all dereference to one document.
ONTOLOGY_IRI = "https://w3id.org/kkb/def"


class KKB(DefinedNamespace):
    """The kkb-lod ontology (``ontology/kkb.ttl``)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # Administrative units (Kemendagri hierarchy)
    AdministrativeUnit: URIRef
    Province: URIRef
    RegencyOrCity: URIRef
    Regency: URIRef  # kabupaten
    City: URIRef  # kota
    District: URIRef  # kecamatan
    Village: URIRef  # desa or kelurahan
    Desa: URIRef
    Kelurahan: URIRef
    DesaAdat: URIRef
    kemendagriCode: URIRef
    bpsCode: URIRef
    partOf: URIRef

    # Indicator observations (RDF Data Cube)
    Indicator: URIRef
    indicator: URIRef
    refArea: URIRef
    refYear: URIRef
    indicatorValue: URIRef

    # Programmes, designations and their activities
    Programme: URIRef
    StrategicObjective: URIRef
    KKBDesignation: URIRef
    GuidanceActivity: URIRef
    supportsProgramme: URIRef
    objective: URIRef
    village: URIRef
    programme: URIRef
    designatedBy: URIRef
    status: URIRef
    designationDate: URIRef
    designationYear: URIRef
    year: URIRef
    organiser: URIRef
    partner: URIRef
    partnerDescription: URIRef
    guides: URIRef
    strengthens: URIRef

    # The eight family functions (SKOS)
    FamilyFunction: URIRef
    FamilyFunctionScheme: URIRef
    fungsiKeagamaan: URIRef
    fungsiSosialBudaya: URIRef
    fungsiCintaKasih: URIRef
    fungsiPerlindungan: URIRef
    fungsiReproduksi: URIRef
    fungsiSosialisasiPendidikan: URIRef
    fungsiEkonomi: URIRef
    fungsiPembinaanLingkungan: URIRef

    # Statuses (SKOS)
    Status: URIRef
    StatusScheme: URIRef
    statusDesignated: URIRef
    statusCompleted: URIRef
    statusPlanned: URIRef

    # Provenance and data quality
    SourceDocument: URIRef
    SourceDiscrepancy: URIRef
    Statement: URIRef  # a passage of a source attributed to who stated it (PROV-O)
    sourceExcerpt: URIRef
    concerns: URIRef
    aspect: URIRef
    valueInSource: URIRef
    valueInReference: URIRef
    valueUsed: URIRef
    referenceSource: URIRef

    # Code and name history
    NameRecord: URIRef
    FormerUnit: URIRef
    earlierName: URIRef
    edition: URIRef

    # A Kampung KB's own registry entry, its yearly records and the registry rows (issue #16)
    registryId: URIRef
    kampungName: URIRef
    subVillageArea: URIRef
    inaugurationDate: URIRef
    inauguratedBy: URIRef
    Decree: URIRef
    pokjaDecree: URIRef
    decreeNumber: URIRef
    AnnualRecord: URIRef
    annualRecord: URIRef
    Classification: URIRef
    classification: URIRef
    PoktanKind: URIRef
    poktan: URIRef
    hasRumahDataKu: URIRef
    RegistryRecord: URIRef
    recordFile: URIRef
    recordSheet: URIRef
    recordRow: URIRef
    ClassificationScheme: URIRef
    klasifikasiDasar: URIRef
    klasifikasiBerkembang: URIRef
    klasifikasiMandiri: URIRef
    klasifikasiBerkelanjutan: URIRef
    klasifikasiParipurna: URIRef
    PoktanScheme: URIRef
    poktanBKB: URIRef
    poktanBKR: URIRef
    poktanBKL: URIRef
    poktanUPPKA: URIRef
    poktanPIKR: URIRef

    # Links to other datasets (Wikidata)
    EntityLink: URIRef
    matchMethod: URIRef
    matchScore: URIRef


#: Family-function slugs used in registry CSVs, in the order of the source (and of PP 87/2014).
FAMILY_FUNCTIONS: dict[str, URIRef] = {
    "keagamaan": KKB.fungsiKeagamaan,
    "sosial-budaya": KKB.fungsiSosialBudaya,
    "cinta-kasih": KKB.fungsiCintaKasih,
    "perlindungan": KKB.fungsiPerlindungan,
    "reproduksi": KKB.fungsiReproduksi,
    "sosialisasi-pendidikan": KKB.fungsiSosialisasiPendidikan,
    "ekonomi": KKB.fungsiEkonomi,
    "pembinaan-lingkungan": KKB.fungsiPembinaanLingkungan,
}

#: Status slugs used in registry CSVs.
STATUSES: dict[str, URIRef] = {
    "designated": KKB.statusDesignated,
    "completed": KKB.statusCompleted,
    "planned": KKB.statusPlanned,
}

#: Classification keys of :mod:`kkb_lod.cells` (the registry's levels, in order: notation 1-5).
CLASSIFICATION_LEVELS: dict[str, URIRef] = {
    "dasar": KKB.klasifikasiDasar,
    "berkembang": KKB.klasifikasiBerkembang,
    "mandiri": KKB.klasifikasiMandiri,
    "berkelanjutan": KKB.klasifikasiBerkelanjutan,
    "paripurna": KKB.klasifikasiParipurna,
}

#: Poktan kinds as :mod:`kkb_lod.cells` spells them (their skos:notation).
POKTAN_KINDS: dict[str, URIRef] = {
    "BKB": KKB.poktanBKB,
    "BKR": KKB.poktanBKR,
    "BKL": KKB.poktanBKL,
    "UPPKA": KKB.poktanUPPKA,
    "PIK-R": KKB.poktanPIKR,
}

DQV = Namespace("http://www.w3.org/ns/dqv#")
QB = Namespace("http://purl.org/linked-data/cube#")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
WD = Namespace("http://www.wikidata.org/entity/")
#: W3C Basic Geo. (rdflib's ``WGS`` has an https namespace, which is not the one in use.)
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
#: OGC GeoSPARQL 1.1: the boundaries of units (``geo:`` is taken by Basic Geo, hence ``geosparql:``).
GEOSPARQL = Namespace("http://www.opengis.net/ont/geosparql#")

#: One prefix table for serialisers, the SPARQL editor and HTML pages.
PREFIXES: dict[str, str] = {
    "kkb": str(KKB._NS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "prov": str(PROV),
    "org": str(ORG),
    "foaf": str(FOAF),
    "schema": str(SDO),
    "geo": str(GEO),
    "geosparql": str(GEOSPARQL),
    "dqv": str(DQV),
    "qb": str(QB),
    "sd": str(SD),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "wd": str(WD),
}

#: ``PREFIX`` lines for every prefix of :data:`PREFIXES`, to put before a SPARQL query.
SPARQL_PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())

__all__ = [
    "CLASSIFICATION_LEVELS",
    "DCAT",
    "DCTERMS",
    "DQV",
    "FAMILY_FUNCTIONS",
    "FOAF",
    "KKB",
    "OA",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "POKTAN_KINDS",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SD",
    "SDO",
    "SH",
    "SKOS",
    "SPARQL_PROLOGUE",
    "SPDX",
    "STATUSES",
    "VCARD",
    "VOID",
    "WD",
    "GEO",
    "GEOSPARQL",
    "XSD",
]

#: The ontology document, at the repository's top level (installed with ``pip install -e .``).
ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "kkb.ttl"
