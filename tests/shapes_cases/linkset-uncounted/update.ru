DELETE WHERE { <https://w3id.org/kkb/id/dataset/wikidata-links> void:triples ?n }
