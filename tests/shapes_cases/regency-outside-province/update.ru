DELETE WHERE { <https://w3id.org/kkb/id/regency/62.04> kkb:partOf ?p }
