DELETE WHERE { <https://w3id.org/kkb/id/province/62> kkb:kemendagriCode ?c } ; INSERT DATA { <https://w3id.org/kkb/id/province/62> kkb:kemendagriCode "6" }
