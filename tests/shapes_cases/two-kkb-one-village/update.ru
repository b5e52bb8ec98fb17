INSERT DATA { <https://w3id.org/kkb/id/kkb/62.04.06.2024> kkb:village <https://w3id.org/kkb/id/village/62.04.06.2020> }
