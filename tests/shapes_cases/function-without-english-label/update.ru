DELETE { kkb:fungsiEkonomi skos:prefLabel ?l } WHERE { kkb:fungsiEkonomi skos:prefLabel ?l FILTER(lang(?l) = "en") }
