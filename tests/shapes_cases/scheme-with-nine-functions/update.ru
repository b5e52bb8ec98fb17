INSERT DATA { kkb:fungsiTambahan a kkb:FamilyFunction ; skos:inScheme kkb:FamilyFunctionScheme ; skos:notation "8" ; skos:prefLabel "Tambahan"@id, "Extra"@en }
