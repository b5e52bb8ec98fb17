"""The dataset for harvesters and people: landing page, DCAT catalog, VoID, dumps, sitemap.

Figures come from the store through SPARQL, kept in the page cache with the answers (they cannot
change within a release); the graphs are built by the pure :mod:`kkb_lod.catalog`. Files come
from the release manifest only: a dump is served by its name *as listed in the manifest*, so no
request path ever reaches the file system.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from flask import Blueprint, Response, render_template, request, send_file
from werkzeug.exceptions import BadRequest, NotFound, ServiceUnavailable

from kkb_lod.catalog import (
    Figures,
    Linkset,
    PageNotFound,
    Paging,
    area_names,
    dataset_title,
    describe_catalog,
    describe_void,
)
from kkb_lod.changes import read_lastmod
from kkb_lod.config import SettingsError, choose_publisher
from kkb_lod.formats import Format, for_kind
from kkb_lod.iris import REFERENCE
from kkb_lod.web import kkb
from kkb_lod.web._catalog_page import catalog_view, void_view
from kkb_lod.web._pages import cache_control, cacheable, minter, page_lang, release, remembered, select, url
from kkb_lod.web._places import landing_view
from kkb_lod.web.resources import document

bp = Blueprint("catalog", __name__)
EXAMPLES = (("kkb", "62.04.06.2020"), ("village", "62.04.06.2020"), ("district", "62.04.05"))


def figures() -> Figures:
    """What the catalog, VoID and the landing page state, counted in the store."""
    space = minter().base + "id/"  # checked by Settings: no quote can be in it
    one = select("""SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_)
        WHERE { ?s ?p ?o }""")[0]
    ours = select(f"""SELECT (COUNT(DISTINCT ?s) AS ?e) WHERE {{ ?s ?p ?o
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}")) }}""")[0]
    kkb = select("""SELECT (COUNT(DISTINCT ?k) AS ?n) (COUNT(DISTINCT ?d) AS ?d) WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf ?d }""")[0]
    villages = select("SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE { ?v a kkb:Village }")[0]
    years = [r["y"] for r in select("SELECT DISTINCT ?y WHERE { ?a kkb:year ?y } ORDER BY ?y")]
    places = select("""SELECT DISTINCT ?r ?lat ?long ?name ?province WHERE {
        ?k a kkb:KKBDesignation ; kkb:village/kkb:partOf/kkb:partOf ?r
        OPTIONAL { ?r geo:lat ?lat ; geo:long ?long }
        OPTIONAL { ?r rdfs:label ?name FILTER(lang(?name) = "id") }
        OPTIONAL { ?r kkb:partOf/rdfs:label ?province FILTER(lang(?province) = "id") }
        } ORDER BY ?r""")
    publisher, publisher_name, unknown = _publisher()
    classes = {
        r["c"]: int(r["n"])
        for r in select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    properties = {
        r["p"]: int(r["n"]) for r in select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    }
    graph = str(minter().graph(REFERENCE))
    levels = {
        "Province": "province",
        "RegencyOrCity": "regency",
        "District": "district",
        "Village": "village",
    }
    reference = {
        levels[r["c"].rsplit("#", 1)[1]]: int(r["n"])
        for r in select(f"""
        SELECT ?c (COUNT(?u) AS ?n) WHERE {{ GRAPH <{graph}> {{
          VALUES ?c {{ kkb:Province kkb:RegencyOrCity kkb:District kkb:Village }} ?u a ?c }}
        }} GROUP BY ?c""")
    }
    provinces = (
        tuple(
            r["u"]
            for r in select(f"""SELECT ?u WHERE {{ GRAPH <{graph}> {{
        ?u a kkb:Province }} }} ORDER BY ?u""")
        )
        if reference
        else ()
    )
    return Figures(
        reference_units=reference,
        reference_graph=graph if reference else "",
        provinces=provinces,
        triples=int(one["t"]),
        entities=int(ours["e"]),
        distinct_subjects=int(one["s_"]),
        distinct_objects=int(one["o_"]),
        kkb=int(kkb["n"]),
        districts=int(kkb["d"]),
        villages=int(villages["n"]),
        years=tuple(years),
        publisher=publisher,
        publisher_name=publisher_name,
        publisher_unknown=unknown,
        spatial=tuple(r["r"] for r in places),
        area=tuple(sorted({r["name"] for r in places if r.get("name")})),
        area_provinces=tuple(sorted({r["province"] for r in places if r.get("province")})),
        centroids={r["r"]: f"POINT({r['long']} {r['lat']})" for r in places if r["lat"]},
        classes=classes,
        properties=properties,
        examples=tuple(str(minter().mint(kind, key)) for kind, key in EXAMPLES),
        linksets=_linksets(),
    )


def _linksets() -> tuple[Linkset, ...]:
    """The linksets the store holds (the Wikidata links' ``void:Linkset``), for VoID."""
    rows = select("""SELECT ?l ?p ?target ?n (SAMPLE(?i) AS ?id) (SAMPLE(?e) AS ?en) (SAMPLE(?d) AS ?date)
        WHERE { ?l a void:Linkset ; void:linkPredicate ?p ; void:objectsTarget ?target ; void:triples ?n
          OPTIONAL { ?l rdfs:label ?i FILTER(lang(?i) = "id") }
          OPTIONAL { ?l rdfs:label ?e FILTER(lang(?e) = "en") }
          OPTIONAL { ?l dcterms:date ?d } } GROUP BY ?l ?p ?target ?n ORDER BY ?l""")
    return tuple(
        Linkset(r["l"], (r["id"] or r["en"], r["en"] or r["id"]), r["p"], r["target"], int(r["n"]), r["date"])
        for r in rows
    )


def _publisher() -> tuple[str, str, str]:
    """The IRI and Indonesian name of the organisation the ``publisher`` setting names (or the
    release's one organisation), or why there is none: the setting is needed (several
    organisations) and missing, or names none of them; then /catalog answers 503 saying so (the
    pages show no publisher). A release without organisations names kkb-lod."""
    prefix = str(minter().mint("org", "x"))[:-1]
    rows = select(f"""SELECT ?o (SAMPLE(?n) AS ?name) WHERE {{ ?o a org:Organization
        OPTIONAL {{ ?o rdfs:label ?n FILTER(lang(?n) = "id") }}
        FILTER(STRSTARTS(STR(?o), "{prefix}")) }} GROUP BY ?o""")
    names = {r["o"][len(prefix) :]: r.get("name") or r["o"] for r in rows}
    try:
        chosen = choose_publisher(kkb().settings.publisher, names)
    except SettingsError as err:
        return "", "", f"this server's publisher is not configured: {err}"
    if not chosen:
        return str(minter().mint("org", "kkb-lod")), "kkb-lod", ""
    return str(minter().mint("org", chosen)), names[chosen], ""


def current_figures() -> Figures:
    """The figures of the release this app serves, counted once (a release never changes)."""
    return remembered(("figures",), figures)


def site() -> str:
    """The public address of the server: the ``public_url`` setting, else the URL the request
    reached (behind ``trusted_proxies``, the scheme and host the client used), so links work on
    localhost and behind a proxy alike. Never an IRI's base: IRIs are minted from ``base_iri``."""
    return kkb().settings.public_url or request.url_root  # under an older release's prefix too


@bp.get("/")
def landing() -> Response:
    """What the dataset is, its figures, and where to go next (with schema.org JSON-LD)."""
    lang = page_lang()
    html = remembered(
        ("/", site(), lang),
        lambda: render_template(
            "index.html",
            lang=lang,
            figures=current_figures(),
            release=release(),
            schema=_schema_org(current_figures(), release()),
            formats=for_kind("graph"),
            **landing_view(lang),
        ),
        page=True,
    )
    return cacheable(Response(html, mimetype="text/html"), f"landing|{site()}", negotiated=False)


def _schema_org(f: Figures, made: dict) -> str:
    """schema.org ``Dataset`` for search engines, as JSON safe inside a <script> element."""
    (title_id, title_en), (area_id, area_en) = dataset_title(f), area_names(f)
    schema = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": title_en,
        "alternateName": title_id,
        "description": (
            f"{f.kkb} Quality Family Villages (Kampung Keluarga Berkualitas) in "
            f"{f.districts} districts{' of ' + area_en if area_en else ''}"
            f"{', ' + ', '.join(f.area_provinces) if f.area_provinces else ''}, "
            "Indonesia, as linked open data, with the provenance of every fact."
        ),
        "url": site(),
        "sameAs": minter().base + "catalog#dataset",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "inLanguage": ["id", "en"],
        "isAccessibleForFree": True,
        "keywords": ["Kampung Keluarga Berkualitas", "Bangga Kencana", "family planning"],
        "spatialCoverage": {
            "@type": "Place",
            "name": ", ".join([area_id, *f.area_provinces, "Indonesia"] if area_id else ["Indonesia"]),
        },
        "temporalCoverage": f"{min(f.years)}/{max(f.years)}" if f.years else None,
        "dateModified": made.get("created"),
        "creator": {"@type": "GovernmentOrganization", "name": f.publisher_name}
        if f.publisher_name
        else None,
        "distribution": [
            {
                "@type": "DataDownload",
                "contentUrl": f"{site()}dumps/{d['name']}",
                "encodingFormat": d["media_type"],
                "contentSize": str(d["size"]),
            }
            for d in made.get("dumps", [])
        ],
    }
    text = json.dumps({k: v for k, v in schema.items() if v is not None}, ensure_ascii=False)
    return text.replace("<", "\\u003c")  # no "</script>" can end the element early


@bp.get("/catalog")
@bp.get("/catalog.<suffix>")
def catalog(suffix: str | None = None) -> Response:
    """The DCAT-AP 3 description of the catalog, datasets, distributions and SPARQL service, a
    Hydra page at a time (``page``, ``modified_since``: as ckanext-dcat's catalog endpoint)."""
    try:
        paging = Paging.parse(request.args.get("page"), request.args.get("modified_since"))
    except ValueError as err:
        raise BadRequest(str(err)) from None

    if current_figures().publisher_unknown:
        raise ServiceUnavailable(current_figures().publisher_unknown)

    def draw(fmt: Format, lang: str) -> str:
        try:
            graph = describe_catalog(minter().base, site(), release(), current_figures(), paging)
        except PageNotFound as err:
            raise NotFound(str(err)) from None
        if fmt.kind != "page":
            return graph.serialize(format=fmt.rdflib)
        return _page("catalog.html", catalog_view(graph, lang), lang, "/catalog.{}" + _paged(paging))

    key = f"/catalog|{site()}|{paging.page}|{paging.modified_since}"
    return document("/catalog", key, suffix, draw)


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset (Turtle by default; any RDF format by Accept)."""
    return document(
        "/.well-known/void",
        f"/void|{site()}",
        None,
        _void,
        suffix_routes=False,
    )


def _void(fmt: Format, lang: str) -> str:
    graph = describe_void(site(), minter().base, release(), current_figures())
    if fmt.kind != "page":
        return graph.serialize(format=fmt.rdflib)
    return _page("void.html", void_view(graph, lang), lang, "/.well-known/void?format={}")


def _paged(paging: Paging) -> str:
    """The Hydra parameters of a catalog page, for the links to its RDF ("" on the first)."""
    return "" if paging == Paging() else paging.query(paging.page)


def _page(template: str, view: dict, lang: str, link: str) -> str:
    """A description as a page for people, read from its graph, with links to its RDF."""
    return render_template(
        template, lang=lang, view=view, links=[(url(link.format(f.suffix)), f) for f in for_kind("graph")]
    )


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    """A dump file of the current release, by its name in the manifest; ETag = its SHA-256.
    Cached for ``cache_max_age`` only: every release names its dumps alike (kkb.nt.gz)."""
    return _dump_file(name, cache_control())


@bp.get("/dumps/<release_id>/<name>")
def release_dump(release_id: str, name: str) -> Response:
    """The same file under its release's own path (the catalog's download URL): those bytes
    never change, so any cache may keep them for good (``immutable``)."""
    served = release().get("id")
    if release_id != served:
        raise NotFound(
            f"release {release_id!r} is not served here; the current release is "
            f"{served!r}: /dumps/{served}/{name}"
        )
    return _dump_file(name, "public, max-age=31536000, immutable")


def _dump_file(name: str, cache: str) -> Response:
    made = release()
    changed = made.get("changes")  # the change set's files are served like the dumps
    files = changed.get("files", []) if isinstance(changed, dict) else []
    entry = next((d for d in [*made.get("dumps", []), *files] if d["name"] == name), None)
    if entry is None or not made.get("path"):
        raise NotFound(f"no dump called {name!r}")
    path = Path(made["path"]) / "dumps" / entry["name"]
    response = send_file(
        path,
        mimetype=entry["media_type"],
        etag=entry["sha256"],
        conditional=True,
        download_name=entry["name"],
    )
    response.headers["Digest"] = f"sha-256={entry['sha256']}"
    response.headers["Cache-Control"] = cache
    return response


#: Most URLs one sitemap file may list (the sitemaps protocol, sitemaps.org): a release with more
#: pages (the whole country's units: over 90,000) gets a sitemap index of several files.
SITEMAP_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@bp.get("/sitemap.xml", defaults={"part": None})
@bp.get("/sitemap-<int:part>.xml")
def sitemap(part: int | None) -> Response:
    """The landing page and every resource page of ours, for search engines, in IRI order: one
    file, or an index of parts (``/sitemap-1.xml`` …) of at most :data:`SITEMAP_URLS` URLs."""
    urls, host = sitemap_urls(), site().rstrip("/")
    if part is None and len(urls) > SITEMAP_URLS:
        return _xml(
            "sitemapindex",
            "".join(
                f"<sitemap><loc>{escape(f'{host}/sitemap-{i}.xml')}</loc></sitemap>\n"
                for i in range(1, -(-len(urls) // SITEMAP_URLS) + 1)
            ),
        )
    n = 1 if part is None else part
    shown = urls[(n - 1) * SITEMAP_URLS : n * SITEMAP_URLS] if n >= 1 else []
    if not shown:
        raise NotFound(f"no sitemap part {part}")
    when = lastmod()
    return _xml(
        "urlset",
        "".join(
            f"<url><loc>{escape(host + u)}</loc>{f'<lastmod>{w}</lastmod>' if (w := when(u)) else ''}</url>\n"
            for u in shown
        ),
    )


def lastmod() -> Callable[[str], str]:
    """A page's ``lastmod``: the release in which its resource (a KKB with its parts) last
    changed, from the release's ``lastmod.tsv`` (:mod:`kkb_lod.changes`); the landing page, and
    every page of a release built before that file, the release's own time."""
    made = release()
    default, dates = remembered(("lastmod",), lambda: read_lastmod(Path(made.get("path", "."))))
    base = minter().base
    created = str(made.get("created", ""))

    def when(path: str) -> str:
        if path == "/" or not default:
            return _w3c(created)
        parts = path.split("/")
        key = "/".join(parts[:4]) if path.startswith("/id/kkb/") else path
        return _w3c(dates.get(base + key[1:], default))

    return when


def _w3c(stamp: str) -> str:
    """An ISO 8601 time as the sitemaps protocol's W3C Datetime, to the second; "" (no lastmod)
    for a stamp that is not one (a damaged lastmod.tsv must not cost the sitemap)."""
    try:
        return dt.datetime.fromisoformat(stamp).replace(microsecond=0).isoformat()
    except ValueError:
        return ""


def sitemap_urls() -> list[str]:
    """The paths of the sitemap: the landing page, then every resource of ours in IRI order.
    Asked once per release (one scan of the store: at national size, over 90,000 resources, ten
    seconds or more; paging it in SPARQL with ORDER BY/OFFSET took minutes)."""

    def scan() -> list[str]:
        base = minter().base
        rows = select(f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}id/")) }}""")
        return ["/", *sorted("/" + r["s"][len(base) :] for r in rows if minter().owns(r["s"]))]

    return remembered(("sitemap",), scan)


def _xml(root: str, body: str) -> Response:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{SITEMAP_NS}">\n{body}</{root}>\n'
    return cacheable(Response(xml, mimetype="application/xml"), f"{request.path}|{site()}", negotiated=False)
