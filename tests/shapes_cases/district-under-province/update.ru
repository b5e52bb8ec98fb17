DELETE WHERE { <https://w3id.org/kkb/id/district/62.04.06> kkb:partOf ?p } ; INSERT DATA { <https://w3id.org/kkb/id/district/62.04.06> kkb:partOf <https://w3id.org/kkb/id/province/62> }
