DELETE WHERE { <https://w3id.org/kkb/id/link/62-04-q14391> kkb:matchScore ?m } ; INSERT DATA { <https://w3id.org/kkb/id/link/62-04-q14391> kkb:matchScore 0.5 }
