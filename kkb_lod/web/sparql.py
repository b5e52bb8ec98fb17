"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the store.

GET, form-encoded POST and direct POST carry a query (``_protocol``); its text is checked (size,
nesting, escapes, SERVICE calls only to the allowlist: ``_policy``) and scanned to refuse updates
and to learn its form (``kkb_lod.sparqlscan``); it runs with a time and a size limit (``_query``); the answer
is written in the format negotiated from ``format`` or ``Accept`` (``_results``). Without a query,
GET answers the service description, or the query page for a browser. GET answers of a release
are cacheable (:func:`kkb_lod.web._pages.cacheable`); POST answers are not.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException

from kkb_lod.formats import ANSWERS, Format, for_kind
from kkb_lod.iris import Minter
from kkb_lod.sparqlscan import is_absolute_iri
from kkb_lod.web import kkb
from kkb_lod.web._answer import Answer
from kkb_lod.web._charts import NUMERIC, chart_of_results
from kkb_lod.web._examples import EXAMPLES
from kkb_lod.web._pages import cacheable, page_lang, remember_lang
from kkb_lod.web._policy import Limits, check_query
from kkb_lod.web._protocol import Operation, read_operation
from kkb_lod.web._query import check_policy, dataset, run
from kkb_lod.web._results import cells, to_bytes
from kkb_lod.web._service import describe_service, graph_counts
from kkb_lod.web.conneg import negotiate

bp = Blueprint("sparql", __name__)

#: The kinds of format each query form can be answered in (besides the HTML page).
FORM_KINDS: dict[str, tuple[str, ...]] = {
    "SELECT": ANSWERS["results"],
    "ASK": ANSWERS["results"],
    "CONSTRUCT": ANSWERS["graph"],
    "DESCRIBE": ANSWERS["graph"],
}


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a SPARQL query, or describe the service when none is given.

    :raise 400/403/415: see :func:`kkb_lod.web._protocol.read_operation`,
        :func:`kkb_lod.web._policy.check_query` and :func:`kkb_lod.web._query.check_policy`.
    :raise 406: no acceptable format for this kind of answer.
    :raise 422, 502, 503: see :func:`kkb_lod.web._query.run`.
    """
    operation = read_operation(request)
    if operation.query is None:
        if request.method == "POST":
            raise BadRequest("The request has no query: send query=… or a SPARQL query body.")
        described = negotiate(*ANSWERS["graph"], "page")
        return query_page() if described.kind == "page" else service_description(described)
    state = kkb()
    settings = state.settings
    base = request.base_url  # the service-defined base IRI of relative IRIs in queries
    if not is_absolute_iri(base):
        raise BadRequest(f"The request URL {base!r} cannot serve as a base IRI; check Host.")
    try:
        found = check_query(operation.query, base, settings.services, Limits.of(settings))
        check_policy(found)
        expected = FORM_KINDS.get(found.form or "")
        fmt: Format | None = (
            negotiate(*expected, "page", asked=operation.format, read_format=False) if expected else None
        )
        answer = run(
            state,
            operation.query,
            base,
            found,
            dataset(found, operation.default_graphs, operation.named_graphs),
            fmt,
        )
    except HTTPException as error:
        if not _wants_page():
            raise
        return query_page(operation.query, error=error)  # a person keeps the query to fix it
    kinds = ANSWERS["graph" if answer.kind == "graph" else "results"]
    if fmt is None or fmt.kind not in (*kinds, "page"):
        fmt = negotiate(*kinds, "page", asked=operation.format, read_format=False)
    if fmt.kind == "page":
        return query_page(operation.query, answer, operation=operation)
    return _answer(to_bytes(answer, fmt), fmt, operation, base)


def query_page(
    query: str | None = None,
    answer: Answer | None = None,
    error: HTTPException | None = None,
    operation: Operation | None = None,
) -> Response:
    """The query editor, with the answer to ``query`` as a table (and a chart when it has numbers),
    its downloads, and a link that runs it again: the page works without JavaScript.

    With ``error``, the page says what went wrong under the query, with the error's status and
    headers (``Retry-After``), so a person can fix the query where it was written.
    """
    lang = page_lang()
    columns, rows = cells(answer, kkb().settings.base_iri) if answer else ([], [])
    chart = chart_of_results(columns, rows) if answer and answer.kind == "results" else None
    kinds = () if answer is None else ("graph",) if answer.kind == "graph" else ("results",)
    downloads = [(fmt, url_for("sparql.endpoint", query=query, format=fmt.name)) for fmt in for_kind(*kinds)]
    html = render_template(
        "sparql.html",
        lang=lang,
        query=query or EXAMPLES[0].text(lang),
        examples=EXAMPLES,
        answer=answer,
        columns=columns,
        rows=rows,
        chart=chart,
        numeric=NUMERIC,
        downloads=downloads,
        formats=for_kind("results", "graph", "dataset"),
        permalink=url_for("sparql.endpoint", query=query) if query and not error else None,
        error=error,
    )
    response = Response(html, mimetype="text/html")
    if error is not None:
        remember_lang(response)
        response.status_code = error.code or 500
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    return _cacheable(response, operation, request.base_url, "page", lang)


def _wants_page() -> bool:
    """Whether the client asked for the HTML page (``format=html``, or a browser's Accept)."""
    try:
        return negotiate(*ANSWERS["results"], *ANSWERS["graph"], "page").kind == "page"
    except HTTPException:
        return False


def service_description(fmt: Format) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in an RDF format.

    The triple counts are the release's manifest's (counted when it was built), else the store's.
    """
    state, endpoint_iri = kkb(), url_for("sparql.endpoint", _external=True)
    release = state.release
    if "graphs" in release and "triples" in release:
        mint = Minter(release.get("base_iri", state.settings.base_iri))
        counts = release["triples"], {str(mint.graph(name)): n for name, n in release["graphs"].items()}
    else:
        counts = graph_counts(state.store)
    triples = describe_service(endpoint_iri, counts, state.settings.services)
    return _answer(to_bytes(Answer.of_triples(triples), fmt), fmt, None, endpoint_iri)


def _answer(body: bytes, fmt: Format, operation: Operation | None, base: str) -> Response:
    return _cacheable(Response(body, mimetype=fmt.media_type), operation, base, fmt.name)


def _cacheable(response: Response, operation: Operation | None, base: str, *key: str) -> Response:
    """A GET answer made cacheable, keyed on the query, its dataset, its base and ``key`` (the
    format, the page's language); a POST answer made uncacheable."""
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept")
        return remember_lang(response)
    asked = (
        (operation.query or "", *operation.default_graphs, "|", *operation.named_graphs) if operation else ()
    )
    return cacheable(response, "\n".join((base, *asked, *key)))
