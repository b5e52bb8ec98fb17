"""Dumps: every format parses to exactly the dataset it was written from; same input, same bytes.

The text rewritings (:mod:`kkb_lod.textdumps`) are checked on datasets made to be awkward:
literals with every escape, language tags, datatypes, unicode, blank nodes (canonical labels, as
the build writes them), one triple in two graphs. Each file is parsed back by pyoxigraph and by
rdflib and compared with what was written (sets of quads, isomorphism for blank nodes).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kkb_lod import textdumps
from kkb_lod.dumps import DUMPS, merge_unique, merging, sort_unique, write_dumps
from kkb_lod.vocab import PREFIXES

EX = "http://example.org/"
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from('"\\\n\r\t\b\f\x00\x1f\x7f\u00e9\u4e2d\U0001f600 .;<>{}[]'),
    )
)


def awkward(texts: list[str]) -> ox.Dataset:
    """A dataset with every kind of term our dumps carry, and the texts as literals."""
    g1, g2 = ox.NamedNode(EX + "graph/one"), ox.NamedNode(EX + "graph/two")
    s, p, q = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q#x")
    b0, b1 = ox.BlankNode("c14n0"), ox.BlankNode("c14n1")
    quads = [
        ox.Quad(s, p, ox.NamedNode(EX + "o"), g1),
        ox.Quad(s, p, ox.NamedNode(EX + "o"), g2),
        ox.Quad(s, q, b0, g2),
        ox.Quad(b0, p, b1, g2),
        ox.Quad(b1, q, ox.Literal("1"), g2),
        ox.Quad(ox.NamedNode(EX + "é/ünï"), p, ox.Literal("x", language="en-gb"), g1),
    ]
    for i, text in enumerate(texts):
        subject = ox.NamedNode(f"{EX}s{i % 3}")
        graph = g1 if i % 2 else g2
        quads += [
            ox.Quad(subject, p, ox.Literal(text), graph),
            ox.Quad(subject, p, ox.Literal(text, language="id"), graph),
            ox.Quad(subject, q, ox.Literal(text, datatype=ox.NamedNode(EX + "dt")), graph),
            ox.Quad(b0, q, ox.Literal(text), g1),
        ]
    return ox.Dataset(quads + named(LOCALS, g1))


#: Local names after one of our namespaces: plain ones become prefixed names in Turtle, the others
#: (a trailing dot, a leading hyphen, a colon, an escape, non-ASCII, a slash) stay full IRIs;
#: dots inside, even two, are plain.
LOCALS = [
    "KKBDesignation",
    "62.04.06.2020",
    "",
    "_x",
    "x.y-z",
    "a.",
    "-x",
    "x:y",
    "x%20y",
    "x~y",
    "é",
    "id/village",
    "a..b",
    "9",
]


def named(locals_: list[str], graph: ox.NamedNode) -> list[ox.Quad]:
    """Statements whose subject, type, object and datatype are IRIs in our namespaces ending in
    ``locals_``."""
    kkb, xsd = PREFIXES["kkb"], PREFIXES["xsd"]
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    quads = []
    for local in locals_:
        iri = ox.NamedNode(kkb + local)
        quads += [
            ox.Quad(iri, rdf_type, iri, graph),
            ox.Quad(
                iri, ox.NamedNode(kkb + "p"), ox.Literal("1", datatype=ox.NamedNode(xsd + "integer")), graph
            ),
            ox.Quad(iri, iri, ox.Literal(local, datatype=ox.NamedNode(xsd + local)), graph),
        ]
    return quads


def sorted_nquads(dataset: ox.Dataset, folder: Path, parts: int = 2) -> Path:
    """The dataset as ``parts`` N-Quads files (repeats included), each sorted and then merged
    into ``folder/kkb.nq``, as the build does."""
    lines = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    sorted_parts = []
    for i in range(parts):
        part = folder / f"part-{i}.nq"
        part.write_bytes(b"".join(lines[i::parts]) + b"".join(lines[:2]))
        sorted_parts.append(folder / f"part-{i}.sorted")
        sort_unique(part, sorted_parts[-1], folder)
    merge_unique(sorted_parts, folder / "kkb.nq", folder)
    return folder / "kkb.nq"


def triples_of(dataset: ox.Dataset) -> set[ox.Triple]:
    return {quad.triple for quad in dataset}


def rdflib_graph(dataset: ox.Dataset) -> Graph:
    """The union of the dataset's graphs, as rdflib reads it."""
    return Graph().parse(
        data=ox.serialize(triples_of(dataset), format=ox.RdfFormat.N_TRIPLES).decode(), format="nt"
    )


def check_quads(path: Path, fmt: ox.RdfFormat, dataset: ox.Dataset) -> None:
    assert set(ox.parse(path=path, format=fmt)) == set(dataset), path.name
    parsed = Dataset()
    parsed.parse(path, format="trig" if fmt == ox.RdfFormat.TRIG else "nquads")
    for graph in {quad.graph_name for quad in dataset}:
        expected = Graph().parse(
            data=ox.serialize(
                [q.triple for q in dataset if q.graph_name == graph], format=ox.RdfFormat.N_TRIPLES
            ).decode(),
            format="nt",
        )
        assert isomorphic(parsed.graph(graph.value), expected), (path.name, graph)


def check_triples(path: Path, fmt: ox.RdfFormat, dataset: ox.Dataset, rdflib_format: str) -> None:
    if fmt != ox.RdfFormat.JSON_LD:
        assert {q.triple for q in ox.parse(path=path, format=fmt)} == triples_of(dataset), path.name
    else:  # blank node labels are the parser's own: compare canonicalised
        parsed = ox.Dataset(
            ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(path=path, format=fmt)
        )
        expected = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples_of(dataset))
        parsed.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        expected.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        assert set(parsed) == set(expected), path.name
    assert isomorphic(Graph().parse(path, format=rdflib_format), rdflib_graph(dataset)), path.name


def test_every_dump_parses_to_the_dataset_written(tmp_path: Path) -> None:
    dataset = awkward(
        [
            "plain",
            'quote " and \\ backslash',
            "line\nbreak\r\ttab",
            "\x00\x07\x7f",
            "ünïcödé 中文 😀",
            "",
            " leading and trailing ",
            "a ; b . c",
        ]
    )
    folder = tmp_path / "dumps"
    folder.mkdir()
    sorted_nquads(dataset, folder)
    dumps, counts, triples = write_dumps(folder)
    assert triples == len(triples_of(dataset))
    assert {d.name for d in dumps} == {"kkb.nq", "kkb.trig", "kkb.nt", "kkb.ttl", "kkb.jsonld", "kkb.nt.gz"}
    assert counts == {
        EX + "graph/one": sum(1 for q in dataset if q.graph_name.value.endswith("one")),
        EX + "graph/two": sum(1 for q in dataset if q.graph_name.value.endswith("two")),
    }
    check_quads(folder / "kkb.nq", ox.RdfFormat.N_QUADS, dataset)
    check_quads(folder / "kkb.trig", ox.RdfFormat.TRIG, dataset)
    check_triples(folder / "kkb.nt", ox.RdfFormat.N_TRIPLES, dataset, "nt")
    check_triples(folder / "kkb.ttl", ox.RdfFormat.TURTLE, dataset, "turtle")
    check_triples(folder / "kkb.jsonld", ox.RdfFormat.JSON_LD, dataset, "json-ld")
    for name in ("kkb.nq", "kkb.nt"):
        lines = (folder / name).read_bytes().splitlines(keepends=True)
        assert lines == sorted(set(lines)), name
    import gzip

    assert gzip.decompress((folder / "kkb.nt.gz").read_bytes()) == (folder / "kkb.nt").read_bytes()


def test_same_input_gives_byte_identical_files(tmp_path: Path) -> None:
    dataset = awkward(["one", "two", 'th"ree'])
    for name, parts in (("a", 3), ("b", 1)):
        (tmp_path / name).mkdir()
        sorted_nquads(dataset, tmp_path / name, parts)
    first, _, _ = write_dumps(tmp_path / "a")
    again, _, _ = write_dumps(tmp_path / "b")
    assert first == again
    for dump in first:
        assert (tmp_path / "a" / dump.name).read_bytes() == (tmp_path / "b" / dump.name).read_bytes(), (
            dump.name
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT, min_size=1, max_size=8))
def test_text_rewritings_keep_any_literal(tmp_path_factory, texts: list[str]) -> None:
    folder = tmp_path_factory.mktemp("rewrite")
    dataset = awkward(texts)
    nq = sorted_nquads(dataset, folder, parts=1)
    nt, ttl, trig, jsonld = (folder / f"kkb.{ext}" for ext in ("nt", "ttl", "trig", "jsonld"))
    counts, written = textdumps.ntriples_and_trig(str(nq), str(nt), str(trig))
    textdumps.turtle_and_jsonld(str(nq), str(ttl), str(jsonld), PREFIXES)
    assert sum(counts.values()) == len(dataset) and written == len(triples_of(dataset))
    assert set(ox.parse(path=trig, format=ox.RdfFormat.TRIG)) == set(dataset)
    for path, fmt in ((nt, ox.RdfFormat.N_TRIPLES), (ttl, ox.RdfFormat.TURTLE)):
        assert {q.triple for q in ox.parse(path=path, format=fmt)} == triples_of(dataset), path.name
    check_triples(jsonld, ox.RdfFormat.JSON_LD, dataset, "json-ld")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(
            st.sampled_from(["a", "Z", "0", "9", "_", "-", ".", ":", "%41", "~", "/", "é", "x"]), max_size=6
        ).map("".join),
        min_size=1,
        max_size=6,
    )
)
def test_turtle_prefixed_names_keep_any_iri(tmp_path_factory, locals_: list[str]) -> None:
    """Whatever follows a namespace, the Turtle dump names the same IRIs (pyoxigraph and rdflib
    read it back), and a plain local part is written as a prefixed name."""
    folder = tmp_path_factory.mktemp("names")
    dataset = ox.Dataset(named(locals_, ox.NamedNode(EX + "graph/one")))
    nq = sorted_nquads(dataset, folder, parts=1)
    ttl, jsonld = folder / "kkb.ttl", folder / "kkb.jsonld"
    textdumps.turtle_and_jsonld(str(nq), str(ttl), str(jsonld), PREFIXES)
    check_triples(ttl, ox.RdfFormat.TURTLE, dataset, "turtle")
    text = ttl.read_text(encoding="utf-8")
    assert " a kkb:" in text or " a <" in text
    for local in locals_:
        if textdumps._LOCAL.match(local.encode()):
            assert f"kkb:{local} " in text, local
        else:
            assert f"<{PREFIXES['kkb']}{local}> " in text, local


def test_turtle_uses_prefixed_names(tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    sorted_nquads(ox.Dataset(named(LOCALS, ox.NamedNode(EX + "graph/one"))), folder)
    write_dumps(folder)
    text = (folder / "kkb.ttl").read_text(encoding="utf-8")
    assert text.startswith("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n")
    assert "kkb:62.04.06.2020 a kkb:62.04.06.2020 ;" in text
    assert '"1"^^xsd:integer' in text and "kkb:_x " in text and "kkb:x.y-z " in text
    assert "kkb: a kkb: ;" in text  # the namespace itself: an empty local part
    assert "kkb:a..b " in text
    for kept in ("a.", "-x", "x:y", "x%20y", "x~y", "é", "id/village"):
        assert f"<{PREFIXES['kkb']}{kept}>" in text, kept


def test_merging_streams_what_merge_unique_writes(tmp_path: Path) -> None:
    """The loader reads the merged lines as GNU sort writes them to kkb.nq: the same bytes as
    :func:`merge_unique`, and the same store as a load of that file."""
    dataset = awkward(["one", "two", 'th"ree', "line\nbreak"])
    expected = sorted_nquads(dataset, tmp_path).read_bytes()
    parts = sorted(tmp_path.glob("part-*.sorted"))
    with merging(parts, tmp_path / "merged.nq", tmp_path) as lines:
        store = ox.Store()
        store.bulk_load(lines, format=ox.RdfFormat.N_QUADS, lenient=True)
    assert (tmp_path / "merged.nq").read_bytes() == expected
    loaded = ox.Dataset(store)  # the loader gives blank nodes labels of its own
    for each in (loaded, dataset):
        each.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert set(loaded) == set(dataset)


def test_merging_says_why_sort_failed(tmp_path: Path) -> None:
    with (
        pytest.raises(OSError, match="sort failed: .*missing"),
        merging([tmp_path / "missing"], tmp_path / "merged.nq", tmp_path) as lines,
    ):
        lines.read()


def test_dumps_are_formats_of_the_table() -> None:
    assert {name: (fmt.media_type, fmt.label) for name, fmt in DUMPS.items()} == {
        "kkb.nq": ("application/n-quads", "N-Quads"),
        "kkb.trig": ("application/trig", "TriG"),
        "kkb.nt": ("application/n-triples", "N-Triples"),
        "kkb.ttl": ("text/turtle", "Turtle"),
        "kkb.jsonld": ("application/ld+json", "JSON-LD"),
    }
