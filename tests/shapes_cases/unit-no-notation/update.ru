DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> skos:notation ?c }
