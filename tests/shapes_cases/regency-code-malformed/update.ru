DELETE WHERE { <https://w3id.org/kkb/id/regency/62.04> kkb:kemendagriCode ?c } ; INSERT DATA { <https://w3id.org/kkb/id/regency/62.04> kkb:kemendagriCode "62.4" }
