DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> geo:lat ?x } ; INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> geo:lat 48.85 }
