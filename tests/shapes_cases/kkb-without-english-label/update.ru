DELETE { <https://w3id.org/kkb/id/kkb/62.04.06.2020> rdfs:label ?l } WHERE { <https://w3id.org/kkb/id/kkb/62.04.06.2020> rdfs:label ?l FILTER(lang(?l) = "en") }
