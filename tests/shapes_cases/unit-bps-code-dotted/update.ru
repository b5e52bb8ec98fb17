INSERT DATA { <https://w3id.org/kkb/id/village/62.04.06.2020> kkb:bpsCode "62.04.040" }
