"""The SPARQL engine (:func:`validate_store`) reports exactly what pySHACL (:func:`validate_graph`) does.

Compared on every folder of ``tests/shapes_cases/`` (discovered on disk, with a guard on their
number), on the real build of ``data/``, and on builds broken by Hypothesis-chosen deletions and
edits. Results are compared as whole :class:`Result` tuples, duplicates included.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kkb_lod._convert import to_ox
from kkb_lod.cli import cli
from kkb_lod.config import Settings
from kkb_lod.pipeline import ONTOLOGY, map_graphs
from kkb_lod.shacl_sparql import SUPPORTED, UnsupportedShape, compile_shapes, shape_checks
from kkb_lod.validate import Report, load_shapes, validate_graph, validate_graphs, validate_store
from kkb_lod.vocab import GEO, SH, XSD

from .conftest import BASE, DATA

CASES = Path(__file__).parent / "shapes_cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "data.ttl").is_file())
#: The shapes cases when this test was written; more are welcome, fewer means cases were lost.
MIN_CASES = 141


def store_of(graphs: dict[str, Graph]) -> ox.Store:
    """A pyoxigraph store holding each graph as a named graph, as a build does."""
    store = ox.Store()
    for name, graph in graphs.items():
        g = ox.NamedNode(f"urn:graph:{quote(name)}")
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in graph)
    return store


def both(graphs: dict[str, Graph]) -> tuple[Report, Report]:
    """pySHACL on the union of ``graphs`` and the SPARQL engine on a store of them."""
    union = Graph()
    for graph in graphs.values():
        union += graph
    return validate_graph(union, Graph()), validate_store(store_of(graphs))


def assert_same(reference: Report, fast: Report) -> None:
    assert fast.results == reference.results, (reference.text(), fast.text())
    assert fast.conforms == reference.conforms
    assert fast.omitted == 0


@pytest.fixture(scope="module")
def context() -> Graph:
    return Graph().parse(CASES / "context.ttl", format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    from kkb_lod.validate import _default_ontology

    return _default_ontology()


@pytest.fixture(scope="module")
def build() -> dict[str, Graph]:
    return map_graphs(Settings(data_dir=DATA, base_iri=BASE))


def test_no_case_folder_is_lost() -> None:
    assert len(CASE_DIRS) >= MIN_CASES
    assert all((case / "expected.txt").is_file() for case in CASE_DIRS)


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_case_reports_the_same_as_pyshacl(case: Path, context: Graph, ontology: Graph) -> None:
    data = Graph().parse(case / "data.ttl", format="turtle")
    reference, fast = both({"context": context, "case": data, ONTOLOGY: ontology})
    assert reference.results, "each case fails on purpose"
    assert_same(reference, fast)


def test_real_build_conforms_the_same(build: dict[str, Graph]) -> None:
    reference, fast = both(build)
    assert reference.conforms and fast.conforms
    assert_same(reference, fast)


@st.composite
def mutations(draw: st.DrawFn, triples: list) -> list[tuple[str, int, object]]:
    """A few deletions, object edits (a wrong literal, a wrong IRI) and duplicated values."""
    index = st.integers(0, len(triples) - 1)
    edit = st.sampled_from(
        [
            Literal("x"),
            Literal("x", lang="en"),
            Literal("99.5", datatype=XSD.decimal),
            Literal("2020", datatype=XSD.gYear),  # ill-typed literals: test_an_ill_typed_value_…
            URIRef("https://w3id.org/kkb/id/nowhere"),
            URIRef("http://www.wikidata.org/entity/Q1"),
        ]
    )
    kind = st.sampled_from(["delete", "edit", "add"])
    return draw(st.lists(st.tuples(kind, index, edit), min_size=1, max_size=4))


def _mutated(build: dict[str, Graph], triples: list, changes: list) -> dict[str, Graph]:
    graphs = {name: Graph() for name in build}
    for name, graph in build.items():
        graphs[name] += graph
    for kind, i, new in changes:
        name, (s, p, o) = triples[i]
        if kind == "delete":
            graphs[name].remove((s, p, o))
        elif kind == "edit":
            graphs[name].set((s, p, new))
        else:
            graphs[name].add((s, p, new))
    return graphs


def test_mutated_builds_report_the_same(build: dict[str, Graph]) -> None:
    triples = sorted((name, t) for name, g in build.items() if name != ONTOLOGY for t in g)
    failing = []

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutations(triples))
    def check(changes: list) -> None:
        reference, fast = both(_mutated(build, triples, changes))
        assert_same(reference, fast)
        failing.append(bool(reference.results))

    check()
    assert sum(failing) >= len(failing) // 2, "most mutations must break some shape"


def test_an_ill_typed_value_breaks_datatype_and_both_bounds(build: dict[str, Graph]) -> None:
    """``"abc"^^xsd:decimal`` as a longitude: the datatype, and sh:minInclusive and
    sh:maxInclusive both, since a comparison with an ill-typed literal is an error and SHACL
    counts an error as a violation (SHACL 4.4). pySHACL compares it as rdflib does, falling back
    to the lexical form ("abc" ≥ "94" holds), and reports one bound only: the one place where the
    engines may differ, so the property test above leaves ill-typed literals out."""
    graphs = {name: Graph() for name in build}
    for name, graph in build.items():
        graphs[name] += graph
    unit = next(s for s in graphs["regions"].subjects(GEO.long, None))
    graphs["regions"].set((unit, GEO.long, Literal("abc", datatype=XSD.decimal)))
    reference, fast = both(graphs)
    ours = [r for r in fast.results if r.focus == str(unit) and r.path == str(GEO.long)]
    theirs = [r for r in reference.results if r.focus == str(unit) and r.path == str(GEO.long)]
    assert len(ours) == 3 and {r.value for r in ours} == {"abc"}
    assert 1 <= len(theirs) < 3
    others = lambda report: [r for r in report.results if r.path != str(GEO.long)]  # noqa: E731
    assert others(fast) == others(reference)


def test_every_component_in_the_shapes_is_supported() -> None:
    shapes = load_shapes()
    used = {p for p in shapes.predicates() if str(p).startswith(str(SH))}
    parameters = used - {
        SH.message,
        SH.severity,
        SH.name,
        SH.path,
        SH.property,
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.select,
        SH.prefixes,
        SH.declare,
        SH.prefix,
        SH.namespace,
        SH.inversePath,
    }
    assert parameters and parameters <= SUPPORTED, sorted(parameters - SUPPORTED)
    assert compile_shapes(shapes)


def test_an_unknown_component_fails_at_compile_time() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass <urn:x:C> ; sh:message "m" ;
            sh:property [ sh:path <urn:x:p> ; sh:message "m" ; sh:qualifiedMinCount 1 ] .
        <urn:x:T> a sh:NodeShape ; sh:targetClass <urn:x:C> ; sh:message "m" ; sh:node <urn:x:S> .
        <urn:x:U> a sh:NodeShape ; sh:targetClass <urn:x:C> ; sh:message "m" ; sh:datatype xsd:int .
        """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="qualifiedMinCount"):
        compile_shapes(shapes)
    for shape, error in [("T", "shacl#node"), ("U", "xsd:int|XMLSchema#int")]:
        focus = "{ VALUES ?this { <urn:x:t> } }"
        with pytest.raises(UnsupportedShape, match=error):
            shape_checks(shapes, URIRef(f"urn:x:{shape}"), focus)


def test_results_beyond_the_limit_are_counted_not_kept(context: Graph, ontology: Graph) -> None:
    data = Graph().parse(CASES / "unit-latitude-outside-indonesia" / "data.ttl", format="turtle")
    store = store_of({"context": context, "case": data, ONTOLOGY: ontology})
    full = validate_store(store)
    capped = validate_store(store, limit=0)
    assert full.results and capped.results == ()
    assert capped.omitted == len(full.results) and not capped.conforms
    assert "more result(s) not shown" in capped.text()


def test_validate_graphs_loads_named_graphs_and_agrees(context: Graph, ontology: Graph) -> None:
    data = Graph().parse(CASES / "code-not-under-parent" / "data.ttl", format="turtle")
    graphs = {"context": context, "case data": data, ONTOLOGY: ontology}
    reference, _ = both(graphs)
    assert validate_graphs(graphs).results == reference.results != ()


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_cli_validates_with_either_engine(engine: str, tmp_path: Path) -> None:
    report = tmp_path / "report.ttl"
    result = CliRunner().invoke(
        cli, ["validate", "--data", str(DATA), "--report", str(report), "--engine", engine]
    )
    assert result.exit_code == 0, result.output
    assert "triples conform" in result.output
    graph = Graph().parse(report, format="turtle")
    assert (None, SH.conforms, Literal(True)) in graph


#: Components and targets our shapes do not use (yet), each against data that breaks it.
GENERIC = {
    "logic": """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:message "logic"@en, "logika"@id ;
            sh:or ( [ sh:class ex:A ] [ sh:class ex:B ] ) ; sh:not [ sh:class ex:X ] ;
            sh:and ( [ sh:nodeKind sh:BlankNodeOrIRI ] [ sh:pattern "^urn:x:g" ; sh:flags "i" ] ) ;
            sh:xone ( [ sh:hasValue ex:g1 ] [ sh:nodeKind sh:IRIOrLiteral ] ) .
        ex:g1 a ex:C, ex:A . ex:g2 a ex:C, ex:X . ex:G3 a ex:C, ex:B . ex:h a ex:D .
        ex:D rdfs:subClassOf ex:C .""",
    "values": """
        ex:S a sh:NodeShape ; sh:targetObjectsOf ex:refers ; sh:property ex:S-p , ex:S-q .
        ex:S-p sh:path ex:p ; sh:message "p" ; sh:minCount 2 ; sh:maxLength 3 ; sh:minExclusive 0 ;
            sh:maxExclusive 10 ; sh:datatype xsd:integer .
        ex:S-q sh:path ( ex:p [ sh:inversePath ex:p ] ) ; sh:message "q" ; sh:maxCount 1 ;
            sh:languageIn ( "*" ) ; sh:deactivated false .
        ex:root ex:refers ex:a, ex:b, ex:c .
        ex:a ex:p 1, 2 . ex:b ex:p 5000, "x"@en . ex:c ex:p "7"^^xsd:integer , "zz"^^xsd:integer .""",
    "targets": """
        ex:Thing a rdfs:Class, sh:NodeShape ; sh:message "implicit" ; sh:in ( ex:t1 ) .
        ex:Off a sh:NodeShape ; sh:targetNode ex:t1 ; sh:deactivated true ; sh:message "off" ;
            sh:nodeKind sh:Literal .
        ex:Lit a sh:NodeShape ; sh:targetNode ex:t2, "lit" ; sh:message "node" ; sh:minLength 4 ;
            sh:datatype xsd:string ; sh:hasValue "lit" .
        ex:t1 a ex:Thing . ex:t2 a ex:Thing .""",
}
PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:x:> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.parametrize("name", sorted(GENERIC))
def test_components_beyond_our_shapes_agree_with_pyshacl(name: str) -> None:
    graph = Graph().parse(data=PREFIXES + GENERIC[name], format="turtle")
    reference = validate_graph(graph, Graph(), shapes=graph)
    fast = validate_store(store_of({"all": graph}), graph)
    assert len(reference.results) >= 3, reference.text()
    assert_same(reference, fast)


#: Focus nodes ex:n0 … ex:n5 with 0 … 5 values of ex:p (distinct), counted by each shape.
COUNTS = (
    "".join(
        f"ex:root ex:refers ex:n{n} . " + "".join(f"ex:n{n} ex:p {v} . " for v in range(n)) for n in range(6)
    )
    + """
    ex:S a sh:NodeShape ; sh:targetObjectsOf ex:refers ;
        sh:property ex:min0, ex:min1, ex:min2, ex:min3, ex:range3to4, ex:max2 .
    ex:min0 sh:path ex:p ; sh:message "min0" ; sh:minCount 0 .
    ex:min1 sh:path ex:p ; sh:message "min1" ; sh:minCount 1 .
    ex:min2 sh:path ex:p ; sh:message "min2" ; sh:minCount 2 .
    ex:min3 sh:path ex:p ; sh:message "min3" ; sh:minCount 3 .
    ex:range3to4 sh:path ex:p ; sh:message "range3to4" ; sh:minCount 3 ; sh:maxCount 4 .
    ex:max2 sh:path ex:p ; sh:message "max2" ; sh:maxCount 2 .
"""
)


def test_cardinalities_are_exact_at_every_count() -> None:
    """sh:minCount n fails exactly the focus nodes with fewer than n values, sh:maxCount m those
    with more than m, alone or together (one query then), at and around each bound; as pySHACL."""
    graph = Graph().parse(data=PREFIXES + COUNTS, format="turtle")
    reference = validate_graph(graph, Graph(), shapes=graph)
    fast = validate_store(store_of({"all": graph}), graph)
    assert_same(reference, fast)
    failing = {(r.message, r.focus) for r in fast.results}
    expected = {
        ("min1", 0),
        ("min2", 0),
        ("min2", 1),
        ("min3", 0),
        ("min3", 1),
        ("min3", 2),
        ("range3to4", 0),
        ("range3to4", 1),
        ("range3to4", 2),
        ("range3to4", 5),
        ("max2", 3),
        ("max2", 4),
        ("max2", 5),
    }
    assert failing == {(message, f"urn:x:n{n}") for message, n in expected}
    assert all(r.value is None for r in fast.results)  # set-level components: no value node
    for report in (reference, fast):  # which bound failed, where both are given
        components = {
            (
                str(report.graph.value(r, SH.focusNode)).rsplit(":", 1)[-1],
                str(report.graph.value(r, SH.sourceConstraintComponent)).rsplit("#")[-1],
            )
            for r in report.graph.subjects(SH.sourceShape, URIRef("urn:x:range3to4"))
        }
        assert components == {
            ("n0", "MinCountConstraintComponent"),
            ("n1", "MinCountConstraintComponent"),
            ("n2", "MinCountConstraintComponent"),
            ("n5", "MaxCountConstraintComponent"),
        }
