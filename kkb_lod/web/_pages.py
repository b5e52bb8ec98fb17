"""Shared helpers of the HTML pages: the page language, labels in it, and links to our IRIs."""

from __future__ import annotations

from flask import current_app, request
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kkb_lod.config import Settings
from kkb_lod.iris import Minter
from kkb_lod.vocab import ONTOLOGY_IRI, PREFIXES, RDFS, SKOS

LANGS = ("id", "en")
COOKIE = "kkb_lang"


def settings() -> Settings:
    return current_app.config["KKB_SETTINGS"]


def minter() -> Minter:
    return Minter(settings().base_iri)


def page_lang() -> str:
    """``?lang=`` if given (and then remembered in a cookie), else the cookie, else Indonesian."""
    asked = request.args.get("lang") or request.cookies.get(COOKIE) or "id"
    return asked if asked in LANGS else "id"


def remember_lang(response):  # noqa: ANN001, ANN201 - a Flask response
    if request.args.get("lang") in LANGS:
        response.set_cookie(COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")
    return response


def label(graph: Graph, node: Node, lang: str) -> str:
    """The node's label in ``lang``, else in the other language, else untagged, else a short IRI."""
    found: dict[str, str] = {}
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal):
                found.setdefault(value.language or "", str(value))
    for key in (lang, *LANGS, ""):
        if key in found:
            return found[key]
    return compact(str(node)) if isinstance(node, URIRef) else str(node)


def compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def local_url(iri: str) -> str | None:
    """The path on this server that describes ``iri``, if it is one of ours."""
    base = settings().base_iri
    if iri.startswith(ONTOLOGY_IRI):
        return "/def" + (iri[len(ONTOLOGY_IRI):] if "#" in iri else "")
    if minter().owns(iri):
        return "/" + iri[len(base):]
    return None
