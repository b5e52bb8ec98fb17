"""The store the web layer queries: a narrow interface that speaks only SPARQL.

``Store`` is what :func:`kkb_lod.web.create_app` needs. :class:`OxigraphStore` is the embedded
default: it serves a release either from memory (the release's N-Quads dump bulk-loaded into RAM:
fastest queries, ~0.3 KB per triple) or from the release's on-disk RocksDB store opened read-only
(least memory, scans several times slower). Results are pyoxigraph objects, so every backend hands
the web layer the same types.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from pyoxigraph import Store as OxStore

from kkb_lod.releases import current_release, nquads_dump, read_manifest, store_dir
from kkb_lod.sparqlscan import scan  # the one query-form sniffer

if TYPE_CHECKING:
    from kkb_lod.config import Settings

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class StoreError(RuntimeError):
    """The store cannot be opened or cannot answer."""


class StoreTimeout(StoreError):
    """A remote store did not answer within the timeout."""


class NoUnionDefault(StoreError):
    """A remote store whose default graph does not see the named graphs our data is in: its
    message names the server option that fixes it."""


class NoDiskStore(StoreError):
    """The release was built without the on-disk store (build_store 'none'): its message says
    what to do instead."""


@runtime_checkable
class Store(Protocol):
    """What the web layer may ask of a store."""

    def query(
        self,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        """Run a SPARQL 1.1 query. With no default graph given, the default graph is the union
        of all named graphs. Raises SyntaxError for a malformed query."""
        ...

    def count(self) -> int:
        """Number of quads held."""
        ...


class OxigraphStore:
    """The embedded pyoxigraph store."""

    def __init__(self, store: OxStore | None = None) -> None:
        self._store = OxStore() if store is None else store

    @classmethod
    def from_release(cls, release: Path, mode: str = "memory") -> OxigraphStore:
        """Open a build release: ``memory`` loads ``dumps/kkb.nq``; ``disk`` opens ``store/``."""
        if mode == "disk" and _built_without_store(release):
            raise NoDiskStore(
                f"the release {release} has no on-disk store (built with build_store 'none', "
                "KKB_BUILD_STORE=none): serve it from memory (KKB_STORE=memory), or build again "
                "with KKB_BUILD_STORE=disk"
            )
        try:
            if mode == "disk":
                return cls(OxStore.read_only(str(store_dir(release))))
            store = OxStore()
            store.bulk_load(path=str(nquads_dump(release)), format=RdfFormat.N_QUADS)
            return cls(store)
        except (OSError, SyntaxError, ValueError) as err:
            raise StoreError(f"cannot open the build release at {release}: {err}") from err

    def query(
        self,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        options: dict = {"use_default_graph_as_union": not default_graphs}
        if default_graphs:
            options["default_graph"] = [NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **options)

    def count(self) -> int:
        return len(self._store)

    @property
    def ox(self) -> OxStore:
        """The underlying pyoxigraph store, for loading at build time and for tests."""
        return self._store


class RemoteTriples:
    """A CONSTRUCT/DESCRIBE answer from a remote store, with the same surface as QueryTriples."""

    def __init__(self, triples: list[Triple]) -> None:
        self._triples = triples

    def __iter__(self):  # noqa: ANN204 - an iterator of pyoxigraph Triples
        return iter(self._triples)

    def serialize(self, output=None, format: RdfFormat = RdfFormat.N_TRIPLES):  # noqa: A002,ANN001,ANN201
        return serialize(self._triples, output, format)


class RemoteSparqlStore:
    """A SPARQL 1.1 store elsewhere (Oxigraph server, Virtuoso, Fuseki…), queried over HTTP.

    Answers are parsed back into pyoxigraph objects, so the web layer cannot tell it from the
    embedded store. Every request has a timeout; a store that does not answer raises StoreError.
    """

    ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
    # One kind per query form: asked for JSON, Virtuoso answers a CONSTRUCT with s/p/o bindings,
    # and asked for N-Triples it answers a SELECT with a result-set graph.
    ACCEPT_RESULTS = "application/sparql-results+json"
    ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9"

    def __init__(self, url: str, timeout: float = 10.0, graphs_under: str = "") -> None:
        self.url = url
        self.timeout = timeout
        self.graphs_under = graphs_under  # count only our graphs (Virtuoso has system graphs)
        self._union_checked = False

    def query(
        self,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        if not self._union_checked:
            self.check_union_default()
        return self._send(sparql, default_graphs, named_graphs)

    def check_union_default(self) -> None:
        """NoUnionDefault if the store's default graph does not hold what its named graphs hold
        (an Oxigraph server started without ``--union-default-graph``): every query without a
        ``GRAPH`` would find nothing, so the fix is named instead. Done once, by the first query
        that finds the store up; a store holding none of our graphs is let be."""
        answer = self._send(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(!isBlank(?s) && !isBlank(?o)) {self._ours} }} LIMIT 1"
        )
        sample = list(answer) if isinstance(answer, QuerySolutions) else []
        if sample:
            s, p, o = (sample[0][v] for v in ("s", "p", "o"))
            if not bool(self._send(f"ASK {{ {s} {p} {o} }}")):
                raise NoUnionDefault(
                    f"the remote store {self.url} keeps our data in named graphs but its default "
                    "graph does not see them, so every query would find nothing: start oxigraph "
                    "with --union-default-graph (Fuseki: tdb2:unionDefaultGraph true; Virtuoso's "
                    "/sparql does so by default)"
                )
        self._union_checked = True

    def _send(
        self,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        """Send one query; the answer as pyoxigraph objects."""
        form = scan(sparql).form
        accept = {
            "CONSTRUCT": self.ACCEPT_RDF,
            "DESCRIBE": self.ACCEPT_RDF,
            "SELECT": self.ACCEPT_RESULTS,
            "ASK": self.ACCEPT_RESULTS,
        }.get(form or "", self.ACCEPT)
        params = [("query", sparql)]
        params += [("default-graph-uri", g) for g in default_graphs]
        params += [("named-graph-uri", g) for g in named_graphs]
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(params).encode("utf-8"),
            method="POST",
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "kkb-lod (+https://w3id.org/kkb/)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                media_type = response.headers.get_content_type()
        except urllib.error.HTTPError as err:
            message = err.read().decode("utf-8", "replace")[:2000]
            if err.code == 400:
                raise SyntaxError(message) from None
            raise StoreError(f"remote store {self.url} answered {err.code}: {message}") from None
        except TimeoutError:
            raise StoreTimeout(f"remote store {self.url} did not answer within {self.timeout:g} s") from None
        except (urllib.error.URLError, OSError) as err:
            if isinstance(getattr(err, "reason", None), TimeoutError):
                raise StoreTimeout(
                    f"remote store {self.url} did not answer within {self.timeout:g} s"
                ) from None
            raise StoreError(f"remote store {self.url} unreachable: {err}") from None
        answer = _parse_answer(body, media_type)
        if isinstance(answer, QuerySolutions) and form == "ASK":
            answer = _virtuoso_ask(answer)
        return answer

    @property
    def _ours(self) -> str:
        """A FILTER keeping the graphs ``?g`` under ``graphs_under`` (every graph without it)."""
        if self.graphs_under and '"' not in self.graphs_under:
            return f'FILTER(STRSTARTS(STR(?g), "{self.graphs_under}"))'
        return ""

    def count(self) -> int:
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours} }}")
        return int(next(iter(result))["n"].value)  # type: ignore[arg-type]


def _built_without_store(release: Path) -> bool:
    """Whether the release's manifest says it was built with no on-disk store (build_store
    'none'); a store missing from a release that had one is damage, reported when opened."""
    try:
        return read_manifest(release).get("store") is False
    except (OSError, ValueError):
        return False


def load_release(
    release: Path,
    store_url: str,
    batch: int = 50_000,
    timeout: float = 600.0,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Load a build release into a remote store with the SPARQL 1.1 Graph Store HTTP Protocol.

    Each named graph of ``dumps/kkb.nq`` is replaced (``PUT ?graph=``) by its first batch of
    N-Triples lines and extended (``POST ?graph=``) by the others, so neither side holds a
    national dataset in one request. Returns the number of triples sent per graph. Raises
    StoreError naming the graph when the store refuses a request.
    """
    sent: dict[str, int] = {}
    pending: dict[str, list[bytes]] = {}

    def flush(graph: str) -> None:
        lines = pending.pop(graph)
        method = "POST" if graph in sent else "PUT"
        url = f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(
            url,
            data=b"".join(lines),
            method=method,
            headers={"Content-Type": "application/n-triples", "User-Agent": "kkb-lod"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            message = err.read().decode("utf-8", "replace")[:500]
            raise StoreError(f"{method} {url} answered {err.code}: {message}") from None
        except (urllib.error.URLError, OSError) as err:
            raise StoreError(f"{method} {url} failed: {err}") from None
        sent[graph] = sent.get(graph, 0) + len(lines)
        progress(f"  {graph}: {sent[graph]:,} triples sent")

    with open(nquads_dump(release), "rb") as nquads:
        for line in nquads:
            cut = line.rindex(b" <")  # the graph IRI ends the line and holds no space
            graph = line[cut + 2 : -4].decode("utf-8")
            pending.setdefault(graph, []).append(line[:cut] + b" .\n")
            if len(pending[graph]) >= batch:
                flush(graph)
    for graph in list(pending):
        flush(graph)
    return sent


def _virtuoso_ask(answer: QuerySolutions) -> QueryBoolean:
    """Virtuoso 7.2 answers ASK as a one-variable SELECT (``__ASK_RETVAL``, one row if true)."""
    if [v.value for v in answer.variables] != ["__ASK_RETVAL"]:
        raise StoreError("remote store answered an ASK query with solutions")
    true = any(row["__ASK_RETVAL"].value == "1" for row in answer)
    body = b'{"head":{},"boolean":%s}' % (b"true" if true else b"false")
    return parse_query_results(body, QueryResultsFormat.JSON)  # type: ignore[return-value]


def _parse_answer(body: bytes, media_type: str) -> QueryResult:
    """The remote store's answer, read whole here (the body is in memory already): an answer that
    does not parse is the store's fault (StoreError, 502), never the client's query's, and it must
    not surface later, half-way through writing our own answer."""
    try:
        for fmt in (QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.TSV):
            if media_type == fmt.media_type:
                answer = parse_query_results(body, fmt)
                if isinstance(answer, QuerySolutions):
                    for _ in answer:  # reads every row; the answer given is parsed afresh
                        pass
                    answer = parse_query_results(body, fmt)
                return answer
        for rdf in (RdfFormat.N_TRIPLES, RdfFormat.TURTLE, RdfFormat.RDF_XML, RdfFormat.JSON_LD):
            if media_type == rdf.media_type:
                return RemoteTriples([q.triple for q in parse(body, rdf)])  # type: ignore[return-value]
    except (SyntaxError, ValueError) as err:
        raise StoreError(f"remote store answered an unreadable {media_type} body: {err}") from None
    raise StoreError(f"remote store answered with unexpected media type {media_type!r}")


def open_store(settings: Settings) -> Store:
    """The store the settings name: remote if ``sparql_url`` is set, else the current release."""
    if settings.sparql_url:
        remote = RemoteSparqlStore(
            settings.sparql_url, settings.query_timeout, graphs_under=settings.base_iri + "graph/"
        )
        try:
            remote.check_union_default()  # refused at start when it would answer nothing
        except NoUnionDefault:
            raise
        except StoreError:  # not up yet: checked by its first answer, 502 until then
            pass
        return remote
    return OxigraphStore.from_release(current_release(settings.build_dir), settings.store)
