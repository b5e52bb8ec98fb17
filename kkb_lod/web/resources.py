"""Linked Data: every IRI we mint dereferences here, on whatever host the server runs.

``/id/{kind}/{key}`` answers for ``{base}id/{kind}/{key}``: ASK, then describe, as Trifid does;
anything the Minter refuses or the store does not know is a 404. Cool URIs without a 303: the IRI
answers in the format ``Accept`` asks for (HTML for browsers, else Turtle, JSON-LD, RDF/XML or
N-Triples), names its document in ``Content-Location`` and every format's in ``Link``; the
suffixed URLs (``.ttl .jsonld .rdf .nt .html``) serve one format each. ``/def`` is the ontology
document, one anchor per term. Answers are kept in the page cache and carry the release's
validators (``_pages``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, render_template, request
from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, serialize
from werkzeug.exceptions import NotFound

from kkb_lod.formats import Format, for_kind
from kkb_lod.iris import IriError, ResourceRef
from kkb_lod.vocab import ONTOLOGY_IRI, PREFIXES
from kkb_lod.web import kkb
from kkb_lod.web._describe import DESCRIBE, context_queries, ontology_page, resource_page, to_graph
from kkb_lod.web._pages import cacheable, minter, page_lang, remembered, url
from kkb_lod.web._places import family_functions, place_map, place_summary
from kkb_lod.web._registry import SHOWN, part_title, registry_fields, registry_records, year_figures
from kkb_lod.web.conneg import negotiate

bp = Blueprint("resources", __name__)
KINDS = ("page", "graph")  # table order puts Turtle first: the default without Accept
SUFFIXES = frozenset(f.suffix for f in for_kind(*KINDS))
#: What a district is called on the pages of the Papua provinces, where the law says distrik.
DISTRIK = {"id": "Distrik", "en": "District (distrik)"}


@bp.get("/id/<kind>/<path:key>")
def resource(kind: str, key: str) -> Response:
    """One of our resources, in the negotiated format (or the one its suffix names)."""
    key, suffix = split_suffix(key)
    iri = f"{minter().base}id/{kind}/{key}"
    try:
        ref = minter().parse(iri)  # a unit, a KKB and its decree or years, a registry row …
    except IriError:
        raise NotFound(f"{request.path} is not an IRI of this dataset") from None
    return document(f"/id/{kind}/{key}", iri, suffix, lambda fmt, lang: _describe(iri, ref, fmt, lang))


def _constructed(query: str) -> QueryTriples:
    """The triples a CONSTRUCT of ours finds in the store."""
    answer = kkb().store.query(query)
    if isinstance(answer, (QuerySolutions, QueryBoolean)):  # a remote store's triples also pass
        raise TypeError(f"not the answer of a CONSTRUCT: {type(answer).__name__}")
    return answer


def _describe(iri: str, ref: ResourceRef, fmt: Format, lang: str) -> bytes:
    """The answer for one of our IRIs in ``fmt``: 404 if the store knows nothing about it."""
    store = kkb().store
    if not bool(store.query(f"ASK {{ <{iri}> ?p ?o }}")):
        raise NotFound(f"nothing is known about <{iri}>")
    described = list(_constructed(DESCRIBE.format(iri=iri)))
    if fmt.kind != "page":
        return _serialize(described, fmt, first=iri)
    context = to_graph(t for query in context_queries(iri, ref.kind) for t in _constructed(query))
    graph = to_graph(described)
    page = resource_page(iri, graph, context, lang)
    kind, key = ref.kind, ref.key if ref.part is None else f"{ref.key}/{ref.part}"
    part = "record" if kind == "record" else ref.part  # decree, year, row: no map, no functions
    if part:
        page["title"] = part_title(graph, iri, part, lang) or page["title"]
    summary = place_summary(iri, kind)
    if summary and summary["district_word"] == "distrik":  # the level's name in Papua
        page["types"] = _distrik(page["types"], lang)
        page["rows"] = [(p, _distrik(values, lang)) for p, values in page["rows"]]
    registry = registry_fields(iri, lang) if kind == "kkb" and not part else None
    if registry and registry["shown"]:  # shown in their own section, not again in the table
        page["rows"] = [(p, values) for p, values in page["rows"] if p["iri"] not in SHOWN]
        page["title"] = registry["heading"] or page["title"]
    records = registry_records(iri)
    if records:  # "Registri: file, sheet, row N" instead of a link named by the record's IRI
        page["sources"] = [s for s in page["sources"] if s["iri"] not in {r["iri"] for r in records}]
    return render_template(
        "resource.html",
        lang=lang,
        **page,
        path=url(f"/id/{kind}/{key}"),
        formats=for_kind("graph"),
        map=None if part else place_map(iri),
        functions=family_functions(iri, lang) if kind == "kkb" and not part else [],
        summary=summary,
        years=year_figures(lang, iri) if summary else None,
        registry=registry if registry and registry["shown"] else None,
        records=records,
    ).encode("utf-8")


def _distrik(terms: list[dict], lang: str) -> list[dict]:
    """``terms`` with the class District called as the Papua provinces call it."""
    district = url("/def#District")
    return [{**t, "text": DISTRIK[lang]} if t.get("href") == district else t for t in terms]


@bp.get("/def")
@bp.get("/def.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology document: classes, properties, the eight family functions, the statuses."""
    return document("/def", ONTOLOGY_IRI, suffix, _ontology)


def _ontology(fmt: Format, lang: str) -> bytes:
    """The ontology graph in ``fmt`` (a page in ``lang``): 404 when the store lacks it."""
    graph_iri = minter().graph("ontology")
    triples = list(_constructed(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"))
    if not triples:
        raise NotFound("the ontology is not in the store")
    if fmt.kind != "page":
        return _serialize(triples, fmt, first=ONTOLOGY_IRI)
    page = ontology_page(to_graph(triples), ONTOLOGY_IRI, lang)
    return render_template("ontology.html", lang=lang, **page, formats=for_kind("graph")).encode("utf-8")


def split_suffix(key: str) -> tuple[str, str | None]:
    """``62.04.06.2020.ttl`` → (``62.04.06.2020``, ``ttl``); a key without a format suffix is
    returned whole (the last dotted part of a code is never a suffix: suffixes are not digits)."""
    stem, _, suffix = key.rpartition(".")
    return (stem, suffix) if stem and suffix in SUFFIXES else (key, None)


def _serialize(triples: list, fmt: Format, first: str) -> bytes:
    """The triples in ``fmt``, the described resource's first and the rest grouped by subject,
    so Turtle reads as one block per resource."""
    head = NamedNode(first)
    ordered = sorted(
        triples, key=lambda t: (t.subject != head, str(t.subject), str(t.predicate), str(t.object))
    )
    assert isinstance(fmt.ox, RdfFormat)  # a graph format: kinds "page" and "graph" only
    return serialize(ordered, format=fmt.ox, prefixes=PREFIXES) or b""


def document(
    path: str,
    key: str,
    suffix: str | None,
    draw: Callable[[Format, str], str | bytes],
    suffix_routes: bool = True,
) -> Response:
    """``path`` in the format its ``suffix`` names or the request negotiates, ``draw(format,
    page language)`` kept in the page cache under ``key`` (what it describes); with every
    format's document in ``Link``, the one it is in ``Content-Location`` (when negotiated), both
    under the script root, and the release's caching headers. Without ``suffix_routes`` the
    formats are ``?format=``."""
    if suffix is not None and suffix not in SUFFIXES:
        raise NotFound(f"no format .{suffix}")
    fmt = negotiate(*KINDS, suffix=suffix)
    lang = page_lang() if fmt.kind == "page" else ""
    drawn = remembered((key, fmt.name, lang), lambda: draw(fmt, lang), page=bool(lang))
    response = Response(drawn, mimetype=fmt.media_type)
    if suffix_routes:
        path = url(path)
        response.headers["Link"] = ", ".join(
            f'<{path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in for_kind(*KINDS)
        )
        if suffix is None:
            response.headers["Content-Location"] = f"{path}.{fmt.suffix}"
    return cacheable(response, f"{key}|{fmt.name}")
