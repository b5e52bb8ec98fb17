DELETE WHERE { <https://w3id.org/kkb/id/org/dppkbp3a-barito-selatan> rdfs:label ?l }
