"""Reading a SPARQL 1.1 Protocol request: which query, which dataset, or why it is refused.

GET with ``query=``, a form-encoded POST and an ``application/sparql-query`` POST become one
:class:`Operation`. Parameters are decoded strictly as UTF-8 here, not by werkzeug's forgiving
decoder, so a non-UTF-8 request is refused instead of silently altered.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.exceptions import BadRequest, Forbidden, UnsupportedMediaType

from kkb_lod.sparqlscan import is_absolute_iri
from kkb_lod.web._query import READ_ONLY

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")


@dataclass(frozen=True)
class Operation:
    """A query request: the query text (None if none was sent) and the protocol dataset."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None  # the ``format`` parameter, read with the rest


def read_operation(request: Request) -> Operation:
    """The operation a GET or POST request asks for.

    :raise 400: several queries, a non-UTF-8 request, a graph parameter that is not an IRI.
    :raise 403: any update (``update=``, ``using-graph-uri=``, an ``application/sparql-update``
        body): the endpoint is read-only.
    :raise 415: a POST whose media type is missing or not one of the two query types.
    """
    params = _pairs(request.query_string, "the URL")
    if request.method == "POST":
        params += _body_params(request, params)
    for name in UPDATE_PARAMETERS:
        if any(key == name for key, _ in params):
            raise Forbidden(READ_ONLY.format(f"the {name!r} parameter"))
    queries = [value for key, value in params if key == "query"]
    if len(queries) > 1:
        raise BadRequest(f"The request has {len(queries)} queries; send exactly one.")
    graphs = {
        key: tuple(v for k, v in params if k == key) for key in ("default-graph-uri", "named-graph-uri")
    }
    for key, iris in graphs.items():
        for iri in iris:
            if not is_absolute_iri(iri):
                raise BadRequest(f"{key} must be an absolute IRI, not {iri!r}.")
    formats = [value for key, value in params if key == "format" and value]
    return Operation(
        queries[0] if queries else None,
        graphs["default-graph-uri"],
        graphs["named-graph-uri"],
        formats[0] if formats else None,
    )


def _body_params(request: Request, url_params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parameters a POST body carries, by its media type."""
    if not request.content_type:
        raise UnsupportedMediaType(
            f"A POST needs a Content-Type: {FORM} (query=… in the body) or {SPARQL_QUERY} (the "
            "query as the body)."
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(f"The request is encoded as {charset}; SPARQL requests must be UTF-8.")
    if request.mimetype == SPARQL_UPDATE:
        raise Forbidden(READ_ONLY.format(f"a {SPARQL_UPDATE} body"))
    body = request.get_data(cache=True)
    if request.mimetype == FORM:
        return _pairs(body, "the body")
    if request.mimetype == SPARQL_QUERY:
        if any(key == "query" for key, _ in url_params):
            raise BadRequest("The query is both in the body and in the URL; send it once.")
        try:
            return [("query", body.decode("utf-8"))]
        except UnicodeDecodeError as err:
            raise BadRequest(f"The query is not valid UTF-8 ({err}).") from None
    raise UnsupportedMediaType(f"A query POST must be {FORM} or {SPARQL_QUERY}, not {request.mimetype}.")


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Decode ``a=1&b=2`` (percent- and plus-encoded, blank values kept) strictly as UTF-8."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as err:
        raise BadRequest(f"The parameters in {where} are not valid UTF-8 ({err}).") from None
