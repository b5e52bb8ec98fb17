INSERT DATA { <https://w3id.org/kkb/id/post/kepala-dppkbp3a-barito-selatan> org:heldBy <https://w3id.org/kkb/id/district/62.04.06> }
