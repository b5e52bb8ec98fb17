"""Boundaries as GeoSPARQL geometries (kkb_lod/geometry.py): the packaged polygons are the shared
pack's, unchanged; their WKT is well formed and closed; a release publishes one geometry per unit
it contains that has a polygon, with its source and tolerance; the shapes refuse a broken one."""

from __future__ import annotations

import importlib.util
import json
import lzma
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kkb_lod.geometry import BOUNDARY_FILES, BoundaryFile, boundary, features, geometry_triples, wkt
from kkb_lod.ingest import read_registry
from kkb_lod.iris import IriError, Minter
from kkb_lod.mapping import map_registry, to_graph
from kkb_lod.reference import national_units
from kkb_lod.store import OxigraphStore
from kkb_lod.validate import validate_graph
from kkb_lod.vocab import DCTERMS, GEOSPARQL, KKB, RDF, RDFS, XSD
from kkb_lod.vocab import SPARQL_PROLOGUE as PROLOGUE

from .conftest import BASE, DATA, ROOT

SHARED = ROOT.parent / "shared" / "data" / "boundaries"
NUMBER = r"-?[0-9]+(?:\.[0-9]{1,5})?"
RING = re.compile(rf"\(({NUMBER} {NUMBER}(?:, {NUMBER} {NUMBER})*)\)")
MINT = Minter(BASE)


def rings(text: str) -> list[list[list[str]]]:
    """The rings of a WKT polygon as written (pairs of number strings)."""
    return [[p.split(" ") for p in body.split(", ")] for body in RING.findall(text)]


def select(store: OxigraphStore, query: str) -> list[tuple[str | None, ...]]:
    return [tuple(t.value if t is not None else None for t in row) for row in store.query(PROLOGUE + query)]


# --- the packaged files --------------------------------------------------------------------------


@pytest.mark.parametrize("file", BOUNDARY_FILES, ids=lambda f: f.source_name)
def test_packaged_file_is_the_shared_pack_unchanged(file: BoundaryFile) -> None:
    assert SHARED.is_dir(), f"the shared pack ({SHARED}) is where the packaged files come from"
    assert lzma.decompress(file.path.read_bytes()) == (SHARED / file.source_name).read_bytes()
    assert len(features(file)) == file.features


def test_make_reference_refuses_a_broken_boundary_file() -> None:
    spec = importlib.util.spec_from_file_location("make_reference", ROOT / "scripts" / "make_reference.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    good = lzma.decompress(BOUNDARY_FILES[0].path.read_bytes())
    assert script.boundary_problems("b.geojson", good, 100) == []
    assert script.boundary_problems("b.geojson", good, 99) == ["b.geojson: 100 features, expected 99"]
    broken = good.replace(b'"code":"62.04"', b'"code":"62.4"', 1).replace(b'"Polygon"', b'"Point"', 1)
    assert script.boundary_problems("b.geojson", broken, 100) == [
        "b.geojson line 2: code '62.4', geometry 'Point'"
    ]


# --- WKT ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("file", BOUNDARY_FILES, ids=lambda f: f.source_name)
def test_every_wkt_is_well_formed_closed_and_the_geojson_coordinates(file: BoundaryFile) -> None:
    for code, geometry in features(file).items():
        text = wkt(geometry)
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        expected = [ring for polygon in polygons for ring in polygon]
        found = rings(text)
        assert text.startswith("MULTIPOLYGON (((" if geometry["type"] == "MultiPolygon" else "POLYGON ((")
        assert "e" not in text.lower().replace("polygon", ""), code  # never 1e-05
        assert len(found) == len(expected), code
        for ring, source in zip(found, expected, strict=True):
            assert len(ring) >= 4 and ring[0] == ring[-1], code  # closed
            assert [[float(x), float(y)] for x, y in ring] == source, code
            assert all(94 <= float(x) <= 142 and -12 <= float(y) <= 7 for x, y in ring), code  # lon first


def test_wkt_of_small_numbers_and_of_other_geometries() -> None:
    square = [[[100.0, -0.00001], [100.5, 0.0], [100.5, 1.0], [100.0, -0.00001]]]
    assert (
        wkt({"type": "Polygon", "coordinates": square})
        == "POLYGON ((100 -0.00001, 100.5 0, 100.5 1, 100 -0.00001))"
    )
    with pytest.raises(ValueError, match="not a polygon: Point"):
        wkt({"type": "Point", "coordinates": [100.0, 0.0]})


def test_the_finest_polygon_wins() -> None:
    regency = boundary("62.04")
    assert regency is not None and regency.file.source_name == "barito_selatan.geojson"
    city, province = boundary("62.71"), boundary("62")
    assert city is not None and city.file.source_name == "indonesia_regencies.geojson"
    assert province is not None and province.file.source_name == "indonesia_provinces.geojson"
    assert boundary("62.71.01") is None  # no kecamatan outside Barito Selatan


# --- IRIs ---------------------------------------------------------------------------------------


def test_geometry_iris_round_trip_and_only_units_have_one() -> None:
    iri = MINT.geometry("62.04.06.2020")
    assert iri == URIRef(BASE + "id/village/62.04.06.2020/geometry")
    ref = MINT.parse(iri)
    assert (ref.kind, ref.key, ref.part) == ("village", "62.04.06.2020", "geometry")
    assert MINT.geometry("62") == URIRef(BASE + "id/province/62/geometry")
    for wrong in ("id/kkb/62.04.06.2020/geometry", "id/village/62.04.06.2020/pokja", "id/org/x/geometry"):
        assert not MINT.owns(BASE + wrong), wrong
    with pytest.raises(IriError):
        MINT.mint("regency", "62.04", "2021")


# --- the mapping --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    """The named graphs of the bundled registry."""
    return {name: to_graph(triples) for name, triples in map_registry(read_registry(DATA), MINT).items()}


@pytest.fixture(scope="module")
def regions(graphs: dict[str, Graph]) -> Graph:
    return graphs["regions"]


@pytest.fixture(scope="module")
def published(graphs: dict[str, Graph]) -> Graph:
    """All graphs in one, as the shapes see a release."""
    graph = Graph()
    for g in graphs.values():
        graph += g
    return graph


def test_one_geometry_per_unit_of_the_release_with_a_polygon(regions: Graph) -> None:
    units = read_registry(DATA).units
    with_polygon = {u.code for u in units if any(u.code in features(f) for f in BOUNDARY_FILES)}
    assert len(with_polygon) == 101  # Barito Selatan's 100 features and its province
    geometries = set(regions.subjects(RDF.type, GEOSPARQL.Geometry))
    assert geometries == {MINT.geometry(code) for code in with_polygon}
    assert set(regions.subjects(RDF.type, GEOSPARQL.Feature)) == {MINT.unit(c) for c in with_polygon}
    for code in with_polygon:
        (text,) = regions.objects(MINT.geometry(code), GEOSPARQL.asWKT)
        assert isinstance(text, Literal) and text.datatype == GEOSPARQL.wktLiteral
        found = boundary(code)
        assert found is not None and str(text) == found.wkt


def test_no_geometry_for_units_outside_the_release() -> None:
    codes = ["62.71", "62.71.01", "62.71.01.1001"]  # Kota Palangkaraya: a regency polygon only
    graph = to_graph(geometry_triples(MINT, codes))
    assert set(graph.subjects(GEOSPARQL.hasGeometry, None)) == {MINT.unit("62.71")}
    assert (MINT.geometry("62.04"), None, None) not in graph
    assert len(to_graph(geometry_triples(MINT, []))) == 0


def test_the_whole_country_has_651_boundaries() -> None:
    """--reference all: every province and regency, and Barito Selatan's kecamatan and villages."""
    codes = [u.code for u in national_units()]
    graph = to_graph(geometry_triples(MINT, codes))
    by_level: dict[str, int] = {}
    for node in graph.subjects(RDF.type, GEOSPARQL.Geometry):
        level = MINT.parse(node).kind
        by_level[level] = by_level.get(level, 0) + 1
    assert by_level == {"province": 38, "regency": 514, "district": 6, "village": 93}
    sources = set(graph.subjects(RDF.type, KKB.SourceDocument))
    assert len(sources) == 3


def test_source_and_tolerance_are_stated(regions: Graph) -> None:
    village, province = MINT.geometry("62.04.06.2020"), MINT.geometry("62")
    assert regions.value(village, GEOSPARQL.hasMetricSpatialAccuracy) == Literal(55.66, datatype=XSD.double)
    assert regions.value(province, GEOSPARQL.hasMetricSpatialAccuracy) == Literal(1113.2, datatype=XSD.double)
    source = regions.value(village, DCTERMS.source)
    assert source == MINT.mint("source", "boundaries-barito-selatan")
    citation = str(regions.value(source, DCTERMS.bibliographicCitation))
    assert (
        "cahyadsn/wilayah_boundaries" in citation and "3c5a7960f4d227a38489094d84252bdbb3f978a5" in citation
    )
    assert "MIT" in citation
    comments = {c.language: str(c) for c in regions.objects(source, RDFS.comment) if isinstance(c, Literal)}
    assert "0.0005°" in comments["en"] and "0.0005°" in comments["id"]


# --- the published graph, by SPARQL ---------------------------------------------------------------


def test_every_geometry_hangs_under_its_unit_with_one_wkt(store: OxigraphStore) -> None:
    rows = select(
        store,
        """SELECT ?u ?g (COUNT(?w) AS ?n) WHERE {
          ?u geosparql:hasGeometry ?g . ?g a geosparql:Geometry ; geosparql:asWKT ?w .
          ?u a kkb:AdministrativeUnit , geosparql:Feature
        } GROUP BY ?u ?g""",
    )
    assert len(rows) == 101
    assert all(g == f"{u}/geometry" and n == "1" for u, g, n in rows)
    (missing,) = select(
        store,
        """SELECT (COUNT(?u) AS ?n) WHERE {
          VALUES ?level { kkb:Village kkb:District kkb:RegencyOrCity kkb:Province }
          ?u a ?level . FILTER NOT EXISTS { ?u geosparql:hasGeometry ?g } }""",
    )
    assert missing == ("0",)  # every unit of the release has its boundary


def test_geometries_are_in_the_regions_graph_with_their_source(store: OxigraphStore) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?graph ?source WHERE { GRAPH ?graph {
          ?g a geosparql:Geometry ; dcterms:source ?source . ?source a kkb:SourceDocument } }""",
    )
    assert sorted(rows) == [
        (BASE + "graph/regions", BASE + "id/source/boundaries-barito-selatan"),
        (BASE + "graph/regions", BASE + "id/source/boundaries-indonesia-provinces"),
    ]


# --- the shapes ---------------------------------------------------------------------------------


def broken_copy(published: Graph, code: str, text: str) -> Graph:
    graph = Graph()
    graph += published
    node = MINT.geometry(code)
    graph.remove((node, GEOSPARQL.asWKT, None))
    graph.add((node, GEOSPARQL.asWKT, Literal(text, datatype=GEOSPARQL.wktLiteral)))
    return graph


def test_the_real_boundaries_conform(published: Graph) -> None:
    report = validate_graph(published)
    assert report.conforms and report.results == (), report.text()


@pytest.mark.parametrize(
    "bad",
    [
        "POLYGON ((-1.57286 114.73287, -1.51393 114.62814, -1.55151 114.61377, -1.57286 114.73287))",
        "POLYGON ((114.73287 -1.57286, 114.62814 -1.51393, 114.73287 -1.57286))",  # 3 positions
        "POINT (114.73287 -1.57286)",
        "POLYGON ((114.73287 -1.57286, 114.62814 -1.51393, 114.61377 -1.55151, 114.73287 -1.57286)",
        # EPSG:4326 is latitude first: only CRS84 (no CRS IRI) is published
        "<http://www.opengis.net/def/crs/EPSG/0/4326> POLYGON ((-1.5 114.7, -1.5 114.6, -1.6 114.6, "
        "-1.5 114.7))",
    ],
)
def test_the_shapes_catch_a_bad_wkt(published: Graph, bad: str) -> None:
    report = validate_graph(broken_copy(published, "62.04.06.2020", bad))
    assert not report.conforms
    assert {r.shape.rsplit("#", 1)[1] for r in report.results} == {"Geometry-asWKT"}
    assert all(r.focus == str(MINT.geometry("62.04.06.2020")) for r in report.results)


def test_json_of_a_feature_line_is_what_the_reader_parses() -> None:
    """The reader relies on one feature a line (the pack's layout); a file in another layout would
    be refused by scripts/make_reference.py before it is packaged."""
    lines = lzma.decompress(BOUNDARY_FILES[0].path.read_bytes()).decode().splitlines()
    assert lines[0] == '{"type":"FeatureCollection","features":[' and lines[-1] == "]}"
    assert json.loads(lines[1].rstrip(","))["properties"]["code"] == "62.04"
    assert Path(BOUNDARY_FILES[0].path).suffix == ".xz"
