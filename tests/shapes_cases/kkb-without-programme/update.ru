DELETE WHERE { <https://w3id.org/kkb/id/kkb/62.04.06.2020> kkb:programme ?v }
