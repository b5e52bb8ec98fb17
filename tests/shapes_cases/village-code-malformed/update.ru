DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> kkb:kemendagriCode ?c } ; INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> kkb:kemendagriCode "62.04.06.20" }
