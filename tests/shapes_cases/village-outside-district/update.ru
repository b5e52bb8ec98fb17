DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> kkb:partOf ?p }
