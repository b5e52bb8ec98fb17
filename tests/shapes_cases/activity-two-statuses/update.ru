INSERT DATA { <https://w3id.org/kkb/id/activity/6204-pembinaan-2021> kkb:status kkb:statusDesignated }
