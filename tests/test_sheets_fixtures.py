"""Every fixture registry gives the same graphs kept as one .xlsx workbook (Indonesian sheet and
column names, dates as date cells) as kept in CSV files (issue #16, item 5).

The only difference allowed is where a row without a source says it comes from: its
kkb:RegistryRecord names the file and sheet it was read from (``registry/kkb.csv`` or
``registry/registry.xlsx``, sheet "Kampung KB"), in its labels too, and its IRI is minted from
them. Those records
are compared by the row they name and the resources derived from them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS

from kkb_lod.config import Settings
from kkb_lod.headers import SHEETS
from kkb_lod.pipeline import map_graphs
from kkb_lod.vocab import KKB

from .conftest import BASE, DATA
from .workbooks import registry_to_workbooks

CASES = Path(__file__).parent / "cases"
REGIONS = ("kota-palangkaraya", "papua-jayapura", "province-kalimantan-tengah")
FIXTURES = ["bundled", "registry-entry", *REGIONS]


def assemble(name: str, folder: Path) -> Path:
    """The fixture registry ``name`` as a folder of CSV files."""
    if name == "bundled":
        shutil.copytree(DATA, folder)
    elif name == "registry-entry":
        shutil.copytree(CASES / "mapping" / name / "data", folder)
    else:
        shutil.copytree(CASES / "regions" / "common", folder)
        shutil.copytree(CASES / "regions" / name, folder, dirs_exist_ok=True)
    return folder


def located(graph: Graph) -> tuple[Graph, set[tuple[str, str | None]]]:
    """``graph`` with each registry record renamed by its row and what derives from it, its file
    and sheet left out; and the (file, sheet) the records named."""
    renamed: dict[URIRef, URIRef] = {}
    places = set()
    for record in graph.subjects(RDF.type, KKB.RegistryRecord):
        derived = sorted(str(s) for s in graph.subjects(PROV.wasDerivedFrom, record))
        row = graph.value(record, KKB.recordRow)
        key = hashlib.sha256("|".join(derived).encode()).hexdigest()[:16]
        renamed[record] = URIRef(f"urn:x-record:{row}:{key}")
        sheet = graph.value(record, KKB.recordSheet)
        places.add((str(graph.value(record, KKB.recordFile)), None if sheet is None else str(sheet)))
    out = Graph()
    for s, p, o in graph:
        if p in (KKB.recordFile, KKB.recordSheet):
            continue
        if s in renamed and p == RDFS.label:  # "Row 2 of registry/registry.xlsx, sheet …"
            assert str(graph.value(s, KKB.recordFile)) in str(o)
            continue
        out.add((renamed.get(s, s), p, renamed.get(o, o)))  # type: ignore[arg-type]
    return out, places


def graphs_of(folder: Path, build: Path) -> dict[str, Graph]:
    return map_graphs(Settings(data_dir=folder, build_dir=build, base_iri=BASE))


@pytest.mark.parametrize("name", FIXTURES)
def test_a_fixture_registry_as_a_workbook_gives_isomorphic_graphs(name: str, tmp_path: Path) -> None:
    as_csv = graphs_of(assemble(name, tmp_path / "csv"), tmp_path / "b1")
    folder = assemble(name, tmp_path / "xlsx")
    registry_to_workbooks(folder, "xlsx")
    assert not list((folder / "registry").glob("*.csv"))
    as_xlsx = graphs_of(folder, tmp_path / "b2")
    assert as_xlsx.keys() == as_csv.keys()
    assert sum(len(g) for g in as_csv.values()) > 0
    for graph_name, graph in as_xlsx.items():
        left, csv_places = located(as_csv[graph_name])
        right, xlsx_places = located(graph)
        assert len(left) == len(right) and isomorphic(left, right), (name, graph_name)
        assert {file for file, _ in csv_places} <= {"registry/kkb.csv", "registry/kkb_years.csv"}
        assert all(sheet is None for _, sheet in csv_places)
        assert all(
            file == "registry/registry.xlsx" and sheet in {SHEETS["kkb"][0], SHEETS["kkb_years"][0]}
            for file, sheet in xlsx_places
        ), xlsx_places
        assert len(csv_places) == len(xlsx_places)


def test_the_registry_entry_fixture_has_records_to_compare(tmp_path: Path) -> None:
    """The renaming above is exercised: rows without a source are in the fixture."""
    graphs = graphs_of(assemble("registry-entry", tmp_path / "csv"), tmp_path / "b")
    records = [r for g in graphs.values() for r in g.subjects(RDF.type, KKB.RegistryRecord)]
    assert records
    assert all(
        isinstance(g.value(r, KKB.recordRow), Literal)
        for g in graphs.values()
        for r in g.subjects(RDF.type, KKB.RegistryRecord)
    )
