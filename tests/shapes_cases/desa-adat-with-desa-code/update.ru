DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.06.2020> a kkb:Desa } ; INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> a kkb:DesaAdat }
