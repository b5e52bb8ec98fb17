DELETE WHERE { <https://w3id.org/kkb/id/link/62-04-q14391> rdf:object ?o } ; INSERT DATA { <https://w3id.org/kkb/id/link/62-04-q14391> rdf:object <http://dbpedia.org/resource/South_Barito_Regency> }
