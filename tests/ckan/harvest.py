"""Harvest kkb-lod's /catalog as a CKAN portal does; run inside the CKAN environment (.venv-ckan).

Usage: python harvest.py URL LOCALE PROFILE[,PROFILE...]
Fetches URL (a /catalog) in every RDF format, parses each with ckanext-dcat's RDFParser (the given
profiles, CKAN's stock licence register, default settings but ``ckan.locale_default``), serialises
every harvested dataset again with the euro_dcat_ap_3 serializer, and prints JSON:
{"licences": [ids of the stock register], "formats": {media type: {"datasets": [...],
"next_page": url|null, "serialised": [turtle, ...]}}}.
"""

import json
import sys
import urllib.request

from ckan.common import config

FORMATS = ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples")


def main(url, locale, profiles):
    config["ckan.locale_default"] = locale
    from ckan.model.license import LicenseRegister
    from ckanext.dcat.processors import RDFParser, RDFSerializer

    out = {}
    for media_type in FORMATS:
        request = urllib.request.Request(url, headers={"Accept": media_type})
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read().decode("utf-8")
        parser = RDFParser(profiles=profiles)
        parser.parse(data, _format=media_type)
        datasets = list(parser.datasets())
        serialised = [
            RDFSerializer(profiles=["euro_dcat_ap_3"]).serialize_dataset(d, "turtle") for d in datasets
        ]
        out[media_type] = {"datasets": datasets, "next_page": parser.next_page(), "serialised": serialised}
    licences = sorted(LicenseRegister().keys())
    json.dump({"licences": licences, "formats": out}, sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3].split(","))
