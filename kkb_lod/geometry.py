"""Boundaries of administrative units as GeoSPARQL geometries.

The package ships the simplified polygons of the shared pack's ``boundaries/`` folder unchanged,
xz-compressed (``kkb_lod/reference_data/``, sources and tolerances in its README): every unit of
Barito Selatan (regency, kecamatan, villages; ε = 0.0005°) and the country's regencies and provinces
(ε = 0.01°). A published unit that has a polygon gets ``geosparql:hasGeometry`` a node
``{unit}/geometry`` with its ``geosparql:asWKT`` (CRS84, the default of ``geosparql:wktLiteral``:
longitude first), the file it comes from as ``dcterms:source`` (a ``kkb:SourceDocument`` naming the
repository, commit, licence and the simplification) and the tolerance as
``geosparql:hasMetricSpatialAccuracy`` (ε in metres, at 111.32 km a degree). Where two files have
a unit, the finer wins. Units without a polygon get nothing; their centroid stays as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from kkb_lod.iris import Minter
from kkb_lod.reference import DATA, text
from kkb_lod.vocab import DCTERMS, GEOSPARQL, KKB, PROV, RDF, RDFS, XSD

Triple = tuple[Node, Node, Node]
#: Metres in a degree of latitude (and of longitude at the equator), to state ε in metres.
METRES_PER_DEGREE = 111_320
#: The repository the polygons come from (all files), as the sources README gives it.
REPOSITORY = (
    "cahyadsn/wilayah_boundaries (GitHub), commit 3c5a7960f4d227a38489094d84252bdbb3f978a5 "
    "(2026-08-20), MIT licence, © 2024 Cahya DSN"
)


@dataclass(frozen=True)
class BoundaryFile:
    """One packaged boundary file: its name in the shared pack, how many features it has, the
    Douglas–Peucker tolerance it was simplified with (degrees, as text), what it covers (id, en)
    and the source files of the repository it was made from."""

    source_name: str
    features: int
    tolerance: str
    slug: str
    covers: tuple[str, str]
    paths: str

    @property
    def path(self) -> Path:
        return DATA / f"{self.source_name}.xz"

    @property
    def accuracy(self) -> float:
        """ε in metres (rounded to the centimetre)."""
        return round(float(self.tolerance) * METRES_PER_DEGREE, 2)


#: The packaged files, finest first (a unit in two files takes its polygon from the first).
BOUNDARY_FILES = (
    BoundaryFile(
        "barito_selatan.geojson",
        100,
        "0.0005",
        "boundaries-barito-selatan",
        (
            "Kabupaten Barito Selatan, kecamatan dan desa/kelurahannya",
            "Barito Selatan regency, its districts and villages",
        ),
        "db/kab/wilayah_boundaries_kab_62.sql, db/kec/wilayah_boundaries_kec_62.sql, "
        "db/kel/62/wilayah_boundaries_kel_62.04.sql",
    ),
    BoundaryFile(
        "indonesia_regencies.geojson",
        514,
        "0.01",
        "boundaries-indonesia-regencies",
        ("514 kabupaten/kota Indonesia", "Indonesia's 514 regencies and cities"),
        "db/kab/wilayah_boundaries_kab_{11..96}.sql",
    ),
    BoundaryFile(
        "indonesia_provinces.geojson",
        38,
        "0.01",
        "boundaries-indonesia-provinces",
        ("38 provinsi Indonesia", "Indonesia's 38 provinces"),
        "db/prov/wilayah_boundaries_prov_{1..8}.sql",
    ),
)


@dataclass(frozen=True)
class Boundary:
    """The polygon of one unit: its GeoJSON geometry and the file it comes from."""

    code: str
    geometry: dict
    file: BoundaryFile

    @property
    def wkt(self) -> str:
        return wkt(self.geometry)


@cache
def features(file: BoundaryFile) -> dict[str, dict]:
    """The geometries of one packaged file by unit code (one feature a line, as the pack writes)."""
    lines = text(file.path).splitlines()[1:-1]
    found = (json.loads(line.rstrip(",")) for line in lines)
    return {f["properties"]["code"]: f["geometry"] for f in found}


def boundary(code: str) -> Boundary | None:
    """The finest packaged polygon of the unit ``code``, or None."""
    for file in BOUNDARY_FILES:
        geometry = features(file).get(code)
        if geometry is not None:
            return Boundary(code, geometry, file)
    return None


def wkt(geometry: dict) -> str:
    """A GeoJSON Polygon or MultiPolygon as WKT (``lon lat``, CRS84), numbers as written."""

    def ring(points: list[list[float]]) -> str:
        return "(" + ", ".join(f"{_number(x)} {_number(y)}" for x, y in points) + ")"

    def polygon(rings: list[list[list[float]]]) -> str:
        return "(" + ", ".join(ring(r) for r in rings) + ")"

    if geometry["type"] == "Polygon":
        return "POLYGON " + polygon(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return "MULTIPOLYGON (" + ", ".join(polygon(p) for p in geometry["coordinates"]) + ")"
    raise ValueError(f"not a polygon: {geometry['type']}")


def _number(value: float) -> str:
    """A coordinate in plain decimal notation (never ``1e-05``), at most the 5 decimals it has."""
    shown = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if shown in ("-0", "") else shown


def source_iri(mint: Minter, file: BoundaryFile) -> URIRef:
    return mint.mint("source", file.slug)


def geometry_triples(mint: Minter, codes: Iterable[str]) -> Iterator[Triple]:
    """The boundary of each unit of ``codes`` that has one, and the files they come from."""
    used: dict[str, BoundaryFile] = {}
    for code in codes:
        found = boundary(code)
        if found is None:
            continue
        unit, node = mint.unit(code), mint.geometry(code)
        used[found.file.slug] = found.file
        yield unit, RDF.type, GEOSPARQL.Feature
        yield unit, GEOSPARQL.hasGeometry, node
        yield node, RDF.type, GEOSPARQL.Geometry
        yield node, GEOSPARQL.asWKT, Literal(found.wkt, datatype=GEOSPARQL.wktLiteral)
        yield node, GEOSPARQL.hasMetricSpatialAccuracy, Literal(found.file.accuracy, datatype=XSD.double)
        yield node, DCTERMS.source, source_iri(mint, found.file)
    for file in used.values():
        yield from source_document(mint, file)


def source_document(mint: Minter, file: BoundaryFile) -> Iterator[Triple]:
    """A packaged boundary file as a source document: what it covers, where it comes from, and
    how it was simplified."""
    s = source_iri(mint, file)
    covers_id, covers_en = file.covers
    yield s, RDF.type, KKB.SourceDocument
    yield s, RDF.type, PROV.Entity
    yield s, RDFS.label, Literal(f"Batas wilayah yang disederhanakan: {covers_id}", lang="id")
    yield s, RDFS.label, Literal(f"Simplified boundaries: {covers_en}", lang="en")
    yield s, DCTERMS.bibliographicCitation, Literal(f"{REPOSITORY}; {file.paths}")
    yield (
        s,
        RDFS.comment,
        Literal(
            f"Poligon disederhanakan dengan Douglas–Peucker per cincin, toleransi {file.tolerance}° "
            f"(≈ {file.accuracy:,.0f} m), dibulatkan ke 5 desimal; WGS84 (CRS84), bujur lebih dulu.",
            lang="id",
        ),
    )
    yield (
        s,
        RDFS.comment,
        Literal(
            f"Polygons simplified with Douglas–Peucker per ring, tolerance {file.tolerance}° "
            f"(≈ {file.accuracy:,.0f} m), rounded to 5 decimals; WGS84 (CRS84), longitude first. "
            f"Shipped as kkb_lod/reference_data/{file.path.name}.",
            lang="en",
        ),
    )
