"""SHACL shapes: the real build conforms, and every shape fails on its own broken fixture.

Each folder of ``tests/shapes_cases/`` holds a SPARQL Update that breaks the real build graph in one
way (``update.ru``) and the shape that must report it (``expected.txt``: node shape and path, ``-``
for a SPARQL constraint of the node shape). A guard checks that every property shape and every
SPARQL constraint of ``shapes/`` has a case, so the collection cannot silently shrink.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef

from kkb_lod.config import Settings
from kkb_lod.pipeline import ONTOLOGY, map_graphs
from kkb_lod.validate import load_shapes, validate_graph
from kkb_lod.vocab import PREFIXES, RDF, RDFS, SH

from .conftest import BASE, DATA

CASES = Path(__file__).parent / "shapes_cases"
SHAPES_NS = "https://w3id.org/kkb/shapes#"


def collect_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "update.ru").is_file())


@pytest.fixture(scope="module")
def union() -> Graph:
    """The real build graph with the ontology mixed in, as the build validates it."""
    graph = Graph()
    for g in map_graphs(Settings(data_dir=DATA, base_iri=BASE)).values():
        graph += g
    return graph


def short(iri: URIRef) -> str:
    for prefix, namespace in PREFIXES.items():
        if str(iri).startswith(namespace):
            return f"{prefix}:{str(iri)[len(namespace):]}"
    return str(iri)


def test_real_build_conforms(union: Graph) -> None:
    report = validate_graph(union, Graph())
    assert report.conforms, report.text()
    assert report.results == ()


@pytest.mark.parametrize("case", collect_cases(), ids=lambda p: p.name)
def test_each_shape_catches_its_fixture(case: Path, union: Graph) -> None:
    broken = Graph()
    broken += union
    broken.update((case / "update.ru").read_text(), initNs=PREFIXES)
    shape, path = (case / "expected.txt").read_text().split()
    report = validate_graph(broken, Graph())
    assert not report.conforms
    found = {(r.shape.removeprefix(SHAPES_NS), short(URIRef(r.path)) if r.path else "-")
             for r in report.results}
    assert (shape, path) in found, report.text()
    for result in report.results:
        assert result.message and result.focus and result.shape.startswith(SHAPES_NS)


def test_every_shape_has_a_failing_fixture() -> None:
    shapes = load_shapes()
    wanted = set()
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        name = str(node_shape).removeprefix(SHAPES_NS)
        for prop in shapes.objects(node_shape, SH.property):
            assert isinstance(prop, BNode)
            wanted.add((name, short(shapes.value(prop, SH.path))))
        if (node_shape, SH.sparql, None) in shapes:
            wanted.add((name, "-"))
    covered = {tuple((c / "expected.txt").read_text().split()) for c in collect_cases()}
    assert wanted - covered == set(), "shapes without a failing fixture"
    assert len(wanted) >= 60


def test_every_class_and_property_we_publish_is_constrained() -> None:
    shapes = load_shapes()
    graphs = map_graphs(Settings(data_dir=DATA, base_iri=BASE))
    ontology = graphs.pop(ONTOLOGY)
    data = Graph()
    for graph in graphs.values():
        data += graph
    targets = set(shapes.objects(None, SH.targetClass))
    paths = set(shapes.objects(None, SH.path))
    untargeted = {short(c) for c in set(data.objects(None, RDF.type)) - targets
                  if not any((c, RDFS.subClassOf, t) in ontology for t in targets)}
    # co-types that only restate, in another vocabulary, a class of ours that is constrained
    assert untargeted == {"schema:AdministrativeArea", "prov:Activity", "prov:Entity",
                          "schema:NewsArticle", "foaf:Organization", "org:FormalOrganization",
                          "org:OrganizationalUnit"}
    ours = {p for p in data.predicates() if str(p).startswith(PREFIXES["kkb"])}
    assert {short(p) for p in ours - paths} == set()


def test_report_text_names_focus_path_value_message_and_shape(union: Graph) -> None:
    broken = Graph()
    broken += union
    broken.update((CASES / "unit-latitude-outside-indonesia" / "update.ru").read_text(),
                  initNs=PREFIXES)
    text = validate_graph(broken, Graph()).text()
    assert "focus node: https://w3id.org/kkb/id/village/62.04.06.2020" in text
    assert "path:       http://www.w3.org/2003/01/geo/wgs84_pos#lat" in text
    assert "value:      48.85" in text
    assert "within Indonesia" in text
    assert f"shape:      {SHAPES_NS}AdministrativeUnitShape" in text
