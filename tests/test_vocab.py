"""``kkb_lod.vocab.KKB`` and ``ontology/kkb.ttl`` list the same terms, each fully documented.

The check runs in both directions, so a term cannot be added to the code without defining it in
the ontology, nor defined in the ontology without being usable (and checked) in the code.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kkb_lod.cells import CLASSIFICATIONS, POKTAN
from kkb_lod.vocab import CLASSIFICATION_LEVELS, FAMILY_FUNCTIONS, KKB, ONTOLOGY_IRI, POKTAN_KINDS

ONTOLOGY_FILE = Path(__file__).parents[1] / "ontology" / "kkb.ttl"
NS = str(KKB._NS)
ONTOLOGY = URIRef(ONTOLOGY_IRI)
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
TERM_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    SKOS.Concept,
    SKOS.ConceptScheme,
    OWL.NamedIndividual,
}
TERM_NAMES = sorted(name for name in KKB.__annotations__ if not name.startswith("_"))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def languages(values: Iterable[Node]) -> set[str | None]:
    return {v.language for v in values if isinstance(v, Literal)}


def test_term_list_is_not_empty() -> None:
    """Guard: the parametrised tests below cannot silently shrink to nothing."""
    assert len(TERM_NAMES) > 40
    assert len(set(TERM_NAMES)) == len(TERM_NAMES)


@pytest.mark.parametrize("name", TERM_NAMES)
def test_code_term_is_defined_in_ontology(ontology: Graph, name: str) -> None:
    term = URIRef(NS + name)
    assert getattr(KKB, name) == term
    types = set(ontology.objects(term, RDF.type))
    assert types & TERM_TYPES, f"kkb:{name} is not declared in {ONTOLOGY_FILE.name}: types {types}"


def test_ontology_defines_no_term_missing_from_code(ontology: Graph) -> None:
    subjects = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(NS)}
    extra = sorted(s[len(NS) :] for s in subjects if s[len(NS) :] not in TERM_NAMES)
    assert not extra, f"terms in the ontology but not in kkb_lod.vocab.KKB: {extra}"
    assert len(subjects) == len(TERM_NAMES)


@pytest.mark.parametrize("name", TERM_NAMES)
def test_term_is_documented_in_both_languages(ontology: Graph, name: str) -> None:
    term = URIRef(NS + name)
    assert {"id", "en"} <= languages(ontology.objects(term, RDFS.label)), f"kkb:{name} rdfs:label"
    notes = [*ontology.objects(term, RDFS.comment), *ontology.objects(term, SKOS.definition)]
    assert {"id", "en"} <= languages(notes), f"kkb:{name} needs rdfs:comment or skos:definition @id @en"
    assert (term, RDFS.isDefinedBy, ONTOLOGY) in ontology


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert (ONTOLOGY, OWL.versionIRI, None) in ontology
    version = ontology.value(ONTOLOGY, OWL.versionInfo)
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    assert (ONTOLOGY, DCTERMS.license, CC_BY_4) in ontology
    assert {"id", "en"} <= languages(ontology.objects(ONTOLOGY, DCTERMS.title))
    assert {"id", "en"} <= languages(ontology.objects(ONTOLOGY, DCTERMS.description))


def test_family_function_scheme(ontology: Graph) -> None:
    scheme = KKB.FamilyFunctionScheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    top = set(ontology.objects(scheme, SKOS.hasTopConcept))
    assert len(top) == 8
    assert set(ontology.subjects(SKOS.topConceptOf, scheme)) == top
    # FAMILY_FUNCTIONS maps the CSV slugs onto exactly these eight, in notation order.
    assert len(FAMILY_FUNCTIONS) == 8
    assert set(FAMILY_FUNCTIONS.values()) == top
    for number, concept in enumerate(FAMILY_FUNCTIONS.values(), start=1):
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert (concept, RDF.type, KKB.FamilyFunction) in ontology
        assert (concept, SKOS.inScheme, scheme) in ontology
        assert list(ontology.objects(concept, SKOS.notation)) == [Literal(str(number))]
        pref = list(ontology.objects(concept, SKOS.prefLabel))
        assert sorted(languages(pref)) == ["en", "id"] and len(pref) == 2, concept
        assert set(pref) == set(ontology.objects(concept, RDFS.label)), concept


@pytest.mark.parametrize(
    ("scheme", "concepts", "cls", "notations"),
    [
        (KKB.ClassificationScheme, CLASSIFICATION_LEVELS, KKB.Classification, ["1", "2", "3", "4", "5"]),
        (KKB.PoktanScheme, POKTAN_KINDS, KKB.PoktanKind, list(POKTAN_KINDS)),
    ],
)
def test_registry_concept_schemes(
    ontology: Graph, scheme: URIRef, concepts: dict[str, URIRef], cls: URIRef, notations: list[str]
) -> None:
    """The classification levels and poktan kinds of the registry: the parsers' keys map onto
    exactly the scheme's concepts, whose notations are the levels 1-5 and the abbreviations."""
    top = set(ontology.objects(scheme, SKOS.hasTopConcept))
    assert set(concepts.values()) == top == set(ontology.subjects(SKOS.topConceptOf, scheme))
    assert [str(ontology.value(c, SKOS.notation)) for c in concepts.values()] == notations
    for concept in concepts.values():
        assert (concept, RDF.type, cls) in ontology and (concept, SKOS.inScheme, scheme) in ontology
        pref = list(ontology.objects(concept, SKOS.prefLabel))
        assert sorted(languages(pref)) == ["en", "id"] and len(pref) == 2, concept


def test_parsers_and_concepts_share_their_keys() -> None:
    assert tuple(CLASSIFICATION_LEVELS) == CLASSIFICATIONS
    assert set(POKTAN_KINDS) == set(POKTAN.values())
