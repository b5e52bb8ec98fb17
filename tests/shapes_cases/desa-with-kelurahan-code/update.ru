DELETE WHERE { <https://w3id.org/kkb/id/village/62.04.01.1003> a kkb:Kelurahan } ; INSERT DATA { <https://w3id.org/kkb/id/village/62.04.01.1003> a kkb:Desa }
