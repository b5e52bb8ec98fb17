INSERT DATA { <https://w3id.org/kkb/id/regency/62.04> owl:sameAs <http://dbpedia.org/resource/South_Barito_Regency> }
