"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the store.

GET, form-encoded POST and direct POST carry a query (``_protocol``); its text is checked (size,
nesting, escapes, SERVICE calls only to the allowlist: ``_policy``) and scanned to refuse updates
and to learn its form (``kkb_lod.sparqlscan``); it runs with a time and a size limit (``_query``); the answer
is written in the format negotiated from ``format`` or ``Accept`` (``_results``). Without a query,
GET answers the service description, or the query page for a browser. GET answers of a release
are cacheable (:func:`kkb_lod.web._pages.cacheable`); POST answers are not. The query page's
editor reads ``/sparql/completions`` and ``/sparql/labels`` (built in ``_completion``) and has
its text checked as it is typed by ``/sparql/check`` (``_check``: a grammar, never the store).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException

from kkb_lod.formats import ANSWERS, Format, for_kind
from kkb_lod.iris import Minter
from kkb_lod.sparqlscan import is_absolute_iri
from kkb_lod.vocab import PREFIXES
from kkb_lod.web import kkb
from kkb_lod.web._answer import Answer
from kkb_lod.web._charts import NUMERIC, chart_of_results
from kkb_lod.web._check import check
from kkb_lod.web._completion import MAX_SEARCH, completions, prefixes, search, syntax_problem
from kkb_lod.web._examples import EXAMPLES, prologue_for
from kkb_lod.web._pages import cacheable, minter, page_lang, remember_lang
from kkb_lod.web._policy import Limits, check_query
from kkb_lod.web._protocol import Operation, read_operation
from kkb_lod.web._query import check_policy, dataset, run
from kkb_lod.web._results import NUMERIC_TYPES, Cell, cells, named_by, to_bytes
from kkb_lod.web._service import describe_service, graph_counts
from kkb_lod.web._workspace import workspace
from kkb_lod.web.catalog import site
from kkb_lod.web.conneg import negotiate

bp = Blueprint("sparql", __name__)

#: The kinds of format each query form can be answered in (besides the HTML page).
FORM_KINDS: dict[str, tuple[str, ...]] = {
    "SELECT": ANSWERS["results"],
    "ASK": ANSWERS["results"],
    "CONSTRUCT": ANSWERS["graph"],
    "DESCRIBE": ANSWERS["graph"],
}
#: Rows of an answer the page draws at a time (the rest a ``page=`` away, or paged by the script).
PAGE_SIZE = 100


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
    state, query = kkb(), operation.query
    settings = state.settings
    if _wants_page():  # a person's query: the known prefixes it uses and lacks are declared for it
        query = prologue_for(query, prefixes()) + query
        operation = replace(operation, query=query)
    base = request.base_url  # the service-defined base IRI of relative IRIs in queries
    if not is_absolute_iri(base):
        raise BadRequest(f"The request URL {base!r} cannot serve as a base IRI; check Host.")
    try:
        found = check_query(query, base, settings.services, Limits.of(settings))
        check_policy(found)
        expected = FORM_KINDS.get(found.form or "")
        fmt: Format | None = (
            negotiate(*expected, "page", asked=operation.format, read_format=False) if expected else None
        )
        answer = run(
            state,
            query,
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
    """The query editor, with the answer to ``query`` as a table (a page of :data:`PAGE_SIZE`
    rows, ``page=`` choosing which, with the total), a chart when it has numbers, its downloads,
    and a link that runs it again: the page works without JavaScript. The whole answer is also
    given to the script as JSON data (not script), which pages, sorts, charts and maps it.

    With ``error``, the page says what went wrong under the query, with the error's status and
    headers (``Retry-After``), so a person can fix the query where it was written; a syntax error
    is told in a short sentence in the page's language, with its line and column.
    """
    lang = page_lang()
    base_iri, root = kkb().settings.base_iri, request.script_root
    columns, rows = cells(answer, base_iri, root, prefixes=named_by(query or "")) if answer else ([], [])
    full_rows = cells(answer, base_iri, root, full=True)[1] if answer else []
    full = _full_iris()
    chart = chart_of_results(columns, rows) if answer and answer.kind == "results" else None
    kinds = () if answer is None else ("graph",) if answer.kind == "graph" else ("results",)
    downloads = [(fmt, url_for("sparql.endpoint", query=query, format=fmt.name)) for fmt in for_kind(*kinds)]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(_page_number(), pages)
    iris = "full" if full else None
    problem = (
        syntax_problem(error.description or "", query or "")
        if isinstance(error, BadRequest) and query
        else None
    )
    html = render_template(
        "sparql.html",
        lang=lang,
        query=query or EXAMPLES[0].text(lang),
        examples=EXAMPLES,
        answer=answer,
        columns=columns,
        rows=rows,
        shown=(full_rows if full else rows)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        page=page,
        pages=pages,
        first=(page - 1) * PAGE_SIZE + 1,
        page_url=lambda n: url_for("sparql.endpoint", query=query, format="html", page=n, iris=iris),
        full_iris=full,
        iris_url=url_for(
            "sparql.endpoint", query=query, format="html", page=page, iris=None if full else "full"
        ),
        data=_data(columns, rows, full_rows) if answer else None,
        chart=chart,
        numeric=NUMERIC | NUMERIC_TYPES,
        downloads=downloads,
        formats=for_kind("results", "graph", "dataset"),
        permalink=url_for("sparql.endpoint", query=query) if query and not error else None,
        error=error,
        problem=problem,
        workspace=workspace(),
    )
    response = Response(html, mimetype="text/html")
    if error is not None:
        remember_lang(response)
        response.status_code = error.code or 500
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    return _cacheable(
        response, operation, request.base_url, "page", lang, f"page={page}", f"iris={iris or 'compact'}"
    )


def _page_number() -> int:
    """``page=`` (from 1; the last page when beyond it), 1 without it; a 400 for anything else."""
    given = request.args.get("page", "1")
    if not given.isascii() or not given.isdigit() or not 0 < int(given) < 10**9:
        raise BadRequest(f"page must be a whole number from 1, not {given[:20]!r}.")
    return int(given)


def _full_iris() -> bool:
    """Whether ``iris=full`` asks for the table's IRIs in full (``iris=compact``, the default, for
    compact names); a 400 for anything else."""
    given = request.args.get("iris", "compact")
    if given not in ("compact", "full"):
        raise BadRequest(f"iris must be compact or full, not {given[:20]!r}.")
    return given == "full"


def _data(
    columns: list[str], rows: list[list[Cell | None]], full_rows: list[list[Cell | None]]
) -> dict[str, object]:
    """The answer for the page's script: column names, and each cell as [text, link, note]
    (null where unbound; links under the script root as the page's), followed by its text with
    full IRIs where that differs (the table's full-IRI switch; a note, a compact datatype, is
    written in full from ``prefixes``), with the notes that mark a number."""

    def data(c: Cell | None, f: Cell | None) -> list[str | None] | None:
        if c is None or f is None:
            return None
        return [c.text, c.href, c.note] + ([] if f.text == c.text else [f.text])

    return {
        "columns": columns,
        "rows": [
            [data(c, f) for c, f in zip(row, full, strict=True)]
            for row, full in zip(rows, full_rows, strict=True)
        ],
        "numeric": sorted(NUMERIC),
        "prefixes": PREFIXES,
    }


@bp.get("/sparql/completions")
def completion_data() -> Response:
    """What the editor completes: prefixes, our classes and properties (labelled, counted), as
    JSON built by SPARQL from the ontology and the VoID; cacheable for the release."""
    response = jsonify(completions())
    return cacheable(response, "/sparql/completions", negotiated=False)


@bp.get("/sparql/labels")
def label_search() -> Response:
    """Resources whose label (or a word of it) starts with ``q``: the editor's completion of
    resources by name, as JSON ``{"result": [{name, iri, label, type}]}``.

    :raise 400: ``q`` missing, blank or longer than :data:`MAX_SEARCH`.
    """
    text = request.args.get("q", "")
    if not text.strip() or len(text) > MAX_SEARCH:
        raise BadRequest(f"give q=, the start of a label (1 to {MAX_SEARCH} characters).")
    response = jsonify({"result": search(text)})
    return cacheable(response, f"/sparql/labels|{text}", negotiated=False)


def _wants_page() -> bool:
    """Whether the client asked for the HTML page (``format=html``, or a browser's Accept)."""
    try:
        return negotiate(*ANSWERS["results"], *ANSWERS["graph"], "page").kind == "page"
    except HTTPException:
        return False


def service_description(fmt: Format) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in an RDF format.

    The service is the catalog's data service, ``{base}sparql`` whatever the host; its endpoint
    is at the server's public address, as the catalog's ``dcat:endpointURL`` says
    (:func:`kkb_lod.web.catalog.site`). The triple counts are the release's manifest's (counted
    when it was built), else the store's.
    """
    state, endpoint_iri = kkb(), site() + "sparql"
    release = state.release
    if "graphs" in release and "triples" in release:
        mint = Minter(release.get("base_iri", state.settings.base_iri))
        counts = release["triples"], {str(mint.graph(name)): n for name, n in release["graphs"].items()}
    else:
        counts = graph_counts(state.store)
    triples = describe_service(minter().base + "sparql", endpoint_iri, counts, state.settings.services)
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


@bp.route("/sparql/check", methods=["GET", "POST"])
def syntax_check() -> Response:
    """The editor's check as you type: ``query`` (GET or form POST) read by the SPARQL 1.1
    grammar, never run; JSON ``{ok, line, column, message}`` in ``lang`` (``id``/``en``, else
    the page's language). GET answers are cacheable for the release.

    :raise 400: no ``query``, or a ``lang`` other than id or en.
    :raise 413: a query larger than ``query_max_bytes`` (the body says so, as JSON).
    """
    text = request.values.get("query")
    if text is None or not text.strip():
        raise BadRequest("give query=, the text of a SPARQL query to check.")
    lang = request.values.get("lang") or page_lang()
    if lang not in ("id", "en"):
        raise BadRequest(f"lang must be id or en, not {lang[:20]!r}.")
    settings = kkb().settings
    base = url_for("sparql.endpoint", _external=True)
    verdict = check(text, lang, prefixes(), base, list(settings.services), Limits.of(settings))
    response = jsonify(verdict.json())
    if len(text.encode("utf-8")) > settings.query_max_bytes:
        response.status_code = 413
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"
        return response
    response.vary.update(["Accept-Language", "Cookie"])
    return cacheable(response, f"/sparql/check|{lang}|{text}", negotiated=False)
