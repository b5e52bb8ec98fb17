DELETE WHERE { <https://w3id.org/kkb/id/person/mario-barito-selatan> foaf:name ?n }
