DELETE WHERE { kkb:fungsiEkonomi skos:notation ?n } ; INSERT DATA { kkb:fungsiEkonomi skos:notation "9" }
