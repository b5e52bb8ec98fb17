INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> kkb:partOf <https://w3id.org/kkb/id/district/62.04.05> }
