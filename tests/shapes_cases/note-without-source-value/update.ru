DELETE WHERE { <https://w3id.org/kkb/id/note/kind-62-04-01-2002-antara-buntok-kkb> kkb:valueInSource ?c }
