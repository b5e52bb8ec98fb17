"""What the query editor completes, from this server only: prefixes (ours and common ones), our
classes and properties (the ontology's, labelled, and the VoID partitions', counted), and
resources by label; and the short, bilingual reading of a parser's syntax error.

Both lists are built by SPARQL over the release served and kept for the release (they cannot
change within it), so a keystroke costs a lookup, never a query.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kkb_lod.vocab import PREFIXES
from kkb_lod.web._labels import TERMS
from kkb_lod.web._pages import release, remembered, select
from kkb_lod.web._results import compact

#: Well-known namespaces beyond ours that queries here often need (federated to Wikidata, shapes,
#: GeoSPARQL), as the prefix.cc and Wikidata Query Service prefixes name them.
COMMON_PREFIXES: dict[str, str] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "sh": "http://www.w3.org/ns/shacl#",
    "geosparql": "http://www.opengis.net/ont/geosparql#",
    "geof": "http://www.opengis.net/def/function/geosparql/",
    "sf": "http://www.opengis.net/ont/sf#",
    "time": "http://www.w3.org/2006/time#",
    "adms": "http://www.w3.org/ns/adms#",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "wikibase": "http://wikiba.se/ontology#",
    "bd": "http://www.bigdata.com/rdf#",
}
#: Most resources one label search answers.
MAX_HITS = 10
#: Longest label search text accepted (a place or a KKB name is far shorter).
MAX_SEARCH = 100
#: Most labels one search asks a store without a release for (ranked here afterwards).
SCAN_LIMIT = 500

SCHEMA_TYPES = """SELECT ?t ?kind (SAMPLE(?i) AS ?id) (SAMPLE(?e) AS ?en) WHERE {
  VALUES (?k ?kind) { (owl:Class "class") (rdfs:Class "class") (owl:ObjectProperty "property")
    (owl:DatatypeProperty "property") (rdf:Property "property") (owl:AnnotationProperty "property") }
  ?t a ?k FILTER(isIRI(?t))
  OPTIONAL { ?t rdfs:label ?i FILTER(lang(?i) = "id") }
  OPTIONAL { ?t rdfs:label ?e FILTER(lang(?e) = "en") }
} GROUP BY ?t ?kind"""
LABELS = """SELECT ?s ?l (SAMPLE(?c) AS ?type) WHERE {
  ?s rdfs:label|skos:prefLabel|skos:altLabel ?l FILTER(isIRI(?s))
  OPTIONAL { ?s a ?c }
} GROUP BY ?s ?l"""


def prefixes() -> dict[str, str]:
    """Ours first, then the common ones whose name and namespace are not taken."""
    found = dict(PREFIXES)
    taken = set(found.values())
    found.update({p: ns for p, ns in COMMON_PREFIXES.items() if p not in found and ns not in taken})
    return found


def completions() -> dict[str, Any]:
    """The editor's data: ``prefixes`` and ``terms`` (classes, then properties, most used first),
    each term with its short name, IRI, labels in id and en, and its count in the VoID."""
    from kkb_lod.web.catalog import current_figures  # the VoID's partitions, counted once

    def make() -> dict[str, Any]:
        figures = current_figures()
        counts = {"class": figures.classes, "property": figures.properties}
        terms: dict[tuple[str, str], dict[str, Any]] = {}
        for row in select(SCHEMA_TYPES):
            terms[(row["kind"], row["t"])] = {"id": row["id"], "en": row["en"]}
        for kind, used in counts.items():
            for iri in used:
                terms.setdefault((kind, iri), {"id": "", "en": ""})
        out: list[dict[str, Any]] = []
        for (kind, iri), label in terms.items():
            known = TERMS.get(iri, ("", ""))
            out.append(
                {
                    "name": _short(iri),
                    "iri": iri,
                    "kind": kind,
                    "label": {"id": label["id"] or known[0], "en": label["en"] or known[1]},
                    "count": counts[kind].get(iri, 0),
                }
            )
        out.sort(key=lambda t: (t["kind"] != "class", -t["count"], t["name"]))
        return {"prefixes": prefixes(), "terms": out}

    return remembered(("editor-completions",), make)


@dataclass(frozen=True)
class Named:
    """A resource's label, lowered for matching, with its IRI and one of its classes."""

    folded: str
    label: str
    iri: str
    type: str


def _index(wanted: str) -> tuple[Named, ...]:
    """Every label of the release, read once and kept; for a store that may change (no release),
    only the labels containing ``wanted``, asked of the store each time (a bounded query)."""

    def make(query: str) -> tuple[Named, ...]:
        return tuple(Named(r["l"].casefold(), r["l"], r["s"], r["type"]) for r in select(query))

    if release().get("id"):
        return remembered(("editor-labels",), lambda: make(LABELS))
    literal = json.dumps(wanted)  # a JSON string is a valid SPARQL string literal
    found = LABELS.replace("FILTER(isIRI(?s))", f"FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), {literal}))")
    return make(f"{found} LIMIT {SCAN_LIMIT}")


def search(text: str, limit: int = MAX_HITS) -> list[dict[str, str]]:
    """Resources with a label that starts with ``text``, then those with a word that does (case
    folded), shorter labels first; one hit per resource."""
    wanted = " ".join(text.casefold().split())
    if not wanted:
        return []
    ranked = []
    for n in _index(wanted):
        if n.folded.startswith(wanted):
            ranked.append((0, len(n.folded), n))
        elif f" {wanted}" in f" {n.folded}".replace("(", " ").replace("-", " "):
            ranked.append((1, len(n.folded), n))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].label, r[2].iri))
    hits: dict[str, dict[str, str]] = {}
    for _, _, n in ranked:
        if n.iri not in hits:
            hits[n.iri] = {"name": _short(n.iri), "iri": n.iri, "label": n.label, "type": _short(n.type)}
        if len(hits) == limit:
            break
    return list(hits.values())


def _short(iri: str) -> str:
    """``kkb:Village`` for a term of a known namespace, else ``<iri>`` (empty stays empty)."""
    if not iri:
        return ""
    short = compact(iri)
    return short if short != iri else f"<{iri}>"


@dataclass(frozen=True)
class SyntaxProblem:
    """Where the parser stopped (line and column from 1, in the query as the editor shows it) and
    what to tell a person there, in Indonesian and English."""

    line: int
    column: int
    text_id: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_id if lang == "id" else self.text_en


#: The parser's expected words worth repeating (the others are often a far-fetched alternative).
CLEAR_WORDS = frozenset(("BY", "WHERE", "AS", "SELECT", "CONSTRUCT", "ASK", "DESCRIBE"))
POSITION = re.compile(r"Query syntax error: error at (\d+):(\d+): ?(.*)", re.S)


def syntax_problem(message: str, query: str) -> SyntaxProblem | None:
    """The short reading of a "Query syntax error: error at L:C: expected …" message: the prefix
    not declared, the end of the query reached too early, or the word the parser did not expect
    with a few of the words it did (never the parser's character ranges); None for any other."""
    found = POSITION.match(message)
    if found is None:
        return None
    line, column, detail = int(found[1]), int(found[2]), found[3]
    lines = query.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    before, after = text[: column - 1], text[column - 1 :]
    where_id, where_en = f"Baris {line}, kolom {column}", f"Line {line}, column {column}"
    if "Prefix not found" in detail:
        name = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", before)
        prefix, column = ((name[1] or ""), name.start() + 1) if name else ("", column)
        where_id, where_en = f"Baris {line}, kolom {column}", f"Line {line}, column {column}"
        return SyntaxProblem(
            line,
            column,
            f"{where_id}: prefiks “{prefix}:” belum dideklarasikan (tambahkan PREFIX {prefix}: <…>).",
            f"{where_en}: the prefix “{prefix}:” is not declared (add PREFIX {prefix}: <…>).",
        )
    if not (after + "\n".join(lines[line:])).strip():
        return SyntaxProblem(
            line,
            column,
            f"{where_id}: kueri berakhir sebelum selesai (ada kurung atau tanda kutip yang belum ditutup?).",
            f"{where_en}: the query ends before it is complete (a bracket or quote left open?).",
        )
    # The parser stops at the furthest point it reached: the word read last is the one to show.
    near = re.search(r"(\S{1,16})\s*$", before) or re.match(r"\s*(\S{0,16})", after)
    token = near[1] if near else ""
    quoted = [q for q in re.findall(r'"((?:[^"\\]|\\.){1,12})"', detail) if "\\" not in q]
    words = [w for w in re.findall(r"(?<![\w'])[A-Z][A-Z_]+(?![\w'])", detail) if w in CLEAR_WORDS]
    expected = [*quoted, *words][:5]
    hint_id = f"; yang diharapkan misalnya: {' '.join(expected)}" if expected else ""
    hint_en = f"; expected e.g.: {' '.join(expected)}" if expected else ""
    return SyntaxProblem(
        line,
        column,
        f"{where_id}: kueri tidak dapat dibaca di dekat “{token}”{hint_id}.",
        f"{where_en}: the query cannot be read near “{token}”{hint_en}.",
    )
