DELETE WHERE { <https://w3id.org/kkb/id/post/kepala-dppkbp3a-barito-selatan> org:postIn ?o }
