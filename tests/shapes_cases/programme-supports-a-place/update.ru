INSERT DATA { <https://w3id.org/kkb/id/programme/kampung-keluarga-berkualitas> kkb:supportsProgramme <https://w3id.org/kkb/id/district/62.04.06> }
