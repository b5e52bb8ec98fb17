INSERT DATA { <https://w3id.org/kkb/id/province/62> kkb:partOf <https://w3id.org/kkb/id/regency/62.04> }
