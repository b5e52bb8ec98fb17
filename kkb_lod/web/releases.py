"""The served releases as versions of the dataset: ``/releases/<id>`` and ``/changes``.

``/releases/<id>`` describes a release this server serves (its id, creation, version, the
release it follows, its dumps and change-set files, where its pages and SPARQL endpoint are), as a
page or RDF by content negotiation: the current one, or an older one served read-only under
``/releases/<id>/`` (:mod:`kkb_lod.web.archive`); any other id is a 404 naming the served ones,
and ``/releases/<current id>/…`` sends to the current paths.

``/changes`` says what the release changed against the one it follows, per kind of resource,
with links to the first resources of each list, or that nothing changed, or that it is a first
release. Everything comes from the manifest and
``changes.json`` (:mod:`kkb_lod.changes`): no request reaches the store or the file system by
a path of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from werkzeug.exceptions import NotFound

from kkb_lod import changes as change_sets
from kkb_lod.formats import Format, for_kind
from kkb_lod.web import archive
from kkb_lod.web._pages import local_url, minter, release, remembered, server_url, url
from kkb_lod.web.catalog import site
from kkb_lod.web.resources import document

bp = Blueprint("releases", __name__)
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's knows no dcat:version)
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: Kinds of resources, as the page names them (id, en).
KIND_NAMES = {
    "units": ("Wilayah administrasi", "Administrative units"),
    "kkb": ("Kampung KB", "Quality Family Villages"),
    "activities": ("Kegiatan", "Activities"),
    "links": ("Tautan Wikidata", "Wikidata links"),
    "classifications": ("Klasifikasi (per catatan tahunan)", "Classifications (per annual record)"),
}


def release_iri(release_id: str) -> str:
    """The IRI of a release: ``{base}releases/{id}``."""
    return f"{minter().base}releases/{release_id}"


def change_set(made: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``changes`` ({} for a release built before change sets)."""
    found = made.get("changes")
    return found if isinstance(found, dict) else {}


def notes(made: dict[str, Any]) -> tuple[str, str]:
    """What the release changed, in a sentence (id, en)."""
    found = made.get("changes")
    if not isinstance(found, dict):
        return ("Rilis ini tidak mencatat perubahannya.", "This release records no change set.")
    if not found.get("previous"):
        return (
            "Rilis pertama: tidak ada rilis sebelumnya untuk dibandingkan.",
            "First release: there is no previous release to compare with.",
        )
    added, removed = found.get("added", 0), found.get("removed", 0)
    if not added and not removed:
        return (
            f"Tidak ada perubahan dibanding rilis {found['previous']}.",
            f"No change against release {found['previous']}.",
        )
    return (
        f"Dibanding rilis {found['previous']}: {added} pernyataan ditambahkan, {removed} dihapus.",
        f"Against release {found['previous']}: {added} statements added, {removed} removed.",
    )


def describe_release(made: dict[str, Any], site: str) -> Graph:
    """The release as a DCAT dataset version: id, creation, version, the one before, notes,
    and its dumps and change-set files as distributions with their checksums."""
    graph = Graph(bind_namespaces="rdflib")
    graph.bind("adms", ADMS)
    graph.bind("spdx", SPDX)
    rid = made["id"]
    node = URIRef(release_iri(rid))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(rid)))
    graph.add((node, DCTERMS.isVersionOf, URIRef(f"{minter().base}catalog#dataset")))
    if made.get("created"):
        graph.add((node, DCTERMS.issued, Literal(made["created"], datatype=XSD.dateTime)))
    graph.add((node, DCAT.version, Literal(str(made.get("version", 1)))))
    if made.get("previous"):
        graph.add((node, DCAT.previousVersion, URIRef(release_iri(made["previous"]))))
    for lang, text in zip(("id", "en"), notes(made), strict=True):
        graph.add((node, ADMS.versionNotes, Literal(text, lang=lang)))
    found = change_set(made)
    for entry in [*made.get("dumps", []), *found.get("files", [])]:
        dist = URIRef(f"{release_iri(rid)}#{entry['name']}")
        graph.add((node, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(entry["name"])))
        graph.add((dist, DCAT.downloadURL, URIRef(f"{site}dumps/{rid}/{entry['name']}")))
        graph.add(
            (
                dist,
                DCAT.mediaType,
                URIRef(f"https://www.iana.org/assignments/media-types/{entry['media_type']}"),
            )
        )
        graph.add((dist, DCAT.byteSize, Literal(entry["size"], datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        graph.add((dist, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(entry["sha256"], datatype=XSD.hexBinary)))
    return graph


def _draw(fmt: Format, lang: str, template: str, made: dict[str, Any] | None = None, **view: Any) -> str:
    made = made or release()
    if fmt.kind != "page":
        return describe_release(made, site()).serialize(format=fmt.rdflib)
    return render_template(
        template, lang=lang, made=made, notes=notes(made)[lang != "id"], formats=for_kind("graph"), **view
    )


def _served() -> dict[str, Any]:
    made = release()
    if not made.get("id"):
        raise NotFound(
            "this server answers from a store that may change (sparql_url): it serves no release of its own"
        )
    return made


def _not_served(release_id: str) -> NotFound:
    """The 404 of a release this server does not serve, naming those it does."""
    served, older = _served()["id"], list(archive.served(current_app))
    if not older:
        return NotFound(
            f"release {release_id!r} is not served here; the release served is {served!r}: /releases/{served}"
        )
    return NotFound(
        f"release {release_id!r} is not served here; the releases served are {served!r} (current) and "
        f"{', '.join(repr(o) for o in older)} (read-only): /releases/{served}, "
        + ", ".join(f"/releases/{o}" for o in older)
    )


def _places(made: dict[str, Any]) -> dict[str, str]:
    """Where the release's landing page, SPARQL endpoint, changes and files are on this server:
    this app's paths for its own release, under ``/releases/<id>/`` for another one."""
    rid = made["id"]
    if rid == release().get("id"):
        return {
            "home": url("/"),
            "sparql": url("/sparql"),
            "changes": url("/changes"),
            "dumps": url(f"/dumps/{rid}/"),
        }
    under = server_url(f"/releases/{rid}/")
    return {
        "home": under,
        "sparql": under + "sparql",
        "changes": under + "changes",
        "dumps": under + "dumps/",
    }


@bp.get("/releases/<release_id>")
def release_page(release_id: str) -> Response:
    """A served release, the current one or an older one, as a page or RDF (``Accept`` or
    ``?format=``)."""
    current = _served()
    made = current if release_id == current["id"] else archive.served(current_app).get(release_id)
    if made is None:
        raise _not_served(release_id)
    return document(
        f"/releases/{release_id}",
        f"/releases/{release_id}|{site()}",  # one per release served
        None,
        lambda fmt, lang: _draw(
            fmt,
            lang,
            "release.html",
            made,
            places=_places(made),
            current=current["id"],
            served=[current["id"], *archive.served(current_app)],
        ),
        suffix_routes=False,
    )


@bp.route("/releases/<release_id>/", defaults={"rest": ""}, methods=["GET", "POST"])
@bp.route("/releases/<release_id>/<path:rest>", methods=["GET", "POST"])
def under_release(release_id: str, rest: str) -> Response:
    """Below a release's path: the current release's are its usual paths (307, so a POST to
    its ``/sparql`` stays one; temporary: once a newer release is built, they are its archive's).
    An older release served answers before this (:class:`kkb_lod.web.archive.Archive`)."""
    if release_id != _served()["id"]:
        raise _not_served(release_id)
    query = request.query_string.decode("latin-1")
    path = rest.lstrip("/")  # never "//host": a redirect off this server
    location = f"{request.script_root}/{path}" + (f"?{query}" if query else "")
    # temporary: once a newer release is built, these paths are this release's archive
    response = Response(f"See {location}\n", 307, {"Location": location, "Cache-Control": "no-cache"})
    return response


@bp.get("/changes")
@bp.get("/changes.<suffix>")
def changes_page(suffix: str | None = None) -> Response:
    """What the served release changed against the one before, as a page or RDF."""
    made = _served()
    listed = remembered(("changes.json",), lambda: _listing(made))
    return document(
        "/changes",
        f"/changes|{site()}",
        suffix,
        lambda fmt, lang: _draw(
            fmt, lang, "changes.html", kinds=_kinds(made, listed, lang), graphs=listed.get("graphs", {})
        ),
    )


def _listing(made: dict[str, Any]) -> dict[str, Any]:
    return change_sets.listing(Path(made["path"])) if made.get("path") else {}


def _kinds(made: dict[str, Any], listed: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Per kind: its name, counts and the resources listed (IRI, local link) per status."""
    found = change_set(made)
    counts = found.get("resources", {})
    shown = listed.get("listed", {})
    return [
        {
            "kind": kind,
            "name": KIND_NAMES[kind][lang != "id"],
            "counts": {s: int(counts.get(kind, {}).get(s, 0)) for s in change_sets.STATUSES},
            "listed": {
                s: [(iri, local_url(iri)) for iri in shown.get(kind, {}).get(s, [])]
                for s in change_sets.STATUSES
            },
        }
        for kind in change_sets.KINDS
    ]
