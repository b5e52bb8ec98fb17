"""The dataset for harvesters and people: landing page, DCAT catalog, VoID, dumps, sitemap.

Figures come from the store through SPARQL; files come from the release's manifest only (a dump is
served by its name in the manifest, so no request path ever reaches the file system).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, send_file
from pyoxigraph import QuerySolutions
from werkzeug.exceptions import NotFound

from kkb_lod.catalog import Figures, describe_catalog, describe_void
from kkb_lod.formats import for_kind
from kkb_lod.vocab import PREFIXES
from kkb_lod.web._pages import minter, page_lang, remember_lang, settings
from kkb_lod.web.conneg import negotiate

bp = Blueprint("catalog", __name__)
KINDS = ("page", "graph")
P = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
PUBLISHER = "dppkbp3a-barito-selatan"


def _rows(query: str) -> list[dict[str, str]]:
    result = current_app.extensions["kkb_store"].query(P + query)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def figures() -> Figures:
    """What the catalog and the landing page state, counted in the store."""
    one = _rows("""SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?e) WHERE { ?s ?p ?o }""")[0]
    kkb = _rows("""SELECT (COUNT(DISTINCT ?k) AS ?n) (COUNT(DISTINCT ?d) AS ?d) WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d }""")[0]
    villages = _rows("SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE { ?v a kkb:Village }")[0]
    years = [r["y"] for r in _rows("SELECT DISTINCT ?y WHERE { ?a kkb:year ?y } ORDER BY ?y")]
    spatial = [r["r"] for r in _rows("""SELECT DISTINCT ?r WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r }""")]
    publisher = str(minter().mint("org", PUBLISHER))
    names = _rows(f"""SELECT ?n WHERE {{ <{publisher}> rdfs:label ?n FILTER(lang(?n) = "id") }}""")
    classes = {r["c"]: int(r["n"]) for r in _rows(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    properties = {r["p"]: int(r["n"]) for r in _rows(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")}
    examples = tuple(str(minter().mint(kind, key)) for kind, key in (
        ("kkb", "62.04.06.2020"), ("village", "62.04.06.2020"), ("district", "62.04.05")))
    return Figures(
        triples=int(one["t"]), entities=int(one["e"]), kkb=int(kkb["n"]),
        districts=int(kkb["d"]), villages=int(villages["n"]), years=tuple(years),
        publisher=publisher, publisher_name=names[0]["n"] if names else "kkb-lod",
        spatial=tuple(spatial), classes=classes, properties=properties, examples=examples)


@lru_cache(maxsize=8)
def _cached_figures(release_id: str, store_id: int) -> Figures:
    return figures()


def current_figures() -> Figures:
    release = current_app.extensions["kkb_release"]
    return _cached_figures(release.get("id", ""), id(current_app.extensions["kkb_store"]))


def site() -> str:
    return request.host_url


@bp.get("/")
def landing() -> Response:
    """What the dataset is, its figures, and where to go next (with schema.org JSON-LD)."""
    f = current_figures()
    release = current_app.extensions["kkb_release"]
    schema = {
        "@context": "https://schema.org/", "@type": "Dataset",
        "name": "Kampung Keluarga Berkualitas (KKB) registry, Barito Selatan",
        "description": (f"{f.kkb} Quality Family Villages in {f.districts} districts of Barito "
                        "Selatan, as linked open data."),
        "url": site(), "license": "https://creativecommons.org/licenses/by/4.0/",
        "inLanguage": ["id", "en"], "isAccessibleForFree": True,
        "keywords": ["Kampung Keluarga Berkualitas", "Bangga Kencana", "family planning"],
        "spatialCoverage": "Kabupaten Barito Selatan, Kalimantan Tengah, Indonesia",
        "temporalCoverage": "/".join(f.years[::len(f.years) - 1]) if f.years else None,
        "creator": {"@type": "GovernmentOrganization", "name": f.publisher_name},
        "distribution": [{"@type": "DataDownload", "contentUrl": f"{site()}dumps/{d['name']}",
                          "encodingFormat": d["media_type"]} for d in release.get("dumps", [])],
    }
    html = render_template("index.html", lang=page_lang(), figures=f, release=release,
                           schema=json.dumps(schema, ensure_ascii=False).replace("</", "<\\/"))
    return remember_lang(Response(html, mimetype="text/html"))


@bp.get("/catalog")
@bp.get("/catalog.<suffix>")
def catalog(suffix: str | None = None) -> Response:
    """The DCAT-AP 3 description of the catalog, dataset, distributions and SPARQL service."""
    graph = describe_catalog(site(), current_app.extensions["kkb_release"], current_figures())
    return _graph_response(graph, suffix, "Katalog DCAT", "DCAT catalogue")


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset."""
    graph = describe_void(site(), settings().base_iri, current_app.extensions["kkb_release"],
                          current_figures())
    return _graph_response(graph, None, "Deskripsi VoID", "VoID description")


def _graph_response(graph, suffix: str | None, title_id: str, title_en: str) -> Response:  # noqa: ANN001
    if suffix is not None and suffix not in {f.suffix for f in for_kind(*KINDS)}:
        raise NotFound(f"no format .{suffix}")
    fmt = negotiate(*KINDS, suffix=suffix)
    if fmt.kind == "page":
        lang = page_lang()
        text = graph.serialize(format="turtle")
        html = render_template("graph.html", lang=lang, title=title_id if lang == "id" else title_en,
                               turtle=text, path=request.path.split(".")[0],
                               formats=for_kind("graph"))
        return remember_lang(Response(html, mimetype="text/html"))
    name = {"jsonld": "json-ld", "ntriples": "nt11", "rdfxml": "xml"}.get(fmt.name, fmt.name)
    response = Response(graph.serialize(format=name), mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    """A dump file of the current release, by its name in the manifest."""
    release = current_app.extensions["kkb_release"]
    entry = next((d for d in release.get("dumps", []) if d["name"] == name), None)
    if entry is None or not release.get("path"):
        raise NotFound(f"no dump called {name!r}")
    path = Path(release["path"]) / "dumps" / entry["name"]
    response = send_file(path, mimetype=entry["media_type"], etag=entry["sha256"][:32],
                         conditional=True, download_name=entry["name"])
    response.headers["Digest"] = f"sha-256={entry['sha256']}"
    return response


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every resource page of ours, for search engines."""
    base = settings().base_iri
    rows = _rows(f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
        FILTER(STRSTARTS(STR(?s), "{base}id/")) }} ORDER BY ?s""")
    host = site().rstrip("/")
    urls = [site(), *(host + "/" + r["s"][len(base):] for r in rows if minter().owns(r["s"]))]
    body = "".join(f"<url><loc>{u}</loc></url>\n" for u in urls)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n")
    return Response(xml, mimetype="application/xml")
