DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> schema:postalCode ?p } ; INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> schema:postalCode "7375" }
