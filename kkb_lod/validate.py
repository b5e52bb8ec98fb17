"""SHACL validation with pySHACL: a graph in, a :class:`Report` a person can act on out.

One plain entry point, :func:`validate_graph`. Shapes are validated against the data *plus* the
ontology, so ``sh:targetClass kkb:Village`` reaches every ``kkb:Desa`` through ``rdfs:subClassOf``.
Only violations make a graph non-conforming; warnings and infos are reported but allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Graph
from rdflib.term import Node

from kkb_lod.vocab import ONTOLOGY_FILE, RDF, SH

SHAPES_DIR = Path(__file__).resolve().parents[1] / "shapes"


@dataclass(frozen=True)
class Result:
    """One validation result, as plain strings."""

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
        """Readable report: one block per result, sorted, so the same input reads the same."""
        if not self.results:
            return "Conforms: no SHACL results."
        blocks = []
        for r in self.results:
            lines = [f"{r.severity}: {r.message}", f"  focus node: {r.focus}"]
            if r.path:
                lines.append(f"  path:       {r.path}")
            if r.value is not None:
                lines.append(f"  value:      {r.value}")
            lines.append(f"  shape:      {r.shape}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)


@lru_cache(maxsize=4)
def _load(shapes_dir: Path) -> Graph:
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Every ``*.ttl`` in ``shapes_dir`` (default: the repository's ``shapes/``), read once."""
    return _load((shapes_dir or SHAPES_DIR).resolve())


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def validate_graph(data: Graph, ontology: Graph | None = None,
                   shapes: Graph | None = None) -> Report:
    """Validate ``data`` (with ``ontology`` mixed in) against ``shapes``."""
    data_graph = Graph()
    for triple in data:
        data_graph.add(triple)
    for triple in ontology if ontology is not None else _ontology():
        data_graph.add(triple)
    shapes = shapes if shapes is not None else load_shapes()
    _, graph, _ = validate(data_graph, shacl_graph=shapes, inference="none", advanced=True,
                           allow_warnings=True)
    results = tuple(sorted((_result(graph, node, shapes) for node in
                            graph.subjects(RDF.type, SH.ValidationResult)),
                           key=lambda r: (r.focus, r.shape, r.path or "", r.message)))
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms, graph, results)


def _result(graph: Graph, node: Node, shapes: Graph) -> Result:
    def one(predicate: Node) -> str | None:
        value = graph.value(node, predicate)
        return None if value is None else str(value)

    shape = graph.value(node, SH.sourceShape)
    if isinstance(shape, BNode):  # a property shape: name it by the node shape that holds it
        shape = shapes.value(predicate=SH.property, object=shape) or shape

    return Result(
        focus=one(SH.focusNode) or "",
        path=one(SH.resultPath),
        value=one(SH.value),
        message=one(SH.resultMessage) or "",
        shape=str(shape or ""),
        severity=(one(SH.resultSeverity) or "").rsplit("#", 1)[-1],
    )
