DELETE WHERE { <https://w3id.org/kkb/id/district/62.04.06> kkb:kemendagriCode ?c } ; INSERT DATA { <https://w3id.org/kkb/id/district/62.04.06> kkb:kemendagriCode "62.04.6" }
