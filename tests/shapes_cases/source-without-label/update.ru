DELETE WHERE { <https://w3id.org/kkb/id/source/antara-buntok-kkb> rdfs:label ?l }
