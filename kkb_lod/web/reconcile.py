"""``/reconcile``: a W3C Reconciliation Service API 0.2 service over the official units, so
OpenRefine (and any 0.2 client) finds the Kemendagri code of a name: manifest, ``queries``,
``extend``, and suggest, preview, property proposals and view under ``/reconcile/``.

Candidates come from the one matcher (:mod:`kkb_lod.matching`) over the packaged national
reference, so every unit of Indonesia reconciles; KKB facts from the release served, by SPARQL.
Entity ids are Kemendagri codes (``kkb/`` + the village code for a KKB). Bad input gets a JSON
body naming the problem with a 4xx, never a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from werkzeug import Response as BaseResponse
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, RequestEntityTooLarge

from kkb_lod.iris import is_code, level_of
from kkb_lod.matching import Candidate, Entry
from kkb_lod.resolve import national_matcher
from kkb_lod.rows import UnitRow
from kkb_lod.vocab import ONTOLOGY_IRI
from kkb_lod.web import _reconcile_facts as about
from kkb_lod.web._pages import page_lang, remember_lang, settings
from kkb_lod.web._reconcile_facts import KKB_PREFIX, TYPES, Type, chain, type_of, unit_of

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

#: Most queries one request may hold (the manifest's ``batchSize``; more is a 413).
BATCH_SIZE = 100
#: Longest query text, property value or prefix accepted (a place name is far shorter).
MAX_TEXT = 200
#: Most candidates one query may ask for, and the default.
MAX_LIMIT, DEFAULT_LIMIT = 50, 5
#: Most ids one extension query may hold.
MAX_IDS = 500
#: Query properties: id → (name, what it is).
QUERY_PROPERTIES = {
    "parent": "Parent (name or code, any level)",
    "province": "Province (name or code)",
    "regency": "Regency or city (name or code)",
    "district": "District / kecamatan (name or code)",
    "kind": "Kind (desa, kelurahan, desa_adat, kabupaten, kota)",
    "postal_code": "Postal code",
    "bps_code": "BPS code (2018)",
}
PARENT_PROPERTIES = ("parent", "province", "regency", "district")
KINDS = ("desa", "kelurahan", "desa_adat", "kabupaten", "kota")


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException) -> BaseResponse:
    """Every error of the service as ``{"status": "error", "code", "message"}``: clients read
    JSON, and the message names the problem."""
    body = {"status": "error", "code": error.code, "message": error.description}
    response = error.get_response()  # its status and headers (Allow, Retry-After …)
    response.set_data(json.dumps(body) + "\n")
    response.mimetype = "application/json"
    return response


def service_url() -> str:
    return request.url_root + "reconcile"  # under the path prefix the server is reached at


@bp.route("", methods=["GET", "POST"])
def endpoint() -> Response:
    """The manifest, a batch of queries, or a data extension query."""
    given = request.form if request.method == "POST" else request.args
    if "queries" in given:
        return jsonify(reconcile_batch(_parse(given["queries"], "queries")))
    if "extend" in given:
        return jsonify(about.extend_rows(_parse(given["extend"], "extend"), MAX_IDS))
    unknown = sorted(set(given) - {"callback"})
    if unknown:
        raise BadRequest(
            f"unknown parameter(s) {', '.join(unknown)}: give 'queries' (a JSON "
            "batch of queries) or 'extend' (a JSON extension query), or nothing "
            "for the manifest"
        )
    return jsonify(manifest())


def manifest() -> dict:
    """The service manifest (version 0.2)."""
    base, url = settings().base_iri, service_url()
    return {
        "versions": ["0.2"],
        "name": "kkb-lod: Indonesian administrative units (Kemendagri 2025) and KKB",
        "identifierSpace": f"{base}id/",
        "schemaSpace": f"{ONTOLOGY_IRI}#",
        "documentation": request.url_root,
        "batchSize": BATCH_SIZE,
        "defaultTypes": [{"id": t, "name": TYPES[t].name} for t in about.DEFAULT_TYPES],
        "view": {"url": f"{url}/view/{{{{id}}}}"},
        "preview": {"url": f"{url}/preview?id={{{{id}}}}", "width": 360, "height": 220},
        "suggest": {
            kind: {"service_url": url, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": url, "service_path": "/properties"},
            "property_settings": [],
        },
    }


def _parse(text: str, what: str) -> dict:
    """The JSON object of form field ``what``; a 400 naming the fault otherwise."""
    try:
        value = json.loads(text)
    except ValueError as err:
        raise BadRequest(f"'{what}' is not valid JSON: {err}") from None
    except RecursionError:
        raise BadRequest(f"'{what}' nests too deeply to be a query") from None
    if not isinstance(value, dict):
        raise BadRequest(f"'{what}' must be a JSON object, not {type(value).__name__}")
    return value


def reconcile_batch(batch: dict) -> dict:
    """Each query of ``batch`` answered independently, under the same keys."""
    if len(batch) > BATCH_SIZE:
        raise RequestEntityTooLarge(
            f"the batch holds {len(batch)} queries; this service answers "
            f"at most {BATCH_SIZE} a request (the manifest's batchSize)"
        )
    parsed = {key: _query(key, q) for key, q in batch.items()}
    needs_kkb = any(q["type"] is not None and q["type"].kkb for q in parsed.values())
    kkb = about.kkb_villages() if needs_kkb else None
    return {key: {"result": answer(q, kkb)} for key, q in parsed.items()}


def _text(value: Any, where: str) -> str:
    """A text a query gives (a string or number), bounded and without control characters."""
    if isinstance(value, dict) and ("id" in value or "name" in value):
        value = value.get("id") or value.get("name")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest(f"{where} must be a string, not {type(value).__name__}")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise BadRequest(
            f"{where} is {len(text)} characters long; at most {MAX_TEXT} are "
            "accepted (a place name is far shorter)"
        )
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) < 0xE000 for c in text):
        raise BadRequest(f"{where} holds a control character or a lone surrogate")
    return text


def _query(key: str, q: Any) -> dict:
    """One query, checked: text, type, limit, type_strict and properties."""
    where = f"query {_text(key, 'a query key')!r}"
    if not isinstance(q, dict):
        raise BadRequest(f"{where} must be an object with 'query' or 'properties'")
    unknown = sorted(set(q) - {"query", "type", "limit", "type_strict", "properties"})
    if unknown:
        raise BadRequest(f"{where}: unknown field(s) {', '.join(unknown)}")
    text = _text(q.get("query", ""), f"{where}: 'query'")
    kind = None
    if q.get("type") is not None:
        kind = _type(_text(q["type"], f"{where}: 'type'"), f"{where}: ")
    limit = q.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"{where}: 'limit' must be an integer from 1 to {MAX_LIMIT}")
    strict = q.get("type_strict", "should")
    if strict not in ("should", "all", "any"):
        raise BadRequest(f"{where}: 'type_strict' must be 'should', 'all' or 'any'")
    props = q.get("properties", [])
    if not isinstance(props, list) or len(props) > 20:
        raise BadRequest(f"{where}: 'properties' must be a list of at most 20 {{pid, v}}")
    facts: dict[str, list[str]] = {}
    for n, p in enumerate(props):
        if not isinstance(p, dict) or "pid" not in p or "v" not in p:
            raise BadRequest(f"{where}: property {n} must be an object with 'pid' and 'v'")
        pid = _text(p["pid"], f"{where}: property {n} 'pid'")
        if pid not in QUERY_PROPERTIES:
            raise BadRequest(
                f"{where}: unknown property {pid!r}; the properties are {', '.join(QUERY_PROPERTIES)}"
            )
        values = p["v"] if isinstance(p["v"], list) else [p["v"]]
        facts.setdefault(pid, []).extend(
            v for v in (_text(v, f"{where}: property {pid!r}") for v in values[:10]) if v
        )
    if not text and not facts.get("bps_code"):
        raise BadRequest(f"{where} gives neither a 'query' text nor a 'bps_code' property")
    for kind_given in facts.get("kind", []):
        if kind_given.lower() not in KINDS:
            raise BadRequest(f"{where}: unknown kind {kind_given!r}; the kinds are {', '.join(KINDS)}")
    return {"text": text, "type": kind, "limit": limit, "strict": strict, "facts": facts}


def answer(q: dict, kkb: frozenset[str] | None) -> list[dict]:
    """The candidates of one checked query, best first, as the API describes them."""
    matcher = national_matcher()
    t: Type | None = q["type"]
    facts = q["facts"]
    parents = [p for pid in PARENT_PROPERTIES for p in facts.get(pid, [])]
    kinds = tuple(k.lower() for k in facts.get("kind", [])) or (t.kinds if t else None)
    checks: dict[str, Callable[[Entry], bool]] = {}
    if facts.get("postal_code"):
        postal = set(facts["postal_code"])
        checks["postal_code"] = lambda e: getattr(unit_of(e.id), "postal_code", None) in postal
    among: set[str] | None = None
    if facts.get("bps_code"):
        codes = {c for b in facts["bps_code"] for c in about.by_bps().get(b, ())}
        checks["bps_code"] = lambda e: e.id in codes
        if not q["text"]:
            among = codes
    if t is not None and t.kkb:
        among = set(kkb or ()) if among is None else among & set(kkb or ())
    level = t.level if t else None
    if not q["text"]:  # a BPS code alone: the units it maps onto, each by its own name
        found = [
            c
            for code in sorted(among or ())
            if (e := matcher.entries.get(code)) and (level is None or e.level == level)
            for c in matcher.match(
                e.name, level=e.level, kind=kinds, parents=parents, checks=checks, among={code}, suggest=False
            ).candidates
        ]
        candidates = _rerank(found, q["limit"])
    elif is_code(q["text"]) and q["text"] in matcher.entries:  # an id: that entity, for certain
        entry = matcher.entries[q["text"]]
        candidates = [
            replace(c, match=True, score=1.0)
            for c in matcher.match(entry.name, level=entry.level, among={entry.id}, suggest=False).candidates
        ]
    else:
        candidates = list(
            matcher.match(
                q["text"],
                level=level,
                kind=kinds,
                parents=parents,
                limit=q["limit"],
                checks=checks,
                among=among,
            ).candidates
        )
    if t is not None and t.kinds and q["strict"] == "all":
        candidates = [c for c in candidates if c.entry.kind in t.kinds]
    return [_candidate(c, t) for c in candidates[: q["limit"]]]


def _rerank(found: list[Candidate], limit: int) -> list[Candidate]:
    """Candidates found one by one, best first, certain only when one alone agrees."""
    ranked = sorted(found, key=lambda c: (-c.score, c.id))[:limit]
    sure = [c for c in ranked if c.match]
    return ranked if len(sure) <= 1 else [replace(c, match=False) for c in ranked]


def _candidate(c: Candidate, asked: Type | None) -> dict:
    """The matcher's candidate in the API's terms: our ids and types."""
    out = c.reconciliation()
    unit = unit_of(c.id)
    t = asked if asked is not None and asked.kkb else type_of(unit) if unit else None
    if t is not None:
        out["type"] = [{"id": t.id, "name": t.name}]
    if t is not None and t.kkb:
        out["id"] = KKB_PREFIX + c.id
    return out


@bp.get("/suggest/<kind>")
def suggest(kind: str) -> Response:
    """Entities (units whose name or earlier name starts with ``prefix``), types or properties
    (one of whose words starts with it), ten at a time from ``cursor``."""
    given, cursor = _text(request.args.get("prefix", ""), "'prefix'"), _number("cursor", 0, 10_000)
    prefix = given.lower()
    if kind == "entity":
        hits = national_matcher().prefixed(given, offset=cursor, limit=10)
        return jsonify({"result": [_suggestion(e) for e in hits]})
    if kind == "type":
        named = {t.id: (t.name, t.id.rsplit("#", 1)[-1]) for t in TYPES.values()}
    elif kind == "property":
        every = {**QUERY_PROPERTIES, **{p: name for p, (name, _) in about.PROPERTIES.items()}}
        named = {pid: (name, pid) for pid, name in every.items()}
    else:
        raise NotFound(f"no suggest service for {kind!r}: entity, type or property")
    found = [
        {"id": i, "name": texts[0]}
        for i, texts in named.items()
        if any(
            t.startswith(prefix) or any(w.startswith(prefix) for w in t.replace("_", " ").split())
            for t in map(str.lower, texts)
        )
    ]
    return jsonify({"result": found[cursor : cursor + 10]})


def _suggestion(entry: Entry) -> dict:
    unit = unit_of(entry.id)
    where = ", ".join(a.name for a in chain(unit)) if unit else ""
    kind = type_of(unit).name if unit else entry.level
    return {"id": entry.id, "name": entry.name, "description": f"{kind}, {entry.id}; {where}".rstrip("; ")}


def _number(name: str, default: int, most: int) -> int:
    """The whole-number parameter ``name`` (0 to ``most``), checked."""
    given = request.args.get(name, str(default))
    if not given.isascii() or not given.isdigit() or int(given) > most:
        raise BadRequest(f"'{name}' must be a whole number from 0 to {most}")
    return int(given)


def _type(given: str, where: str) -> Type:
    """The type ``given`` names (its IRI, its local name or a short alias); a 400 listing the
    types otherwise."""
    found = TYPES.get(given) or TYPES.get(about.ALIASES.get(given.strip().lower(), ""))
    if found is None:
        raise BadRequest(f"{where}unknown type {given!r}; the types are {', '.join(TYPES)}")
    return found


def _unit(entity: str) -> UnitRow:
    """The unit an entity id names; a 404 otherwise."""
    unit = unit_of(entity)
    if unit is None:
        raise NotFound(f"{entity!r} is not the id of a unit of the national reference")
    return unit


@bp.get("/properties")
def propose_properties() -> Response:
    """The properties a data extension offers for ``type``."""
    t = _type(_text(request.args.get("type", ""), "'type'"), "")
    return jsonify({"type": t.id, "properties": about.proposals(t)[: _number("limit", 50, 1000)]})


@bp.get("/preview")
def preview() -> Response:
    """A small card for an iframe: name, kind, code, parents, KKB status (from the release)."""
    unit = _unit(_text(request.args.get("id", ""), "'id'"))
    html = render_template(
        "reconcile_preview.html",
        lang=page_lang(),  # the reader's (Accept-Language: OpenRefine's browser), or ?lang=
        unit=unit,
        type=type_of(unit),
        chain=chain(unit),
        facts=about.release_facts([unit.code]).get(unit.code),
        map=about.mini_map(unit),
    )
    response = remember_lang(Response(html, mimetype="text/html"))
    # Clients show the card in an iframe of their own pages: framing allowed, the rest as strict.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors *; "
        "base-uri 'none'; form-action 'none'"
    )
    return response


@bp.get("/view/<path:entity>")
def view(entity: str) -> BaseResponse:
    """The page of an entity: its IRI's page when the release has it, else its preview card."""
    unit = _unit(entity)
    kind = "kkb" if entity.startswith(KKB_PREFIX) else level_of(unit.code)
    there = about.release_facts([unit.code]).get(unit.code)
    if there and (there["kkb"] if kind == "kkb" else there["in_release"]):
        return redirect(url_for("resources.resource", kind=kind, key=unit.code), 303)
    return redirect(url_for("reconcile.preview", id=unit.code), 303)
