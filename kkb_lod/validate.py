"""SHACL validation: a graph or a store in, a :class:`Report` a person can act on out.

Two entry points. :func:`validate_graph` runs pySHACL on an rdflib graph: the reference. For a
national build, :func:`validate_store` runs the same shapes compiled to SPARQL
(:mod:`kkb_lod.shacl_sparql`) on a pyoxigraph store, far faster in bounded memory; tests prove both
report the same results on every shapes fixture and on real and mutated builds.

The shapes (``shapes/*.ttl``) are checked against the data graph *united with* the ontology,
without inference: the ontology's ``rdfs:subClassOf`` is what lets ``sh:targetClass kkb:Village``
reach every ``kkb:Desa``, and the family functions the shapes check are defined there. The union is
built here, not through pySHACL's ``ont_graph`` (which copies only selected OWL/RDFS axioms into the
data): a plain union is what the published dataset holds.

Only violations make a graph non-conforming; warnings are reported but allowed, so a suspicious but
possible value (a kabupaten numbered like a kota) is flagged without stopping a build.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from pyshacl import validate
from rdflib import BNode, Graph, Literal
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kkb_lod.shacl_run import Row, run_checks
from kkb_lod.shacl_sparql import Check, compile_shapes
from kkb_lod.vocab import ONTOLOGY_FILE, RDF, SH

#: The repository's shapes folder, located from the package (works from any working directory).
SHAPES_DIR = Path(__file__).resolve().parents[1] / "shapes"


@dataclass(frozen=True)
class Result:
    """One ``sh:ValidationResult`` as plain strings (``path``/``value`` None when absent)."""

    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    severity: str


@dataclass(frozen=True)
class Report:
    """The outcome: conforming or not, the ``sh:ValidationReport`` graph, and its results."""

    conforms: bool
    graph: Graph
    results: tuple[Result, ...]
    #: Results found but not kept (:func:`validate_store` keeps the first ``limit``).
    omitted: int = 0

    def text(self) -> str:
        """One block per result, in a fixed order, so the same input always reads the same."""
        if not self.results and not self.omitted:
            return "Conforms: no SHACL results."
        blocks = []
        for r in self.results:
            lines = [f"{r.severity}: {r.message}", f"  focus node: {r.focus}"]
            lines += [f"  path:       {r.path}"] if r.path is not None else []
            lines += [f"  value:      {r.value}"] if r.value is not None else []
            blocks.append("\n".join([*lines, f"  shape:      {r.shape}"]))
        violations = sum(r.severity == "Violation" for r in self.results)
        summary = f"{violations} violation(s), {len(self.results) - violations} other result(s)."
        if self.omitted:
            summary += f" {self.omitted} more result(s) not shown."
        return "\n\n".join([*blocks, summary])


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once per thread.

    pySHACL sends the same ``sh:select`` text again for every focus node and rdflib parses it anew
    each time: parsing, not evaluation, dominated validation (10 s for one regency, hours for the
    national list). A prepared query can be re-run with new bindings, but not concurrently (rdflib
    keeps evaluation state on it), hence one cache per thread.
    """

    _local = threading.local()

    def query(
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,
        initBindings: Any = None,  # noqa: N803 (rdflib's names)
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = initNs or dict(self.namespaces())
            cache = self._local.__dict__.setdefault("queries", {})
            key = (query_object, tuple(sorted((p, str(n)) for p, n in namespaces.items())))
            if key not in cache:
                cache[key] = prepareQuery(query_object, initNs=namespaces)
            query_object = cache[key]
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@lru_cache(maxsize=8)
def _read_shapes(shapes_dir: Path) -> Graph:
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Every ``*.ttl`` of ``shapes_dir`` (default: the repository's ``shapes/``), parsed once.

    The graph is cached per folder and shared: treat it as read-only.
    """
    return _read_shapes((shapes_dir or SHAPES_DIR).resolve())


@lru_cache(maxsize=1)
def _default_ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def validate_graph(data: Graph, ontology: Graph | None = None, shapes: Graph | None = None) -> Report:
    """Validate ``data`` united with ``ontology`` (default ``ontology/kkb.ttl``) against ``shapes``.

    ``data`` is not modified. Pass an empty graph as ``ontology`` when ``data`` already holds it.
    """
    union = _PreparedQueryGraph()
    union += data
    union += _default_ontology() if ontology is None else ontology
    shapes = load_shapes() if shapes is None else shapes
    _, graph, _ = validate(
        union, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True
    )  # inplace: on our private union
    results = tuple(
        sorted(
            (_result(graph, node, shapes) for node in graph.subjects(RDF.type, SH.ValidationResult)),
            key=_order,
        )
    )
    return Report(not any(r.severity == "Violation" for r in results), graph, results)


def _order(r: Result) -> tuple[str, ...]:
    return (r.focus, r.shape, r.path or "", r.value or "", r.message, r.severity)


@lru_cache(maxsize=1)
def _default_checks() -> tuple[Check, ...]:
    return tuple(compile_shapes(load_shapes()))


def validate_store(
    store: ox.Store, shapes: Graph | None = None, *, limit: int = 10_000, workers: int = 2
) -> Report:
    """Validate the union of all graphs of ``store`` (data and ontology) against ``shapes``.

    The same results as :func:`validate_graph` on the same triples, from SPARQL run by Oxigraph.
    At most ``limit`` results are kept (``Report.omitted`` counts the rest); ``conforms`` counts
    them all. Raises :class:`kkb_lod.shacl_sparql.UnsupportedShape` for a shape it cannot run.
    """
    checks = _default_checks() if shapes is None else compile_shapes(shapes)
    shapes = load_shapes() if shapes is None else shapes
    outcome = run_checks(store, checks, limit, workers)
    graph = Graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(outcome.violations == 0)))
    results = []
    for row in outcome.rows:
        node = _add_row(graph, shapes, row)
        graph.add((report, SH.result, node))
        results.append(_result(graph, node, shapes))
    return Report(
        outcome.violations == 0, graph, tuple(sorted(results, key=_order)), outcome.total - len(results)
    )


def validate_graphs(graphs: Mapping[str, Graph], shapes: Graph | None = None) -> Report:
    """:func:`validate_store` on ``graphs`` (data and ontology), each a named graph of a new store."""
    store = ox.Store()
    for name, graph in graphs.items():
        store.load(
            graph.serialize(format="nt", encoding="utf-8"),
            ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(f"urn:kkb-lod:validate:{quote(name)}"),
        )
    return validate_store(store, shapes)


def _add_row(graph: Graph, shapes: Graph, row: Row) -> BNode:
    """One ``sh:ValidationResult`` (its path copied from the shapes graph when it is a blank node)."""
    node = BNode()
    check = row.check
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, row.focus))
    graph.add((node, SH.resultMessage, Literal(row.message)))
    graph.add((node, SH.sourceShape, check.shape))
    graph.add((node, SH.resultSeverity, SH[check.severity]))
    graph.add((node, SH.sourceConstraintComponent, row.component))
    if row.value is not None:
        graph.add((node, SH.value, row.value))
    if row.path is not None:
        graph.add((node, SH.resultPath, row.path))
        if isinstance(row.path, BNode):
            graph += shapes.cbd(row.path)
    return node


def _result(graph: Graph, node: Node, shapes: Graph) -> Result:
    """Flatten one result; a blank property shape is named by the node shape that holds it."""
    shape = graph.value(node, SH.sourceShape)
    if isinstance(shape, BNode):
        shape = shapes.value(predicate=SH.property, object=shape) or shape
    # English (or untagged) first, then text order: one message, the same one every run.
    messages = sorted(
        graph.objects(node, SH.resultMessage),
        key=lambda m: (isinstance(m, Literal) and m.language not in (None, "en"), str(m)),
    )
    value = graph.value(node, SH.value)
    return Result(
        focus=str(graph.value(node, SH.focusNode) or ""),
        path=_path(graph, graph.value(node, SH.resultPath)),
        value=None if value is None else str(value),
        message=str(messages[0]) if messages else "",
        shape=str(shape or ""),
        severity=str(graph.value(node, SH.resultSeverity) or "").rsplit("#", 1)[-1],
    )


def _path(graph: Graph, path: Node | None) -> str | None:
    """A result path as text; an inverse path (a blank node) as ``^<iri>``, never a bnode id."""
    if isinstance(path, BNode) and (inverse := graph.value(path, SH.inversePath)) is not None:
        return f"^{inverse}"
    return None if path is None else str(path)
