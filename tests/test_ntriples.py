"""Our N-Triples text of a term is exactly pyoxigraph's, for any string (Hypothesis)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kkb_lod import ntriples
from kkb_lod._convert import to_ox

#: Any text, with the characters that need escaping made frequent.
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from('"\\\n\r\t\b\f\x00\x01\x1f\x7f\u00e9\u4e2d\U0001f600\ufffe\uffff\ufdd0\x85'),
    )
)
LANGUAGES = st.sampled_from(["id", "en", "EN", "en-GB", "zh-Hant-TW", "de-CH-1996"])
DATATYPES = st.sampled_from(
    [
        XSD.string,
        XSD.decimal,
        XSD.gYear,
        XSD.date,
        XSD.integer,
        URIRef("https://w3id.org/kkb/def#custom"),
        None,
    ]
)


def oxigraph_text(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    """What pyoxigraph's own N-Triples serialiser writes for ``term`` as an object."""
    quad = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), term)
    line = ox.serialize([quad], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return line[len("<http://example.org/s> <http://example.org/p> ") : -len(" .\n")]


@given(TEXT)
@example("\ufffe\uffff")  # noncharacters pyoxigraph escapes (found by Hypothesis in CI)
def test_plain_literals_are_escaped_as_pyoxigraph_does(value: str) -> None:
    assert ntriples.quoted(value) == ntriples.term(Literal(value)) == oxigraph_text(ox.Literal(value))


@given(TEXT, LANGUAGES)
def test_language_tagged_literals(value: str, language: str) -> None:
    assert ntriples.term(Literal(value, lang=language)) == oxigraph_text(ox.Literal(value, language=language))


@given(TEXT, DATATYPES)
@example("\ufffe", XSD.string)
def test_typed_literals(value: str, datatype: URIRef | None) -> None:
    term = Literal(value, datatype=datatype) if datatype else Literal(value)
    assert ntriples.term(term) == oxigraph_text(to_ox(term))


@pytest.mark.parametrize(
    "term",
    [
        URIRef("https://w3id.org/kkb/id/village/62.04.06.2020"),
        URIRef("http://example.org/é#x"),
        BNode("c14n0"),
        Literal(1),
        Literal(True),
        Literal("2021", datatype=XSD.gYear),
        Literal("41.50", datatype=XSD.decimal),
        Literal("Kampung Keluarga Berkualitas", lang="id"),
    ],
)
def test_terms_of_our_data(term: URIRef | BNode | Literal) -> None:
    assert ntriples.term(term) == oxigraph_text(to_ox(term))


def test_other_objects_are_refused() -> None:
    with pytest.raises(TypeError):
        ntriples.term("not a term")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "iri",
    [
        "relative/path",
        "http://example.org/a b",
        "http://example.org/<x>",
        'http://example.org/"',
        "http://example.org/x\n",
        "http://x/{y}",
    ],
)
def test_iris_n_triples_cannot_hold_are_refused(iri: str) -> None:
    """The store's loader trusts our files (lenient): the writer is where a bad IRI stops."""
    with pytest.raises(ValueError, match="not an IRI N-Triples can write"):
        ntriples.term(URIRef(iri))
