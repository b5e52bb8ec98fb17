INSERT DATA { <https://w3id.org/kkb/id/org/bidang-pengendalian-penduduk-barito-selatan> org:unitOf <https://w3id.org/kkb/id/district/62.04.06> }
