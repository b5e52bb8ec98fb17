"""What linking publishes: the links graph with a VoID linkset, the review report, QuickStatements.

Links are ``owl:sameAs`` (both sides name the same administrative unit), each described by a
``kkb:EntityLink`` statement carrying its method, score and the date of the Wikidata snapshot used.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator

from rdflib import Literal, URIRef

from kkb_lod.iris import Minter
from kkb_lod.linking import Decision, Snapshot
from kkb_lod.mapping import Triple, en, id_
from kkb_lod.vocab import DCTERMS, KKB, OWL, RDF, RDFS, VOID, WD, XSD

WIKIDATA_SPARQL = URIRef("https://query.wikidata.org/sparql")


def link_triples(decisions: list[Decision], snapshot: Snapshot, mint: Minter) -> Iterator[Triple]:
    """``owl:sameAs`` for each linked unit, each link described, and the linkset with its count."""
    linkset = mint.mint("dataset", "wikidata-links")
    retrieved = snapshot.meta.get("retrieved")
    linked = [d for d in decisions if d.status == "linked"]
    for d in linked:
        unit, entity = mint.unit(d.unit.code), WD[d.qid]
        yield unit, OWL.sameAs, entity
        link = mint.mint("link", f"{d.unit.code.replace('.', '-')}-{d.qid.lower()}")
        yield link, RDF.type, KKB.EntityLink
        yield link, RDF.subject, unit
        yield link, RDF.predicate, OWL.sameAs
        yield link, RDF.object, entity
        yield link, KKB.matchMethod, Literal(d.method)
        yield link, KKB.matchScore, Literal(f"{d.score:.2f}", datatype=XSD.decimal)
        yield link, DCTERMS.isPartOf, linkset
        if retrieved:
            yield link, DCTERMS.date, Literal(retrieved, datatype=XSD.date)
        if d.note:
            yield link, RDFS.comment, Literal(d.note)
    yield linkset, RDF.type, VOID.Linkset
    yield linkset, RDFS.label, id_("Tautan wilayah ke Wikidata")
    yield linkset, RDFS.label, en("Links from administrative units to Wikidata")
    yield linkset, VOID.linkPredicate, OWL.sameAs
    yield linkset, VOID.objectsTarget, URIRef("http://www.wikidata.org/")
    yield linkset, VOID.triples, Literal(len(linked), datatype=XSD.integer)
    if snapshot.meta.get("source"):
        yield linkset, DCTERMS.source, Literal(snapshot.meta["source"])
    if retrieved:
        yield linkset, DCTERMS.date, Literal(retrieved, datatype=XSD.date)


REVIEW_COLUMNS = ("unit_code", "unit_name", "level", "status", "qid", "method", "score", "candidates", "note")


def review_rows(decisions: list[Decision]) -> list[dict[str, str]]:
    """One row per unit, for the reviewer: what was decided and what else was considered."""
    return [
        {
            "unit_code": d.unit.code,
            "unit_name": d.unit.name,
            "level": d.unit.level,
            "status": d.status,
            "qid": d.qid,
            "method": d.method,
            "score": f"{d.score:.2f}" if d.status == "linked" else "",
            "candidates": "; ".join(f"{q} ({why}, {s:.2f})" for q, why, s in d.candidates),
            "note": d.note,
        }
        for d in decisions
    ]


def review_csv(decisions: list[Decision]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, REVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(review_rows(decisions))
    return out.getvalue()


def review_html(decisions: list[Decision], snapshot: Snapshot) -> str:
    """A self-contained page: counts, then every unit, ambiguous ones first."""
    rows = sorted(
        review_rows(decisions),
        key=lambda r: (["ambiguous", "unmatched", "rejected", "linked"].index(r["status"]), r["unit_code"]),
    )
    counts = {s: sum(r["status"] == s for r in rows) for s in ("linked", "ambiguous", "unmatched")}
    cells = "".join(
        "<tr class='{}'>".format(html.escape(r["status"]))
        + "".join(f"<td>{_cell(c, r[c])}</td>" for c in REVIEW_COLUMNS)
        + "</tr>\n"
        for r in rows
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wikidata links: review</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left}}.ambiguous{{background:#fff3cd}}
.unmatched{{background:#f8f9fa}}.linked{{background:#e8f5e9}}</style></head><body>
<h1>Wikidata links: review</h1>
<p>{counts["linked"]} linked, {counts["ambiguous"]} ambiguous, {counts["unmatched"]} unmatched.
Snapshot: {html.escape(str(snapshot.meta.get("retrieved", "none")))}.
Decide in <code>data/links/overrides.csv</code> (accept / reject / set); overrides always win.</p>
<table><thead><tr>{"".join(f"<th>{c}</th>" for c in REVIEW_COLUMNS)}</tr></thead>
<tbody>
{cells}</tbody></table></body></html>
"""


def _cell(column: str, value: str) -> str:
    if column == "qid" and value:
        q = html.escape(value)
        return f'<a href="https://www.wikidata.org/wiki/{q}">{q}</a>'
    return html.escape(value)


def quickstatements(decisions: list[Decision], snapshot: Snapshot) -> str:
    """QuickStatements v1 proposing the Kemendagri code (P2588) where Wikidata lacks it.

    Only for linked units whose entity the snapshot shows without that code from Wikidata itself;
    for a human editor to review and run — never uploaded automatically.
    """
    on_wikidata = {e.qid for e in snapshot.entities if e.code and e.code_source in ("", "P2588")}
    lines = []
    for d in decisions:
        if d.status == "linked" and d.qid not in on_wikidata:
            lines.append(f'{d.qid}\tP2588\t"{d.unit.code}"')
    return "\n".join(lines) + ("\n" if lines else "")
