"""Indicator observations (optional registry/indicators.csv + observations.csv) → RDF Data Cube."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kkb_lod.checks import check_registry
from kkb_lod.ingest import InputError, read_registry
from kkb_lod.iris import INDICATORS, Minter
from kkb_lod.mapping import map_registry, to_graph

from .conftest import BASE

# A made-up indicator and value, only in a temporary copy of the registry: never published.
INDICATORS_CSV = (
    "indicator_id,label,label_en,source\nkb-share,Indikator uji,Test indicator,antara-buntok-kkb\n"
)
OBSERVATIONS_CSV = (
    "indicator,area_code,year,value,source\nkb-share,62.04.06.2020,2021,41.5,antara-buntok-kkb\n"
)
EXPECTED = """
@prefix kkb: <https://w3id.org/kkb/def#> . @prefix qb: <http://purl.org/linked-data/cube#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/kkb/id/> .
<dataset/indicators-structure> a qb:DataStructureDefinition ;
    rdfs:label "Struktur data indikator: indikator, wilayah, tahun; nilai"@id ,
        "Indicator data structure: indicator, area, year; value"@en ;
    qb:component [ qb:dimension kkb:indicator ; qb:order 1 ] , [ qb:dimension kkb:refArea ; qb:order 2 ] ,
        [ qb:dimension kkb:refYear ; qb:order 3 ] , [ qb:measure kkb:indicatorValue ] .
<dataset/indicators> a qb:DataSet ; qb:structure <dataset/indicators-structure> ;
    rdfs:label "Indikator Kampung Keluarga Berkualitas per wilayah dan tahun"@id ,
        "Quality Family Village indicators by area and year"@en ;
    prov:wasDerivedFrom <source/antara-buntok-kkb> .
<indicator/kb-share> a kkb:Indicator , skos:Concept ; skos:notation "kb-share" ;
    rdfs:label "Indikator uji"@id , "Test indicator"@en ;
    prov:wasDerivedFrom <source/antara-buntok-kkb> .
<observation/kb-share-62-04-06-2020-2021> a qb:Observation ; qb:dataSet <dataset/indicators> ;
    kkb:indicator <indicator/kb-share> ; kkb:refArea <village/62.04.06.2020> ;
    kkb:refYear "2021"^^xsd:gYear ; kkb:indicatorValue "41.5"^^xsd:decimal ;
    prov:wasDerivedFrom <source/antara-buntok-kkb> .
"""


def with_tables(folder: Path, indicators: str, observations: str) -> Path:
    (folder / "registry" / "indicators.csv").write_text(indicators, encoding="utf-8")
    (folder / "registry" / "observations.csv").write_text(observations, encoding="utf-8")
    return folder


def test_observations_map_to_a_data_cube(data_copy: Path) -> None:
    registry = read_registry(with_tables(data_copy, INDICATORS_CSV, OBSERVATIONS_CSV))
    check_registry(registry)
    graph = to_graph(map_registry(registry, Minter(BASE))[INDICATORS])
    assert isomorphic(graph, Graph().parse(data=EXPECTED, format="turtle"))


def test_the_tables_are_optional(data_copy: Path) -> None:
    registry = read_registry(data_copy)
    assert registry.observations == () and INDICATORS not in map_registry(registry, Minter(BASE))


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("kb-share,62.04.06.2020,2021,many,antara-buntok-kkb", "value", "is not a number"),
        ("kb-share,62.04.06.2020,21,41.5,antara-buntok-kkb", "year", "is not a year"),
        ("kb-other,62.04.06.2020,2021,41.5,antara-buntok-kkb", "indicator", "not an id in indicators.csv"),
        ("kb-share,62.04.06.2099,2021,41.5,antara-buntok-kkb", "area_code", "not a code in the official"),
        ("kb-share,62.04.06.2020,2022,41.5,nowhere", "source", "not an id in sources.csv"),
        ("kb-share,62.04.06.2020,2021,40.0,antara-buntok-kkb", "year", "already have a value on row 2"),
    ],
)
def test_bad_observation_names_file_row_and_column(
    data_copy: Path, row: str, column: str, message: str
) -> None:
    with_tables(data_copy, INDICATORS_CSV, OBSERVATIONS_CSV + row + "\n")
    with pytest.raises(InputError) as caught:
        check_registry(read_registry(data_copy))
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("registry/observations.csv", 3, column)
    assert message in str(problem)


def test_observations_as_nquads_text_are_the_same_statements(data_copy: Path) -> None:
    """The streaming build's text rendering (no Python object per term) of the observations
    equals their triple mapping, including values rdflib rewrites (leading zeros)."""
    import pyoxigraph as ox

    from kkb_lod._convert import to_ox
    from kkb_lod.mapping import Context, observation_nquads, observation_triples

    values = ["41.5", "007.50", "-000", "-0.0", "12", "0.000000000000001", "-3.25", "0"]
    rows = "".join(
        f"kb-share,{area},{2015 + i},{value},antara-buntok-kkb\n"
        for i, value in enumerate(values)
        for area in ("62.04.06.2020", "62.04")
    )
    registry = read_registry(
        with_tables(data_copy, INDICATORS_CSV, "indicator,area_code,year,value,source\n" + rows)
    )
    check_registry(registry)
    mint = Minter(BASE)
    ctx = Context(mint, registry)
    graph = ox.NamedNode(str(mint.graph(INDICATORS)))
    text = "".join(observation_nquads(ctx, rows_per_block=3))
    written = list(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    expected = {ox.Quad(*map(to_ox, triple), graph) for triple in observation_triples(ctx)}
    assert len(written) == len(expected) == 7 * len(values) * 2
    assert set(written) == expected


def test_an_over_long_observation_key_is_refused_in_both_renderings(data_copy: Path) -> None:
    from kkb_lod.iris import IriError
    from kkb_lod.mapping import Context, observation_nquads, observation_triples

    long_id = "k" + "-x" * 36  # a valid slug; with area code and year the key passes 80 chars
    registry = read_registry(
        with_tables(
            data_copy,
            f"indicator_id,label,label_en,source\n{long_id},Uji,Test,antara-buntok-kkb\n",
            f"indicator,area_code,year,value,source\n{long_id},62.04.06.2020,2021,1,antara-buntok-kkb\n",
        )
    )
    ctx = Context(Minter(BASE), registry)
    for rendering in (observation_nquads, observation_triples):
        with pytest.raises(IriError, match="slug"):
            list(rendering(ctx))
