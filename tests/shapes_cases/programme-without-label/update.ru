DELETE WHERE { <https://w3id.org/kkb/id/programme/kampung-keluarga-berkualitas> rdfs:label ?l }
