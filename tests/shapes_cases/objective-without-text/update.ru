DELETE WHERE { <https://w3id.org/kkb/id/objective/kkb-kualitas-hidup-keluarga> rdfs:label ?l }
