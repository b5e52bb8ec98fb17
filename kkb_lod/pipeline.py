"""``build``: registry folder → checked records → RDF → SHACL → a new release, swapped in atomically.

A release is a folder ``{build_dir}/releases/{id}/`` holding the on-disk store, the dumps, the
validation report and ``manifest.json``. It is written under a temporary name and only renamed and
pointed to by the ``current`` link once complete and valid, so a failed or killed build never
replaces the release being served. A build with SHACL violations leaves its report in
``{build_dir}/failed/{id}/`` and raises :class:`ValidationFailed`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kkb_lod import __version__
from kkb_lod._convert import to_ox
from kkb_lod.checks import check_registry
from kkb_lod.config import Settings
from kkb_lod.dumps import Dump, write_dumps
from kkb_lod.ingest import read_registry
from kkb_lod.iris import Minter
from kkb_lod.linking import link_units
from kkb_lod.linking.publish import link_triples
from kkb_lod.mapping import map_registry, to_graph
from kkb_lod.validate import Report, validate_graph
from kkb_lod.vocab import ONTOLOGY_FILE

Progress = Callable[[str], None]
KEEP_RELEASES = 3
LINKS, ONTOLOGY = "links/wikidata", "ontology"


class BuildBusy(RuntimeError):
    """Another build holds the build folder's lock."""


class ValidationFailed(Exception):
    """The mapped graph violates the shapes; ``report`` says where, ``path`` where it was saved."""

    def __init__(self, report: Report, path: Path) -> None:
        self.report = report
        self.path = path
        super().__init__(f"SHACL validation failed; report written to {path}")


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    release: Path
    triples: int
    quads: int
    graphs: dict[str, int]
    dumps: list[Dump] = field(default_factory=list)


def load_ontology() -> Graph:
    """The ontology, parsed from ``ontology/kkb.ttl``."""
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def map_graphs(settings: Settings, progress: Progress = lambda _: None) -> dict[str, Graph]:
    """Read, check, map and link the registry folder: one graph per named graph of a release."""
    progress(f"reading registry {settings.data_dir}")
    registry = read_registry(settings.data_dir)
    check_registry(registry)
    progress(f"mapping {len(registry.kkb)} KKB, {len(registry.units)} administrative units")
    mint = Minter(settings.base_iri)
    graphs = {name: to_graph(triples) for name, triples in map_registry(registry, mint).items()}
    decisions, snapshot = link_units(settings.data_dir, registry.units)
    graphs[LINKS] = to_graph(link_triples(decisions, snapshot, mint))
    graphs[ONTOLOGY] = load_ontology()
    return graphs


def map_and_validate(settings: Settings, progress: Progress = lambda _: None
                     ) -> tuple[ox.Dataset, dict[str, int], Report]:
    """Map the registry folder (:func:`map_graphs`) and validate it; nothing is written."""
    graphs = map_graphs(settings, progress)
    mint = Minter(settings.base_iri)
    data = Graph()
    dataset = ox.Dataset()
    for name, graph in graphs.items():
        if name != ONTOLOGY:
            data += graph
        graph_name = ox.NamedNode(mint.graph(name))
        for triple in graph:
            dataset.add(ox.Quad(*(to_ox(t) for t in triple), graph_name))
    progress(f"validating {len(data)} triples against shapes/")
    report = validate_graph(data, graphs[ONTOLOGY])
    return dataset, {name: len(graph) for name, graph in graphs.items()}, report


def build(settings: Settings, progress: Progress = lambda _: None) -> BuildResult:
    """Build a release from ``settings.data_dir`` into ``settings.build_dir`` and make it current.

    One build at a time per build folder (an exclusive lock); leftovers of a build that was killed
    are removed first. Nothing the served release uses is touched until the final rename.
    """
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.build_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(f"another build is running in {settings.build_dir}") from None
        _remove_leftovers(settings.build_dir)
        return _build(settings, progress)


def _build(settings: Settings, progress: Progress) -> BuildResult:
    dataset, counts, report = map_and_validate(settings, progress)
    started = dt.datetime.now(dt.UTC)
    release_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    root = settings.build_dir
    if not report.conforms:
        failed = root / "failed" / release_id
        failed.mkdir(parents=True)
        report.graph.serialize(failed / "report.ttl", format="turtle")
        (failed / "report.txt").write_text(report.text(), encoding="utf-8")
        raise ValidationFailed(report, failed / "report.ttl")

    partial = root / "releases" / f".{release_id}.partial"
    partial.mkdir(parents=True)
    try:
        progress("writing dumps")
        dumps = write_dumps(dataset, partial / "dumps")
        progress("loading the on-disk store")
        store = ox.Store(str(partial / "store"))
        store.bulk_load(path=str(partial / "dumps" / "kkb.nq"), format=ox.RdfFormat.N_QUADS)
        store.flush()
        quads = len(store)
        del store
        report.graph.serialize(partial / "report.ttl", format="turtle")
        triples = _count_lines(partial / "dumps" / "kkb.nt")
        manifest = {
            "id": release_id, "created": started.isoformat(), "kkb_lod": __version__,
            "base_iri": settings.base_iri, "triples": triples, "quads": quads, "graphs": counts,
            "conforms": report.conforms, "dumps": [asdict(d) for d in dumps],
        }
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        release = root / "releases" / release_id
        partial.rename(release)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _point_current(root, release)
    _prune(root)
    progress(f"release {release_id}: {triples} triples")
    return BuildResult(release, triples, quads, counts, dumps)


def current_release(build_dir: Path) -> Path:
    """The release the ``current`` link points to; FileNotFoundError if there is none."""
    link = build_dir / "current"
    if not link.is_symlink() and not link.exists():
        raise FileNotFoundError(f"no build in {build_dir}: run 'kkb-lod build' first")
    release = link.resolve()
    if not (release / "manifest.json").is_file():
        raise FileNotFoundError(f"{link} points to {release}, which is not a complete release")
    return release


def _remove_leftovers(root: Path) -> None:
    """Partial releases and temporary links left by a killed build (we hold the lock)."""
    for partial in (root / "releases").glob(".*.partial") if (root / "releases").is_dir() else ():
        shutil.rmtree(partial, ignore_errors=True)
    for link in root.glob(".current.*"):
        link.unlink(missing_ok=True)


def _point_current(root: Path, release: Path) -> None:
    """Swap the ``current`` link in one rename, so readers see the old or the new, never neither."""
    tmp = root / f".current.{os.getpid()}.{time.monotonic_ns()}"
    tmp.symlink_to(Path("releases") / release.name)
    os.replace(tmp, root / "current")


def _prune(root: Path) -> None:
    """Keep the newest few releases (the current one always), so a rollback stays possible."""
    current = (root / "current").resolve()
    releases = sorted(p for p in (root / "releases").iterdir() if not p.name.startswith("."))
    for old in releases[:-KEEP_RELEASES]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)
