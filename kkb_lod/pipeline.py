"""``build``: registry folder → checked records → RDF → store → SHACL → a new release, swapped in.

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

from kkb_lod import __version__, changes, reference
from kkb_lod._convert import to_ox
from kkb_lod.catalog import REFERENCE_DUMP
from kkb_lod.checks import check_registry
from kkb_lod.config import Settings
from kkb_lod.dumps import Dump, describe_file, merge_unique, sort_unique, write_dumps
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
from kkb_lod.mapping import map_registry, to_graph
from kkb_lod.releases import (
    building,
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


def map_graphs(settings: Settings, progress: Progress = lambda _: None) -> dict[str, Graph]:
    """Read, check, map and link the registry folder: one graph per named graph of a release."""
    progress(f"reading registry {settings.data_dir}")
    registry = read_registry(settings.data_dir, area=settings.area_codes)
    check_registry(registry)
    progress(f"mapping {len(registry.kkb)} KKB, {len(registry.units)} administrative units")
    mint = Minter(settings.base_iri)
    graphs = {
        name: to_graph(triples)
        for name, triples in map_registry(registry, mint, reference=national_reference(settings)).items()
    }
    graphs[LINKS] = to_graph(link_triples(*links(settings, registry), mint))
    graphs[ONTOLOGY] = load_ontology()
    return graphs


def map_and_validate(
    settings: Settings, progress: Progress = lambda _: None
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


def validate_registry(
    settings: Settings, progress: Progress = lambda _: None, shapes: Graph | None = None
) -> tuple[dict[str, int], Report]:
    """Validate the registry folder as a build would, publishing nothing: (triples per graph, report).

    Mapped as a build maps (N-Quads streamed to part files), bulk-loaded into a scratch store
    (``settings.validation_store``: in memory, or on disk for the least memory) and validated
    there (:func:`kkb_lod.validate.validate_store`), so memory stays a fraction of what
    :func:`map_graphs` needs (rdflib graphs, ~1.2 KB per triple) at national size. The scratch
    folder (system temporary directory) is removed afterwards.
    """
    progress(f"reading registry {settings.data_dir}")
    registry = read_registry(settings.data_dir, area=settings.area_codes)
    check_registry(registry)
    mint = Minter(settings.base_iri)
    names = {str(mint.graph(name)): name for name in _graph_names(settings, registry)}
    with tempfile.TemporaryDirectory(prefix="kkb-validate-") as scratch:
        meter = Meter(progress, expected_triples(registry, settings))
        progress("mapping to N-Quads (a scratch folder)")
        _, parts = write_nquads(_graphs(settings, registry), Path(scratch) / "mapped", meter)
        del registry
        progress(f"bulk loading a scratch {settings.validation_store} store")
        on_disk = settings.validation_store == "disk"
        store = _load(parts, Path(scratch) / "store" if on_disk else None)
        counts = {
            names[row["g"].value]: int(row["n"].value)
            for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        }
        progress(f"validating {sum(counts.values()):,} triples against shapes/ (SPARQL engine)")
        report = validate_store(store, shapes)
        del store
    return counts, report


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

    registry = _read(settings, progress)
    stage("read")
    partial = partial_dir(root, release_id)
    partial.mkdir(parents=True)
    mapped = partial / "mapped"
    # One thread sorts the mapped parts while the mapping writes the next ones (GNU sort runs on
    # the other core). The store is then bulk-loaded from the whole sorted file in one call
    # (pyoxigraph's loader uses up to two cores by itself on a large file; one call is faster and
    # lighter than several, measured at 1e7), before the dumps: run side by side on two cores,
    # the loader and the dump writers each took about three times longer.
    sorter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkb-sort")
    try:
        sorts: list[Future] = []
        expected = expected_triples(registry, settings)
        meter = Meter(progress, expected)
        progress(f"mapping to N-Quads in {mapped.name}/ (streamed to disk, sorted part by part)")
        written, _ = write_nquads(
            _graphs(settings, registry),
            mapped,
            meter,
            lambda part: sorts.append(sorter.submit(_sort_part, part)),
            part_lines=min(max(expected // 8, 50_000), PART_LINES),
        )
        progress(meter.line() + f"; {written:,} statements written")
        names = _graph_names(settings, registry)
        del registry  # the rows (hundreds of MB nationally) are not needed by the later stages
        stage("map")
        (partial / "dumps").mkdir()
        nquads = partial / "dumps" / "kkb.nq"
        merge_unique([sort.result() for sort in sorts], nquads, mapped)
        shutil.rmtree(mapped)
        stage("sort")
        store = None
        if settings.build_store == "disk":
            progress("bulk loading the on-disk store")
            store = _load([nquads], partial / "store")
            stage("load")
        report = None
        if validate:
            progress(f"validating against shapes/ (in a {settings.validation_store} store)")
            scratch = partial / "validation-store"
            if settings.validation_store == "memory":
                checked = _load([nquads])
            else:  # the release's own on-disk store, or one made for the checks alone
                checked = store if store is not None else _load([nquads], scratch)
            report = validate_store(checked)
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
        mint = Minter(settings.base_iri)
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
        manifest["changes"] = changes.record(root, partial, settings.base_iri, progress)
        stage("changes")  # the change set against the current release: kkb_lod.changes
        write_manifest(partial, manifest)
        release = release_dir(root, release_id)
        partial.rename(release)
    except BaseException:
        sorter.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(partial, ignore_errors=True)
        raise
    sorter.shutdown()
    point_current(root, release)
    prune(root)
    progress(f"release {release_id}: {triples:,} triples")
    return BuildResult(release, triples, quads, counts, dumps, timings)


def _read(settings: Settings, progress: Progress) -> Registry:
    if (settings.data_dir / SYNTHETIC_MARKER).exists() and SYNTHETIC_SPACE not in settings.base_iri:
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


def _load(files: Iterable[Path], path: Path | None = None) -> ox.Store:
    """A store holding the N-Quads ``files``: on disk at ``path``, else in memory (SHACL checks
    run ~2.7× faster there than on the on-disk store: 1e7 triples ~2 min against ~5.4,
    benchmarks/README.md)."""
    store = ox.Store(None if path is None else str(path))
    for file in files:
        store.bulk_load(path=str(file), format=ox.RdfFormat.N_QUADS)
    if path is not None:
        store.flush()
    return store


def _graph_names(settings: Settings, registry: Registry) -> list[str]:
    names = [*map_registry(registry, Minter("http://x.invalid/")), LINKS, ONTOLOGY]
    return names + [REFERENCE] if settings.reference == "all" else names


def _graphs(settings: Settings, registry: Registry) -> Iterator[tuple[str, Iterable]]:
    """(graph IRI, triples) of every named graph of a release, lazily."""
    mint = Minter(settings.base_iri)
    for name, triples in map_registry(
        registry, mint, nquads=True, reference=national_reference(settings)
    ).items():
        yield str(mint.graph(name)), triples
    yield str(mint.graph(LINKS)), link_triples(*links(settings, registry), mint)
    yield str(mint.graph(ONTOLOGY)), load_ontology()


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
