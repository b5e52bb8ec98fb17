DELETE WHERE { <https://w3id.org/kkb/id/link/62-04-q14391> kkb:matchMethod ?m } ; INSERT DATA { <https://w3id.org/kkb/id/link/62-04-q14391> kkb:matchMethod "guess" }
