DELETE WHERE { <https://w3id.org/kkb/id/kkb/62.04.06.2020> kkb:village ?v } ; INSERT DATA { <https://w3id.org/kkb/id/kkb/62.04.06.2020> kkb:village <https://w3id.org/kkb/id/district/62.04.06> }
