DELETE WHERE { kkb:fungsiEkonomi skos:inScheme ?s }
