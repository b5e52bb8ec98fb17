DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> skos:notation ?c } ; INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> skos:notation "62.04.06.2099" }
