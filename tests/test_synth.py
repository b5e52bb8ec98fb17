"""The synthetic national registry (benchmarks/synth.py): valid input, labelled, never published.

The generator is run as its command, on a small size; its folder must pass ingest and the checks,
build into a conforming release whose every IRI of ours lies in the synthetic space, and refuse
to build under the published base IRI. The bundled build must hold nothing synthetic.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Dataset

from kkb_lod.checks import check_registry
from kkb_lod.config import Settings
from kkb_lod.ingest import InputError, read_registry
from kkb_lod.pipeline import SYNTHETIC_MARKER, BuildResult, build

from .conftest import BASE, DATA, ROOT

SYNTH = ROOT / "benchmarks" / "synth.py"
SYNTHETIC_BASE = "https://w3id.org/kkb/synthetic/"


def generate(out: Path, *args: str) -> Path:
    done = subprocess.run(
        [sys.executable, str(SYNTH), *args, "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synth") / "registry", "--triples", "6000", "--seed", "7")


@pytest.fixture(scope="module")
def synthetic_build(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("synth-build")
    return build(Settings(data_dir=synthetic, build_dir=out, base_iri=SYNTHETIC_BASE))


def test_generator_output_passes_ingest_and_checks(synthetic: Path) -> None:
    registry = read_registry(synthetic)
    check_registry(registry)
    assert registry.kkb and registry.activities and registry.observations and registry.indicators
    real = {u.code: replace(u, file="", row=0) for u in read_registry(DATA).units}
    # the places are the official ones: Barito Selatan's units exactly as in the bundled list
    same = [replace(u, file="", row=0) == real[u.code] for u in registry.units if u.code in real]
    assert len(same) == len(real) and all(same)
    assert (
        {k.source for k in registry.kkb}
        == {o.source for o in registry.observations}
        == {"synthetic-generator"}
    )
    source = next(s for s in registry.sources if s.source_id == "synthetic-generator")
    assert "not real" in (source.label_en or "") and "SYNTHETIC" in (source.note or "")


def test_same_seed_same_folder_other_seed_other_villages(synthetic: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", "--triples", "6000", "--seed", "7")
    other = generate(tmp_path / "other", "--triples", "6000", "--seed", "8")
    for name in ("registry/kkb.csv", "registry/observations.csv", "regions/units.csv"):
        assert (again / name).read_bytes() == (synthetic / name).read_bytes(), name
    assert (other / "registry/kkb.csv").read_bytes() != (synthetic / "registry/kkb.csv").read_bytes()


def test_synthetic_build_conforms_and_lives_in_the_synthetic_space(synthetic_build: BuildResult) -> None:
    # asked for ~6000; the build adds the ontology, the units' earlier names and their boundary
    # geometries (seed 7: 12,429 triples before the geometries, 418 of them the units' history;
    # 13,397 with them)
    assert 3000 < synthetic_build.triples < 14000
    assert synthetic_build.graphs["indicators"] > 0
    dataset = Dataset(default_union=True)
    dataset.parse(synthetic_build.release / "dumps" / "kkb.nq", format="nquads")
    ours = {
        str(t)
        for q in dataset.quads()
        for t in q[:4]
        if str(t).startswith("https://w3id.org/kkb/")
        and not str(t).startswith(("https://w3id.org/kkb/def", "https://w3id.org/kkb/shapes"))
    }
    assert ours and all(iri.startswith(SYNTHETIC_BASE) for iri in ours)
    observations = list(
        dataset.query(
            "PREFIX qb: <http://purl.org/linked-data/cube#> PREFIX kkb: <https://w3id.org/kkb/def#> "
            "SELECT ?o WHERE { ?o a qb:Observation ; "
            "qb:dataSet/qb:structure/qb:component/qb:measure kkb:indicatorValue ; "
            "kkb:refArea/kkb:partOf+ ?regency ; kkb:indicatorValue ?v }"
        )
    )
    assert observations


def test_synthetic_folder_refuses_the_published_base_iri(synthetic: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="synthetic") as caught:
        build(Settings(data_dir=synthetic, build_dir=tmp_path, base_iri=BASE))
    assert caught.value.problems[0].file == SYNTHETIC_MARKER
    assert not (tmp_path / "current").exists()


def test_published_build_holds_nothing_synthetic(built: BuildResult) -> None:
    assert not (DATA / SYNTHETIC_MARKER).exists()
    for name in ("kkb.nq", "kkb.ttl", "kkb.jsonld"):
        text = (built.release / "dumps" / name).read_text(encoding="utf-8").lower()
        assert "synthetic" not in text, name
    assert "indicators" not in built.graphs  # no indicator data set in the real registry
