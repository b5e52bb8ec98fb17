"""Builds: deterministic dumps, atomic releases, and a failed build never replaces the good one."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kkb_lod import pipeline
from kkb_lod.config import Settings
from kkb_lod.ingest import InputError
from kkb_lod.pipeline import BuildResult, ValidationFailed, build
from kkb_lod.releases import current_release
from kkb_lod.vocab import KKB, RDF

from .conftest import BASE, DATA


def test_release_layout(built: BuildResult) -> None:
    release = built.release
    assert current_release(release.parents[1]) == release
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["conforms"] is True
    assert manifest["triples"] == built.triples > 1500
    names = {d["name"] for d in manifest["dumps"]}
    assert names == {"kkb.nq", "kkb.trig", "kkb.nt", "kkb.ttl", "kkb.jsonld", "kkb.nt.gz"}
    for dump in manifest["dumps"]:
        assert (release / "dumps" / dump["name"]).stat().st_size == dump["size"]
    assert (release / "store").is_dir() and (release / "report.ttl").is_file()


def test_dumps_agree(built: BuildResult) -> None:
    dumps = built.release / "dumps"
    nt = Graph().parse(dumps / "kkb.nt", format="nt")
    assert len(nt) == built.triples
    for name, fmt in (("kkb.ttl", "turtle"), ("kkb.jsonld", "json-ld")):
        assert len(Graph().parse(dumps / name, format=fmt)) == len(nt), name
    assert gzip.decompress((dumps / "kkb.nt.gz").read_bytes()) == (dumps / "kkb.nt").read_bytes()
    lines = (dumps / "kkb.nt").read_bytes().splitlines()
    assert lines == sorted(set(lines))


def test_same_input_gives_byte_identical_dumps(built: BuildResult, tmp_path: Path) -> None:
    again = build(Settings(data_dir=DATA, build_dir=tmp_path, base_iri=BASE))
    for name in ("kkb.nt", "kkb.nq", "kkb.nt.gz"):
        assert (again.release / "dumps" / name).read_bytes() == (
            built.release / "dumps" / name
        ).read_bytes(), name


def test_bad_input_keeps_the_last_good_build(data_copy: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=data_copy, build_dir=tmp_path / "out", base_iri=BASE)
    good = build(settings).release
    kkb = data_copy / "registry" / "kkb.csv"
    kkb.write_text(kkb.read_text(encoding="utf-8").replace("62.04.01.1003,", "62.04.01.1099,"))
    with pytest.raises(InputError):
        build(settings)
    assert current_release(settings.build_dir) == good
    assert [p.name for p in (settings.build_dir / "releases").iterdir()] == [good.name]


@pytest.mark.parametrize(("where", "build_store"), [("memory", "disk"), ("disk", "disk"), ("disk", "none")])
def test_shacl_violation_keeps_the_last_good_build(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, build_store: str
) -> None:
    settings = Settings(
        data_dir=data_copy,
        build_dir=tmp_path / "out",
        base_iri=BASE,
        validation_store=where,
        build_store=build_store,
    )
    good = build(settings).release
    real = pipeline.map_registry

    def broken(registry, mint, **options):  # a KKB designation with no village: a mapping bug
        graphs = real(registry, mint, **options)
        orphan = URIRef(BASE + "id/kkb/62.04.01.1099")
        graphs["registry"] = iter(
            [
                *graphs["registry"],
                (orphan, RDF.type, KKB.KKBDesignation),
                (orphan, KKB.designationYear, Literal("2021")),
            ]
        )
        return graphs

    monkeypatch.setattr(pipeline, "map_registry", broken)
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert caught.value.path.is_file() and "62.04.01.1099" in caught.value.report.text()
    assert current_release(settings.build_dir) == good


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_a_build_without_the_disk_store(built: BuildResult, tmp_path: Path, where: str) -> None:
    """build_store 'none': the same checked dumps and no on-disk store (nor the scratch store the
    checks used on disk); served from memory as ever, refused from disk with what to do."""
    from kkb_lod.store import OxigraphStore, StoreError

    result = build(
        Settings(data_dir=DATA, build_dir=tmp_path, base_iri=BASE, build_store="none", validation_store=where)
    )
    manifest = json.loads((result.release / "manifest.json").read_text())
    assert manifest["store"] is False and manifest["conforms"] is True
    assert json.loads((built.release / "manifest.json").read_text())["store"] is True
    assert sorted(p.name for p in result.release.iterdir()) == [
        "changes.json",
        "dumps",
        "lastmod.tsv",
        "ldes",
        "manifest.json",
        "report.ttl",
    ]
    for name in ("kkb.nq", "kkb.nt", "kkb.ttl"):
        assert (result.release / "dumps" / name).read_bytes() == (
            built.release / "dumps" / name
        ).read_bytes(), name
    assert OxigraphStore.from_release(result.release, "memory").count() == result.quads
    with pytest.raises(StoreError, match="no on-disk store.*KKB_STORE=memory.*KKB_BUILD_STORE=disk"):
        OxigraphStore.from_release(result.release, "disk")


def test_no_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run 'kkb-lod build' first"):
        current_release(tmp_path)


def test_killed_builds_never_damage_the_served_release(tmp_path: Path) -> None:
    """kill -9 a build at many points; the current release stays complete and loadable."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from kkb_lod.store import OxigraphStore

    out = tmp_path / "out"
    good = build(Settings(data_dir=DATA, build_dir=out, base_iri=BASE)).release
    good_nt = (good / "dumps" / "kkb.nt").read_bytes()
    command = [sys.executable, "-m", "kkb_lod", "build", "--data", str(DATA), "--out", str(out)]
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        release = current_release(out)
        assert (release / "dumps" / "kkb.nt").read_bytes() == good_nt
        assert OxigraphStore.from_release(release, "disk").count() > 0
    final = build(Settings(data_dir=DATA, build_dir=out, base_iri=BASE))
    assert not list((out / "releases").glob(".*.partial"))
    assert (final.release / "dumps" / "kkb.nt").read_bytes() == good_nt


#: Runs ``kkb-lod ARGS...`` in which the build's progress line starting with STAGE sends SIGINT
#: (what Ctrl-C sends) to the process itself, so the signal lands at that stage on any machine.
CTRL_C_AT = """
import os, signal, sys
from kkb_lod import cli
said = cli.Progress.__call__
def progress(self, message):
    said(self, message)
    if message.startswith(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGINT)
cli.Progress.__call__ = progress
cli.cli(sys.argv[2:], prog_name="kkb-lod")
"""


@pytest.mark.parametrize(
    "stage", ["reading registry", "mapping to N-Quads", "bulk loading", "validating against", "writing dumps"]
)
def test_ctrl_c_stops_a_build_cleanly(tmp_path: Path, stage: str) -> None:
    """SIGINT (Ctrl-C) at each stage of a build: the partial release is removed at once, the
    good one stays current, and nothing else is published."""
    import subprocess
    import sys

    out = tmp_path / "out"
    good = build(Settings(data_dir=DATA, build_dir=out, base_iri=BASE)).release
    good_nt = (good / "dumps" / "kkb.nt").read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_AT, stage, "build", "--data", str(DATA), "--out", str(out)],
        capture_output=True,
        timeout=300,
    )
    err = done.stderr.decode()
    assert done.returncode == 1 and err.rstrip().endswith("Aborted!"), err
    assert f"] {stage}" in err and b"Built" not in done.stdout
    assert not list((out / "releases").glob(".*.partial")), "partial left behind"
    assert [p.name for p in (out / "releases").iterdir()] == [good.name]
    assert current_release(out) == good
    assert (good / "dumps" / "kkb.nt").read_bytes() == good_nt


def test_one_build_at_a_time(tmp_path: Path) -> None:
    import fcntl

    from kkb_lod.releases import BuildBusy

    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(BuildBusy):
            build(Settings(data_dir=DATA, build_dir=out, base_iri=BASE))


def test_streamed_build_is_isomorphic_to_the_in_memory_mapping(built: BuildResult) -> None:
    """The build streams N-Quads to disk; graph by graph it equals the rdflib mapping of old."""
    from rdflib import Dataset
    from rdflib.compare import isomorphic

    from kkb_lod.iris import Minter
    from kkb_lod.pipeline import map_graphs

    expected = map_graphs(Settings(data_dir=DATA, base_iri=BASE))
    dumped = Dataset()
    dumped.parse(built.release / "dumps" / "kkb.nq", format="nquads")
    mint = Minter(BASE)
    assert {str(g.identifier) for g in dumped.graphs() if len(g)} == {
        str(mint.graph(name)) for name in expected
    }
    for name, graph in expected.items():
        assert isomorphic(dumped.graph(mint.graph(name)), graph), name
    assert built.graphs == {name: len(graph) for name, graph in expected.items()}


def test_progress_reports_triples_rate_and_eta(tmp_path: Path) -> None:
    from kkb_lod.stream import Meter

    lines: list[str] = []
    meter = Meter(lines.append, expected=1000, every=0)
    meter.tick(250)
    assert lines and "250 triples" in lines[-1] and "triples/s" in lines[-1]
    assert "s left (of ~1,000 expected)" in lines[-1]
    said: list[str] = []
    build(Settings(data_dir=DATA, build_dir=tmp_path, base_iri=BASE), said.append)
    assert any("triples/s" in line for line in said)
    assert any(line.startswith("read ") and "15 kkb" in line for line in said)


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_validate_registry_agrees_with_the_rdflib_mapping(tmp_path: Path, where: str) -> None:
    """``kkb-lod validate`` streams into a scratch store; same counts and results as validating the
    rdflib graphs, also when stricter shapes find violations, and the scratch is removed."""
    import tempfile

    from kkb_lod.pipeline import map_graphs, validate_registry
    from kkb_lod.validate import load_shapes, validate_graphs

    settings = Settings(data_dir=DATA, base_iri=BASE, validation_store=where)
    expected = map_graphs(settings)
    strict = load_shapes() + Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix kkb: <https://w3id.org/kkb/def#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:x:Short> a sh:NodeShape ; sh:targetClass kkb:Village ;
            sh:property [ sh:path rdfs:label ; sh:maxLength 8 ; sh:message "short label" ] .""",
        format="turtle",
    )
    tempfile.tempdir = str(tmp_path)
    try:
        counts, report = validate_registry(settings)
        _, strict_report = validate_registry(settings, shapes=strict)
    finally:
        tempfile.tempdir = None
    assert counts == {name: len(graph) for name, graph in expected.items()}
    assert report.conforms and report.results == validate_graphs(expected).results == ()
    reference = validate_graphs(expected, strict)
    assert not strict_report.conforms and strict_report.results == reference.results != ()
    assert list(tmp_path.iterdir()) == []


def test_a_registry_of_no_kkb_builds(tmp_path: Path) -> None:
    """Issue #16: a new registry (the kkb table's header and nothing else) builds and validates."""
    registry = tmp_path / "data" / "registry"
    registry.mkdir(parents=True)
    (registry / "kkb.csv").write_text(
        "village_code,village_name,district_code,district_name\n", encoding="utf-8"
    )
    result = build(Settings(data_dir=tmp_path / "data", build_dir=tmp_path / "build", base_iri=BASE))
    assert result.graphs["registry"] == 0 and result.graphs["regions"] == 0
    assert result.graphs["ontology"] > 0


def test_the_registry_entry_case_builds_as_it_maps(tmp_path: Path) -> None:
    """The synthetic registry of issue #16 (no sources, no programmes, a yearly table) goes through
    the streamed build, its validation by the SPARQL engine and its dumps, as the rdflib mapping."""
    from rdflib import Dataset
    from rdflib.compare import isomorphic

    from kkb_lod.iris import Minter
    from kkb_lod.pipeline import map_graphs

    data = Path(__file__).parent / "cases" / "mapping" / "registry-entry" / "data"
    result = build(Settings(data_dir=data, build_dir=tmp_path, base_iri=BASE))
    expected = map_graphs(Settings(data_dir=data, base_iri=BASE))
    dumped = Dataset()
    dumped.parse(result.release / "dumps" / "kkb.nq", format="nquads")
    for name, graph in expected.items():
        assert isomorphic(dumped.graph(Minter(BASE).graph(name)), graph), name
    assert len(set(expected["registry"].subjects(RDF.type, KKB.AnnualRecord))) == 3


def test_graph_names_are_known_without_mapping(tmp_path: Path) -> None:
    """The graphs a release will hold follow from the settings and the registry's tables alone,
    in the order the one mapping path yields them; the pySHACL route counts them as the build."""
    from kkb_lod.ingest import read_registry
    from kkb_lod.pipeline import graph_names, map_and_validate, map_graphs

    settings = Settings(data_dir=DATA, base_iri=BASE)
    names = graph_names(settings, read_registry(DATA))
    assert names == list(map_graphs(settings))
    counts, report = map_and_validate(settings)
    assert report.conforms and list(counts) == names and all(counts.values())
    registry = tmp_path / "data" / "registry"
    registry.mkdir(parents=True)
    (registry / "kkb.csv").write_text(
        "village_code,village_name,district_code,district_name\n", encoding="utf-8"
    )
    empty = Settings(data_dir=tmp_path / "data", base_iri=BASE)
    assert (
        graph_names(empty, read_registry(empty.data_dir))
        == list(map_graphs(empty))
        == ["regions", "registry", "links/wikidata", "ontology"]
    )
