"""The example queries of the query page: real questions researchers and data officers ask.

Each is run by a test against the bundled data (the federated one against a local server that
speaks the SPARQL protocol in Wikidata's place). ``{lang}`` in a query is replaced by the page's
language, so labels come back in the language the reader chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kkb_lod.vocab import PREFIXES

#: Where the federated example sends its SERVICE part (it must be in ``service_allowlist``).
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


@dataclass(frozen=True)
class Example:
    """An example: a stable name (its anchor), titles in both page languages, the query."""

    name: str
    title_id: str
    title_en: str
    query: str

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" else self.title_en

    def text(self, lang: str) -> str:
        """The whole query as the editor shows it: the prefixes it uses, then its body in
        ``lang`` (all of ``SPARQL_PROLOGUE`` would push the body out of sight)."""
        body = self.query.replace("{lang}", lang)
        return prologue_for(body) + "\n" + body


def prologue_for(body: str, table: dict[str, str] = PREFIXES) -> str:
    """``PREFIX`` lines for the prefixes of ``table`` (ours by default) that ``body`` uses and
    lacks."""
    used = set(re.findall(r"(?<![\w<#?$])([A-Za-z][\w-]*):", re.sub(r"<[^>]*>|#[^\n]*", "", body)))
    declared = set(re.findall(r"PREFIX\s+([\w-]*):", body, flags=re.IGNORECASE))
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in table.items() if p in used and p not in declared)


EXAMPLES: tuple[Example, ...] = (
    Example(
        "kkb-per-kecamatan",
        "Jumlah KKB per kecamatan",
        "KKB per kecamatan (district)",
        """\
SELECT ?kecamatan ?name (COUNT(?kkb) AS ?kkbs) WHERE {
  ?kkb a kkb:KKBDesignation ; kkb:village/kkb:partOf ?kecamatan .
  ?kecamatan rdfs:label ?name .
} GROUP BY ?kecamatan ?name ORDER BY DESC(?kkbs) ?name""",
    ),
    Example(
        "villages-by-function",
        "Desa menurut fungsi keluarga yang dibina",
        "Villages by family function worked on",
        """\
SELECT ?function ?name (COUNT(DISTINCT ?village) AS ?villages) WHERE {
  ?activity kkb:strengthens ?function ; kkb:guides/kkb:village ?village .
  ?function skos:notation ?n ; skos:prefLabel ?name .
  FILTER (lang(?name) = "{lang}")
} GROUP BY ?function ?name ?n ORDER BY xsd:integer(?n)""",
    ),
    Example(
        "activities-per-year",
        "Kegiatan pembinaan per tahun",
        "Guidance activities per year",
        """\
SELECT ?year ?status (COUNT(DISTINCT ?activity) AS ?activities) (COUNT(DISTINCT ?kkb) AS ?kkbGuided)
WHERE {
  ?activity a kkb:GuidanceActivity ; kkb:year ?year ; kkb:guides ?kkb ;
            kkb:status/skos:prefLabel ?status .
  FILTER (lang(?status) = "{lang}")
} GROUP BY ?year ?status ORDER BY ?year""",
    ),
    Example(
        "kkb-wikidata",
        "KKB dan butir Wikidata wilayahnya",
        "KKB with their Wikidata items",
        """\
SELECT ?kkb ?label ?village ?villageItem ?regency ?regencyItem WHERE {
  ?kkb a kkb:KKBDesignation ; rdfs:label ?label ; kkb:village ?village .
  FILTER (lang(?label) = "{lang}")
  ?village kkb:partOf/kkb:partOf ?regency .
  OPTIONAL { ?village owl:sameAs ?villageItem }
  OPTIONAL { ?regency owl:sameAs ?regencyItem }
} ORDER BY ?label""",
    ),
    Example(
        "federated-wikidata",
        "Kueri gabungan ke Wikidata: KKB menurut kode Kemendagri",
        "Federated query to Wikidata: KKB by Kemendagri code",
        f"""\
# Needs the internet: the SERVICE part runs on the Wikidata Query Service.
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?kkb ?code ?item ?wikidataName WHERE {{
  ?kkb a kkb:KKBDesignation ; kkb:village/kkb:kemendagriCode ?code .
  SERVICE <{WIKIDATA_SPARQL}> {{
    # P2588: administrative code of Indonesia; P131: located in; Q14391: Barito Selatan
    ?item wdt:P2588 ?code ; wdt:P131+ wd:Q14391 .
    OPTIONAL {{ ?item rdfs:label ?wikidataName FILTER (lang(?wikidataName) = "id") }}
  }}
}} ORDER BY ?code""",
    ),
    Example(
        "discrepancies",
        "Perbedaan antara sumber dan daftar resmi",
        "Where the source and the official list disagree",
        """\
SELECT ?note ?aspect ?inSource ?official ?used WHERE {
  ?note a kkb:SourceDiscrepancy ; kkb:aspect ?aspect ; kkb:valueInSource ?inSource ;
        kkb:valueInReference ?official ; kkb:valueUsed ?used .
} ORDER BY ?aspect""",
    ),
    Example(
        "who-said-it",
        "Siapa menyatakan apa: pernyataan sumber, jabatan dan atas nama siapa",
        "Who said it: the statements of the source, the post, on whose behalf",
        """\
SELECT ?statement ?label ?person ?post ?onBehalfOf ?office (COUNT(DISTINCT ?stated) AS ?resources)
WHERE {
  ?statement a kkb:Statement ; rdfs:label ?label ; prov:wasAttributedTo ?who ;
             prov:qualifiedAttribution [ prov:agent ?who ; prov:hadRole/rdfs:label ?post ] .
  ?who foaf:name ?person .
  FILTER (lang(?label) = "{lang}" && lang(?post) = "{lang}")
  OPTIONAL {
    ?who prov:actedOnBehalfOf ?head . ?head foaf:name ?onBehalfOf .
    OPTIONAL { ?head prov:actedOnBehalfOf/skos:prefLabel ?office FILTER (lang(?office) = "{lang}") }
  }
  OPTIONAL { ?stated prov:hadPrimarySource ?statement }  # what the statement is the source of
} GROUP BY ?statement ?label ?person ?post ?onBehalfOf ?office ORDER BY DESC(?resources) ?label""",
    ),
    Example(
        "graphs",
        "Graf bernama dan ukurannya",
        "Named graphs and their sizes",
        """\
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY DESC(?triples)""",
    ),
    Example(
        "describe-kkb",
        "Deskripsi satu KKB (graf)",
        "Describe one KKB (a graph)",
        """\
DESCRIBE <https://w3id.org/kkb/id/kkb/62.04.06.2020>""",
    ),
)
