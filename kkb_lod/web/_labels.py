"""Indonesian and English names of the external terms our pages show, so a page shows words
rather than IRIs even for terms the store has no label for (rdf:type, prov:wasDerivedFrom …).

Our own terms are labelled in the ontology (the store); this table is only the fallback.
"""

from __future__ import annotations

from kkb_lod.vocab import DCTERMS, FOAF, GEO, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS

#: IRI → (Indonesian, English).
TERMS: dict[str, tuple[str, str]] = {
    str(iri): names
    for iri, names in {
        RDF.type: ("jenis", "type"),
        RDF.subject: ("subjek", "subject"),
        RDF.object: ("objek", "object"),
        RDFS.label: ("label", "label"),
        RDFS.comment: ("keterangan", "comment"),
        RDFS.seeAlso: ("lihat juga", "see also"),
        OWL.sameAs: ("sama dengan", "same as"),
        PROV.wasDerivedFrom: ("berasal dari", "derived from"),
        PROV.atLocation: ("lokasi", "location"),
        PROV.wasAssociatedWith: ("pelaksana", "associated with"),
        PROV.Activity: ("Kegiatan (PROV)", "Activity (PROV)"),
        PROV.Entity: ("Entitas (PROV)", "Entity (PROV)"),
        PROV.hadPrimarySource: ("dinyatakan dalam", "stated in"),
        PROV.wasAttributedTo: ("dinyatakan oleh", "stated by"),
        PROV.actedOnBehalfOf: ("atas nama", "on behalf of"),
        PROV.qualifiedAttribution: ("atribusi", "attribution"),
        PROV.qualifiedDelegation: ("delegasi", "delegation"),
        GEO.lat: ("lintang", "latitude"),
        GEO.long: ("bujur", "longitude"),
        SDO.postalCode: ("kode pos", "postal code"),
        SDO.name: ("nama", "name"),
        SDO.dateline: ("tempat berita", "dateline"),
        SDO.locationCreated: ("tempat dibuat", "location created"),
        SDO.AdministrativeArea: ("Wilayah administratif (schema.org)", "Administrative area (schema.org)"),
        SDO.NewsArticle: ("Artikel berita", "News article"),
        DCTERMS.source: ("sumber", "source"),
        DCTERMS.publisher: ("penerbit", "publisher"),
        DCTERMS.language: ("bahasa", "language"),
        DCTERMS.spatial: ("wilayah", "spatial coverage"),
        DCTERMS.date: ("tanggal", "date"),
        SKOS.prefLabel: ("label utama", "preferred label"),
        SKOS.altLabel: ("label lain", "alternative label"),
        SKOS.definition: ("definisi", "definition"),
        SKOS.notation: ("notasi", "notation"),
        SKOS.inScheme: ("dalam skema", "in scheme"),
        SKOS.topConceptOf: ("konsep puncak dari", "top concept of"),
        SKOS.hasTopConcept: ("konsep puncak", "top concept"),
        SKOS.Concept: ("Konsep", "Concept"),
        ORG.Organization: ("Organisasi", "Organisation"),
        ORG.OrganizationalUnit: ("Unit organisasi", "Organisational unit"),
        ORG.Post: ("Jabatan", "Post"),
        ORG.unitOf: ("unit dari", "unit of"),
        ORG.hasUnit: ("memiliki unit", "has unit"),
        ORG.hasSubOrganization: ("membawahi", "has sub-organisation"),
        ORG.subOrganizationOf: ("di bawah", "sub-organisation of"),
        ORG.postIn: ("jabatan di", "post in"),
        ORG.heldBy: ("dijabat oleh", "held by"),
        ORG.holds: ("menjabat", "holds"),
        FOAF.Person: ("Orang", "Person"),
        FOAF.name: ("nama", "name"),
    }.items()
}
