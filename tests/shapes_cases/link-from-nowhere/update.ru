DELETE WHERE { <https://w3id.org/kkb/id/link/62-04-q14391> rdf:subject ?s }
