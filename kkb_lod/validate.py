"""SHACL validation with pySHACL: a graph in, a :class:`Report` a person can act on out.

One plain entry point, :func:`validate_graph`. The shapes (``shapes/*.ttl``) are checked against the
data graph *united with* the ontology, without inference: the ontology's ``rdfs:subClassOf`` is what
lets ``sh:targetClass kkb:Village`` reach every ``kkb:Desa``. The union is built here rather than
through pySHACL's ``ont_graph``, because pySHACL only copies the ontology's class and property
axioms into the data, and the shapes also check resources defined there (the family functions).

Only violations make a graph non-conforming; warnings and infos are reported but allowed, so a
suspicious-but-possible value (a kabupaten code of 70 or more) is flagged without stopping a build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from kkb_lod.vocab import ONTOLOGY_FILE, RDF, SH

#: The repository's shapes folder, located from the package (works from any working directory).
SHAPES_DIR = Path(__file__).resolve().parents[1] / "shapes"


@dataclass(frozen=True)
class Result:
    """One ``sh:ValidationResult``, as plain strings (``path``/``value`` are None when absent)."""

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

    def text(self) -> str:
        """One block per result, in a fixed order, so the same input always reads the same."""
        if not self.results:
            return "Conforms: no SHACL results."
        blocks = []
        for r in self.results:
            lines = [f"{r.severity}: {r.message}", f"  focus node: {r.focus}"]
            if r.path is not None:
                lines.append(f"  path:       {r.path}")
            if r.value is not None:
                lines.append(f"  value:      {r.value}")
            lines.append(f"  shape:      {r.shape}")
            blocks.append("\n".join(lines))
        violations = sum(r.severity == "Violation" for r in self.results)
        summary = f"{violations} violation(s), {len(self.results) - violations} other result(s)."
        return "\n\n".join([*blocks, summary])


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


def validate_graph(data: Graph, ontology: Graph | None = None,
                   shapes: Graph | None = None) -> Report:
    """Validate ``data`` united with ``ontology`` (default ``ontology/kkb.ttl``) against ``shapes``.

    ``data`` is not modified. Pass an empty graph as ``ontology`` when ``data`` already holds it.
    """
    union = Graph()
    union += data
    union += _default_ontology() if ontology is None else ontology
    shapes = load_shapes() if shapes is None else shapes
    _, graph, _ = validate(union, shacl_graph=shapes, inference="none", advanced=True,
                           allow_warnings=True, inplace=True)
    results = tuple(sorted(
        (_result(graph, node, shapes) for node in graph.subjects(RDF.type, SH.ValidationResult)),
        key=lambda r: (r.focus, r.shape, r.path or "", r.value or "", r.message, r.severity)))
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms, graph, results)


def _result(graph: Graph, node: Node, shapes: Graph) -> Result:
    """Flatten one result; a blank property shape is named by the node shape that holds it."""
    def one(predicate: Node) -> str | None:
        value = graph.value(node, predicate)
        return None if value is None else str(value)

    shape = graph.value(node, SH.sourceShape)
    if isinstance(shape, BNode):
        shape = shapes.value(predicate=SH.property, object=shape) or shape
    messages = sorted(graph.objects(node, SH.resultMessage),
                      key=lambda m: (isinstance(m, Literal) and m.language not in (None, "en"),
                                     str(m)))
    return Result(
        focus=one(SH.focusNode) or "",
        path=_path(graph, graph.value(node, SH.resultPath)),
        value=one(SH.value),
        message=str(messages[0]) if messages else "",
        shape=str(shape or ""),
        severity=(one(SH.resultSeverity) or "").rsplit("#", 1)[-1],
    )


def _path(graph: Graph, path: Node | None) -> str | None:
    """A result path as text; an inverse path (a blank node) as ``^<iri>``, never a bnode id."""
    if isinstance(path, BNode) and (inverse := graph.value(path, SH.inversePath)) is not None:
        return f"^{inverse}"
    return None if path is None else str(path)
