"""Indonesian and English names of the external terms our pages show, so a page shows words
rather than IRIs even for terms the store has no label for (rdf:type, prov:wasDerivedFrom …).

Our own terms are labelled in the ontology (the store); this table is only the fallback.
"""

from __future__ import annotations

_DCT = "http://purl.org/dc/terms/"
_GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
_ORG = "http://www.w3.org/ns/org#"
_OWL = "http://www.w3.org/2002/07/owl#"
_PROV = "http://www.w3.org/ns/prov#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SDO = "https://schema.org/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_FOAF = "http://xmlns.com/foaf/0.1/"

#: IRI → (Indonesian, English).
TERMS: dict[str, tuple[str, str]] = {
    _RDF + "type": ("jenis", "type"),
    _RDF + "subject": ("subjek", "subject"),
    _RDF + "object": ("objek", "object"),
    _RDFS + "label": ("label", "label"),
    _RDFS + "comment": ("keterangan", "comment"),
    _RDFS + "seeAlso": ("lihat juga", "see also"),
    _OWL + "sameAs": ("sama dengan", "same as"),
    _PROV + "wasDerivedFrom": ("berasal dari", "derived from"),
    _PROV + "atLocation": ("lokasi", "location"),
    _PROV + "wasAssociatedWith": ("pelaksana", "associated with"),
    _PROV + "Activity": ("Kegiatan (PROV)", "Activity (PROV)"),
    _PROV + "Entity": ("Entitas (PROV)", "Entity (PROV)"),
    _GEO + "lat": ("lintang", "latitude"),
    _GEO + "long": ("bujur", "longitude"),
    _SDO + "postalCode": ("kode pos", "postal code"),
    _SDO + "name": ("nama", "name"),
    _SDO + "dateline": ("tempat berita", "dateline"),
    _SDO + "locationCreated": ("tempat dibuat", "location created"),
    _SDO + "AdministrativeArea": ("Wilayah administratif (schema.org)",
                                  "Administrative area (schema.org)"),
    _SDO + "NewsArticle": ("Artikel berita", "News article"),
    _DCT + "source": ("sumber", "source"),
    _DCT + "publisher": ("penerbit", "publisher"),
    _DCT + "language": ("bahasa", "language"),
    _DCT + "spatial": ("wilayah", "spatial coverage"),
    _DCT + "date": ("tanggal", "date"),
    _SKOS + "prefLabel": ("label utama", "preferred label"),
    _SKOS + "altLabel": ("label lain", "alternative label"),
    _SKOS + "definition": ("definisi", "definition"),
    _SKOS + "notation": ("notasi", "notation"),
    _SKOS + "inScheme": ("dalam skema", "in scheme"),
    _SKOS + "topConceptOf": ("konsep puncak dari", "top concept of"),
    _SKOS + "hasTopConcept": ("konsep puncak", "top concept"),
    _SKOS + "Concept": ("Konsep", "Concept"),
    _ORG + "Organization": ("Organisasi", "Organisation"),
    _ORG + "OrganizationalUnit": ("Unit organisasi", "Organisational unit"),
    _ORG + "Post": ("Jabatan", "Post"),
    _ORG + "unitOf": ("unit dari", "unit of"),
    _ORG + "hasUnit": ("memiliki unit", "has unit"),
    _ORG + "hasSubOrganization": ("membawahi", "has sub-organisation"),
    _ORG + "subOrganizationOf": ("di bawah", "sub-organisation of"),
    _ORG + "postIn": ("jabatan di", "post in"),
    _ORG + "heldBy": ("dijabat oleh", "held by"),
    _ORG + "holds": ("menjabat", "holds"),
    _FOAF + "Person": ("Orang", "Person"),
    _FOAF + "name": ("nama", "name"),
}
