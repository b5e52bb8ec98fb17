"""``build``: registry folder → checked records → RDF → store → SHACL → a new release, swapped in.

One mapping path, :func:`mapped` (graph name → statements, lazily), feeds everything that maps:
the build and ``kkb-lod validate`` stream it to N-Quads part files (:func:`_stream`), load them
into a store and check it (:func:`_check`); :func:`map_graphs` collects it into rdflib graphs
for pySHACL and the tests. The graph names are known before mapping (:func:`graph_names`).

A release is a folder ``{build_dir}/releases/{id}/`` holding the on-disk store, the dumps, the
validation report and ``manifest.json``. It is written under a temporary name and only renamed and
pointed to by the ``current`` link once complete and valid, so a failed or killed build never
replaces the release being served. A build with SHACL violations leaves its report in
``{build_dir}/failed/{id}/`` and raises :class:`ValidationFailed`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kkb_lod import __version__, changes, ldes, reference
from kkb_lod.catalog import REFERENCE_DUMP
from kkb_lod.checks import check_registry
from kkb_lod.config import Settings
from kkb_lod.dumps import Dump, describe_file, merge_unique, merging, sort_unique, write_dumps
from kkb_lod.ingest import (
    OPTIONAL_TABLES,
    TABLES,
    InputError,
    Problem,
    Registry,
    read_registry,
)
from kkb_lod.iris import REFERENCE, Minter
from kkb_lod.linking import Decision, Snapshot, link_units, match_units, wikidata_snapshot
from kkb_lod.linking.publish import link_triples
from kkb_lod.mapping import Triple, map_registry, registry_graphs, to_graph
from kkb_lod.releases import (
    building,
    keep,
    partial_dir,
    point_current,
    prune,
    release_dir,
    write_manifest,
)
from kkb_lod.rows import CrosswalkRow, UnitRow
from kkb_lod.stream import PART_LINES, Meter, write_nquads
from kkb_lod.validate import Report, validate_graph, validate_store
from kkb_lod.vocab import ONTOLOGY_FILE

Progress = Callable[[str], None]
LINKS, ONTOLOGY = "links/wikidata", "ontology"
#: A registry folder holding this file is synthetic; its IRIs must lie in the synthetic space.
SYNTHETIC_MARKER, SYNTHETIC_SPACE = "SYNTHETIC.txt", "/synthetic/"


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
    seconds: dict[str, float] = field(default_factory=dict)


def load_ontology() -> Graph:
    """The ontology, parsed from ``ontology/kkb.ttl``."""
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def graph_names(settings: Settings, registry: Registry) -> list[str]:
    """The named graphs of a release of ``registry``, known without mapping it."""
    return [*registry_graphs(registry, national=settings.reference == "all"), LINKS, ONTOLOGY]


def mapped(
    settings: Settings, registry: Registry, mint: Minter, nquads: bool = True
) -> Iterator[tuple[str, Iterable[Triple | str]]]:
    """(graph name, statements) of every named graph of a release, lazily: the one mapping that
    builds, validation and the rdflib graphs of :func:`map_graphs` all read. With ``nquads`` the
    hot loops may yield blocks of N-Quads text (:func:`kkb_lod.mapping.map_registry`)."""
    yield from map_registry(registry, mint, nquads=nquads, reference=national_reference(settings)).items()
    yield LINKS, link_triples(*links(settings, registry), mint)
    yield ONTOLOGY, load_ontology()


def map_graphs(settings: Settings, progress: Progress = lambda _: None) -> dict[str, Graph]:
    """The named graphs of a release as rdflib graphs (:func:`mapped`), for tests and pySHACL;
    memory grows with the registry (~1.2 KB a triple), so builds stream instead."""
    registry = _read(settings, progress, build=False)
    mint = Minter(settings.base_iri)
    return {
        name: to_graph(t for t in triples if isinstance(t, tuple))  # no text: nquads=False
        for name, triples in mapped(settings, registry, mint, nquads=False)
    }


def map_and_validate(
    settings: Settings, progress: Progress = lambda _: None
) -> tuple[dict[str, int], Report]:
    """Map the registry folder into rdflib graphs (:func:`map_graphs`) and validate them with
    pySHACL, the reference engine; nothing is written. Returns (triples per graph, report)."""
    graphs = map_graphs(settings, progress)
    ontology = graphs[ONTOLOGY]
    data = Graph()
    for name, graph in graphs.items():
        if name != ONTOLOGY:
            data += graph
    progress(f"validating {len(data)} triples against shapes/")
    return {name: len(graph) for name, graph in graphs.items()}, validate_graph(data, ontology)


def validate_registry(
    settings: Settings, progress: Progress = lambda _: None, shapes: Graph | None = None
) -> tuple[dict[str, int], Report]:
    """Validate the registry folder as a build would, publishing nothing: (triples per graph, report).

    Mapped as a build maps (:func:`_stream`: N-Quads part files), loaded into a scratch store
    (``settings.validation_store``) and validated there (:func:`_check`), so memory stays a
    fraction of what :func:`map_graphs` needs at national size. The scratch folder (system
    temporary directory) is removed afterwards.
    """
    registry = _read(settings, progress, build=False)
    mint = Minter(settings.base_iri)
    names = graph_names(settings, registry)
    with tempfile.TemporaryDirectory(prefix="kkb-validate-") as scratch:
        _, parts = _stream(settings, registry, mint, Path(scratch) / "mapped", progress)
        del registry
        report, store = _check(parts, settings, Path(scratch) / "store", None, shapes, progress)
        by_graph = {
            row["g"].value: int(row["n"].value)
            for row in _solutions(
                store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            )
        }
        del store
    return {name: by_graph.get(str(mint.graph(name)), 0) for name in names}, report


def build(settings: Settings, progress: Progress = lambda _: None, validate: bool = True) -> BuildResult:
    """Build a release from ``settings.data_dir`` into ``settings.build_dir`` and make it current.

    One build at a time per build folder (an exclusive lock); leftovers of a build that was killed
    are removed first. Nothing the served release uses is touched until the final rename. The
    mapped triples stream to disk (N-Quads), are bulk-loaded into the release's on-disk store
    (unless ``settings.build_store`` is ``none``: a release served from memory only needs the
    dump), validated (:func:`kkb_lod.validate.validate_store`, on an in-memory copy unless
    ``settings.validation_store`` is ``disk``) and written out as sorted dumps, so memory does not
    grow with the registry beyond that copy while it is checked. ``validate=False`` is for
    benchmarks only: such a release says ``"validated": false`` in its manifest.
    """
    with building(settings.build_dir):
        return _build(settings, progress, validate)


def _build(settings: Settings, progress: Progress, validate: bool) -> BuildResult:
    started = dt.datetime.now(dt.UTC)
    release_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    root = settings.build_dir
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

    registry = _read(settings, progress, build=True)
    mint = Minter(settings.base_iri)
    names = graph_names(settings, registry)
    stage("read")
    partial = partial_dir(root, release_id)
    partial.mkdir(parents=True)
    scratch_parts = partial / "mapped"
    # One thread sorts the mapped parts while the mapping writes the next ones (GNU sort runs on
    # the other core). The store is then bulk-loaded from the whole sorted file in one call
    # (pyoxigraph's loader uses up to two cores by itself), before the dumps (docs/scale.md).
    sorter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkb-sort")
    try:
        sorts: list[Future] = []
        expected = expected_triples(registry, settings)
        _stream(
            settings,
            registry,
            mint,
            scratch_parts,
            progress,
            lambda part: sorts.append(sorter.submit(_sort_part, part)),
            part_lines=min(max(expected // 8, 50_000), PART_LINES),
        )
        del registry  # the rows (hundreds of MB nationally) are not needed by the later stages
        stage("map")
        (partial / "dumps").mkdir()
        nquads = partial / "dumps" / "kkb.nq"
        parts = [sort.result() for sort in sorts]
        store = None
        if settings.build_store == "disk":  # the merge into kkb.nq feeds the loader as it goes
            progress("bulk loading the on-disk store (as the sorted parts merge into kkb.nq)")
            store = _load(parts, partial / "store", merged=nquads)
            stage("load")
        else:
            merge_unique(parts, nquads, scratch_parts)
            stage("sort")
        shutil.rmtree(scratch_parts)
        report = None
        if validate:
            scratch = partial / "validation-store"
            report, checked = _check([nquads], settings, scratch, store, None, progress)
            del checked
            shutil.rmtree(scratch, ignore_errors=True)
            stage("validate")
            if not report.conforms:
                del store
                failed = root / "failed" / release_id
                failed.mkdir(parents=True)
                report.graph.serialize(failed / "report.ttl", format="turtle")
                (failed / "report.txt").write_text(report.text(), encoding="utf-8")
                raise ValidationFailed(report, failed / "report.ttl")
            report.graph.serialize(partial / "report.ttl", format="turtle")
        del store
        progress("writing dumps (text rewritings of kkb.nq)")
        dumps, by_graph, triples = write_dumps(partial / "dumps")
        if REFERENCE in names:
            dumps.append(graph_dump(partial / "dumps", str(mint.graph(REFERENCE)), REFERENCE_DUMP))
        stage("dumps")
        counts = {name: by_graph.get(str(mint.graph(name)), 0) for name in names}
        quads = sum(by_graph.values())
        manifest = {
            "id": release_id,
            "created": started.isoformat(),
            "kkb_lod": __version__,
            "base_iri": settings.base_iri,
            "triples": triples,
            "quads": quads,
            "graphs": counts,
            "conforms": report.conforms if report else None,
            "validated": validate,
            "store": settings.build_store == "disk",
            "seconds": timings,
            "dumps": [asdict(d) for d in dumps],
        }
        manifest["changes"] = changes.record(
            root, partial, settings.base_iri, progress, created=started.isoformat()
        )
        stage("changes")  # the change set against the current release: kkb_lod.changes
        manifest["ldes"] = ldes.write(partial, settings.base_iri, started.isoformat())
        stage("ldes")  # the event stream's pages of this release: kkb_lod.ldes
        write_manifest(partial, manifest)
        release = release_dir(root, release_id)
        partial.rename(release)
    except BaseException:
        sorter.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(partial, ignore_errors=True)
        raise
    sorter.shutdown()
    point_current(root, release)
    prune(root, keep(settings.serve_releases))
    progress(f"release {release_id}: {triples:,} triples")
    return BuildResult(release, triples, quads, counts, dumps, timings)


def _read(settings: Settings, progress: Progress, build: bool) -> Registry:
    """Read and check the registry folder; a synthetic one is built only under a synthetic base."""
    if build and (settings.data_dir / SYNTHETIC_MARKER).exists() and SYNTHETIC_SPACE not in settings.base_iri:
        raise InputError(
            [
                Problem(
                    SYNTHETIC_MARKER,
                    None,
                    None,
                    None,
                    f"this registry folder is synthetic (benchmarks/synth.py); build it only under a "
                    f"synthetic base IRI containing '{SYNTHETIC_SPACE}' (KKB_BASE_IRI), not "
                    f"{settings.base_iri}",
                )
            ]
        )
    progress(f"reading registry {settings.data_dir}")
    registry = read_registry(settings.data_dir, area=settings.area_codes)
    check_registry(registry)
    for resolution in registry.resolutions:  # each code found from a name, one line each
        progress(str(resolution))
    rows = {name: len(getattr(registry, name)) for name in (*TABLES, *OPTIONAL_TABLES)}
    progress("read " + ", ".join(f"{n:,} {name}" for name, n in rows.items() if n))
    return registry


def _stream(
    settings: Settings,
    registry: Registry,
    mint: Minter,
    folder: Path,
    progress: Progress,
    done: Callable[[Path], None] = lambda _: None,
    part_lines: int = PART_LINES,
) -> tuple[int, list[Path]]:
    """:func:`mapped` written to N-Quads part files in ``folder`` (:func:`kkb_lod.stream.write_nquads`)
    with progress; (statements written, part files)."""
    meter = Meter(progress, expected_triples(registry, settings))
    progress(f"mapping to N-Quads in {folder.name}/ (streamed to disk, part by part)")
    graphs = ((str(mint.graph(name)), triples) for name, triples in mapped(settings, registry, mint))
    written, parts = write_nquads(graphs, folder, meter, done, part_lines)
    progress(meter.line() + f"; {written:,} statements written")
    return written, parts


def _check(
    files: list[Path],
    settings: Settings,
    scratch: Path,
    store: ox.Store | None,
    shapes: Graph | None,
    progress: Progress,
) -> tuple[Report, ox.Store]:
    """Validate the N-Quads ``files`` (:func:`kkb_lod.validate.validate_store`) in a store of
    ``settings.validation_store``: a copy in memory (the SHACL queries scan, far faster there),
    else ``store`` when given (the release's own) or one made on disk at ``scratch``. Returns the
    report and the store checked (the caller drops it before removing ``scratch``)."""
    progress(f"validating against shapes/ (in a {settings.validation_store} store)")
    if settings.validation_store == "memory":
        checked = _load(files)
    else:
        checked = store if store is not None else _load(files, scratch)
    return validate_store(checked, shapes), checked


def graph_dump(folder: Path, graph: str, name: str) -> Dump:
    """The triples of one named graph of ``folder/kkb.nq`` as gzipped N-Triples ``name`` (sorted
    and unique as kkb.nq is; no time stamp in the gzip header, so the file is reproducible)."""
    tail = f" <{graph}> .\n"
    with (
        open(folder / "kkb.nq", encoding="utf-8") as quads,
        gzip.GzipFile(folder / name, "wb", compresslevel=6, mtime=0) as out,
    ):
        for line in quads:
            if line.endswith(tail):
                out.write((line[: -len(tail)] + " .\n").encode("utf-8"))
    return describe_file(folder / name, "application/gzip")


def _sort_part(part: Path) -> Path:
    """A part file sorted without repeats, beside it; the part itself removed."""
    target = part.with_suffix(".sorted")
    sort_unique(part, target, part.parent)
    part.unlink()
    return target


def _load(files: list[Path], path: Path | None = None, merged: Path | None = None) -> ox.Store:
    """A store holding the N-Quads ``files``: on disk at ``path``, else in memory (the SHACL
    queries scan, several times faster there: docs/scale.md). With ``merged``, ``files`` are
    sorted parts, merged into that file (:func:`kkb_lod.dumps.merging`) as the loader reads them.

    The files are ours (:mod:`kkb_lod.stream`, whose writer checks every IRI once), so the loader
    is told not to check them again (``lenient``; benchmarks/dumps.py measures both)."""
    store = ox.Store(None if path is None else str(path))
    if merged is not None:
        with merging(files, merged, merged.parent) as lines:
            store.bulk_load(lines, format=ox.RdfFormat.N_QUADS, lenient=True)
    else:
        for file in files:
            store.bulk_load(path=str(file), format=ox.RdfFormat.N_QUADS, lenient=True)
    if path is not None:
        store.flush()
    return store


def _solutions(results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    if not isinstance(results, ox.QuerySolutions):
        raise TypeError(f"a SELECT query answered {type(results).__name__}")
    return results


def national_reference(settings: Settings) -> tuple[tuple[UnitRow, ...], tuple[CrosswalkRow, ...]] | None:
    """The units and crosswalk rows of graph ``reference``: the whole country's, with
    ``reference = all``; None otherwise."""
    if settings.reference != "all":
        return None
    return reference.national_units(), reference.crosswalk_for(reference.units_by_code())


def links(settings: Settings, registry: Registry) -> tuple[list[Decision], Snapshot]:
    """The Wikidata links of a build: the registry's units, matched against its snapshot (or the
    bundled Q-ids); with ``reference = all`` also every other province and regency of the
    country, matched against the bundled Q-ids, into the same linkset."""
    decisions, snapshot = link_units(settings.data_dir, registry.units)
    if settings.reference == "all":
        own = {u.code for u in registry.units}
        others = tuple(
            u for u in reference.national_units() if u.level in ("province", "regency") and u.code not in own
        )
        decisions += [d for d in match_units(others, wikidata_snapshot(), {}) if d.status == "linked"]
    return decisions, snapshot


def expected_triples(registry: Registry, settings: Settings | None = None) -> int:
    """A rough size of the mapped dataset, for the progress ETA only."""
    per_row = {"units": 15, "kkb": 11, "kkb_years": 9, "activities": 20, "observations": 7}
    national = len(reference.national_units()) if settings and settings.reference == "all" else 0
    return 700 + 15 * national + sum(n * len(getattr(registry, name, ())) for name, n in per_row.items())
