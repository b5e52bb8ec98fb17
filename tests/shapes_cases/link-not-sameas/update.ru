DELETE WHERE { <https://w3id.org/kkb/id/link/62-04-q14391> rdf:predicate ?p } ; INSERT DATA { <https://w3id.org/kkb/id/link/62-04-q14391> rdf:predicate skos:closeMatch }
