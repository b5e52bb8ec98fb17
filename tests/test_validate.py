"""SHACL shapes: the real build conforms, and every shape fails on a fixture broken its way.

Each folder of ``tests/shapes_cases/`` is a golden case: ``data.ttl`` adds one small resource with
one thing wrong to the valid neighbourhood ``tests/shapes_cases/context.ttl``, and ``expected.txt``
lists (one local name of ``https://w3id.org/kkb/shapes#`` a line) exactly the shapes that must
report it. Guards check that every named shape is expected by some case, so the collection cannot
silently shrink, and that every class and predicate the build publishes is constrained by a shape.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef

from kkb_lod.config import Settings
from kkb_lod.pipeline import ONTOLOGY, map_graphs
from kkb_lod.validate import SHAPES_DIR, load_shapes, validate_graph
from kkb_lod.vocab import KKB, OWL, RDF, RDFS, SH

from .conftest import BASE, DATA

CASES = Path(__file__).parent / "shapes_cases"
CONTEXT = CASES / "context.ttl"
SHAPES = "https://w3id.org/kkb/shapes#"
#: Parameters that make a node shape check something itself (not only through sh:property).
NODE_CONSTRAINTS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.sparql,
    SH.xone,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.node,
    SH["in"],
    SH.hasValue,
    SH.pattern,
    SH.closed,
}


def collect_cases() -> list[Path]:
    """Every case folder (one with a ``data.ttl``), in name order."""
    return sorted(p for p in CASES.iterdir() if (p / "data.ttl").is_file())


def expected(case: Path) -> set[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def local(shape: str) -> str:
    return shape.removeprefix(SHAPES)


def named_shapes(shapes: Graph) -> set[URIRef]:
    return {
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }


@pytest.fixture(scope="module")
def context() -> Graph:
    return Graph().parse(CONTEXT, format="turtle")


@pytest.fixture(scope="module")
def build() -> tuple[Graph, Graph]:
    """The real build of ``data/``: all published named graphs in one graph, and the ontology."""
    graphs = map_graphs(Settings(data_dir=DATA, base_iri=BASE))
    ontology = graphs.pop(ONTOLOGY)
    data = Graph()
    for graph in graphs.values():
        data += graph
    return data, ontology


def broken(context: Graph, case: Path) -> Graph:
    graph = Graph()
    graph += context
    return graph.parse(case / "data.ttl", format="turtle")


def test_context_alone_conforms_without_any_result(context: Graph) -> None:
    report = validate_graph(context)
    assert report.conforms and report.results == (), report.text()


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_case_reports_exactly_its_shapes(case: Path, context: Graph) -> None:
    report = validate_graph(broken(context, case))
    assert {local(r.shape) for r in report.results} == expected(case), report.text()
    assert report.conforms == all(r.severity != "Violation" for r in report.results)
    for r in report.results:
        assert r.focus and r.message and r.shape.startswith(SHAPES), r


def test_every_named_shape_has_a_failing_case() -> None:
    shapes = load_shapes()
    wanted = set()
    for shape in named_shapes(shapes):
        own = {p for p, _ in shapes.predicate_objects(shape)} & NODE_CONSTRAINTS
        if (shape, RDF.type, SH.PropertyShape) in shapes or own:
            wanted.add(local(shape))
        else:  # a node shape that only groups property shapes: they are what must fail
            assert set(shapes.objects(shape, SH.property)), f"{shape} checks nothing"
    covered = set().union(*(expected(case) for case in collect_cases()))
    assert covered <= {local(s) for s in named_shapes(shapes)}, "expected.txt names no shape"
    assert sorted(wanted - covered) == [], "shapes without a failing case"
    assert len(collect_cases()) >= len(wanted)


def test_every_shape_is_named_and_explains_itself() -> None:
    shapes = load_shapes()
    for prop in shapes.objects(None, SH.property):
        assert isinstance(prop, URIRef), "name every property shape, so a case can expect it"
    for shape in named_shapes(shapes):
        assert shapes.value(shape, RDFS.label), f"{shape} has no rdfs:label"
        if (shape, RDF.type, SH.PropertyShape) in shapes:
            assert shapes.value(shape, SH.name), f"{shape} has no sh:name"
        sparql = list(shapes.objects(shape, SH.sparql))
        assert shapes.value(shape, SH.message) or (
            sparql and all(shapes.value(c, SH.message) for c in sparql)
        ), f"{shape}: no sh:message"


def test_real_build_conforms(build: tuple[Graph, Graph]) -> None:
    data, ontology = build
    size = len(data)
    report = validate_graph(data, ontology)
    assert report.conforms and report.results == (), report.text()
    assert len(data) == size, "validation must not modify the data graph"


def test_every_class_and_predicate_published_is_constrained(build: tuple[Graph, Graph]) -> None:
    data, ontology = build
    shapes = load_shapes()
    targets = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH.targetNode))
    paths = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    classes = set(data.objects(None, RDF.type))
    predicates = set(data.predicates()) - {RDF.type}
    assert classes and predicates
    assert sorted(classes - targets) == [], "published classes no shape targets"
    assert sorted(predicates - paths) == [], "published predicates no shape constrains"
    ours = str(KKB._NS)
    declared = {s for s in ontology.subjects(RDF.type, OWL.Class) if str(s).startswith(ours)}
    properties = {
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(ours)
    }
    assert sorted(declared - targets) == [], "ontology classes no shape targets"
    assert sorted(properties - paths) == [], "ontology properties no shape constrains"


def test_report_text_names_focus_path_value_message_and_shape(context: Graph) -> None:
    graph = broken(context, CASES / "unit-latitude-outside-indonesia")
    report = validate_graph(graph)
    text = report.text()
    assert not report.conforms
    assert "Violation: Latitude (geo:lat) must be a single xsd:decimal within Indonesia" in text
    assert "focus node: https://w3id.org/kkb/id/province/63" in text
    assert "path:       http://www.w3.org/2003/01/geo/wgs84_pos#lat" in text
    assert "value:      48.85" in text
    assert f"shape:      {SHAPES}AdministrativeUnit-lat" in text
    assert validate_graph(graph).text() == text, "the text must be deterministic"


def test_report_text_reads_inverse_paths_and_sparql_values(context: Graph) -> None:
    text = validate_graph(broken(context, CASES / "unit-child-not-listed")).text()
    assert "path:       ^https://w3id.org/kkb/def#partOf" in text
    text = validate_graph(broken(context, CASES / "code-not-under-parent")).text()
    assert "Kemendagri code 62.04.05.2001 does not continue its parent's code 62.04.06" in text


def test_warnings_are_reported_but_do_not_fail(context: Graph) -> None:
    report = validate_graph(broken(context, CASES / "kabupaten-with-city-code"))
    assert report.conforms
    assert [r.severity for r in report.results] == ["Warning"]
    assert "Warning: Kemendagri numbers kabupaten 01-69" in report.text()


def test_the_ontology_lets_village_shapes_reach_a_desa(context: Graph) -> None:
    graph = broken(context, CASES / "village-without-supertype")
    with_ontology = {local(r.shape) for r in validate_graph(graph).results}
    without = {local(r.shape) for r in validate_graph(graph, Graph()).results}
    assert "Village-types" in with_ontology and "Village-types" not in without


def test_shapes_are_read_once_from_the_repository(tmp_path: Path) -> None:
    assert SHAPES_DIR == Path(__file__).resolve().parents[1] / "shapes"
    assert load_shapes() is load_shapes() is load_shapes(SHAPES_DIR)
    (tmp_path / "one.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:x:S> a sh:NodeShape .\n"
    )
    assert set(load_shapes(tmp_path).subjects()) == {URIRef("urn:x:S")}
    assert not isinstance(next(iter(load_shapes().subjects(RDF.type, SH.NodeShape))), BNode)
