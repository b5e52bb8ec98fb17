"""The ``kkb-lod`` command. Each command parses its options and calls one function."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from kkb_lod import __version__
from kkb_lod.config import Settings, SettingsError, load_settings
from kkb_lod.ingest import InputError, Problem

EXIT_INPUT, EXIT_INVALID = 2, 3


def _settings(**overrides: object) -> Settings:
    context = click.get_current_context(silent=True)
    config = context.find_root().params.get("config") if context else None
    try:
        return load_settings(overrides, config=config)
    except SettingsError as err:
        raise click.UsageError(str(err)) from None


@contextmanager
def _disk_errors(after: str) -> Iterator[None]:
    """A full disk, a read-only folder or another refusal of the operating system ends the
    command with one line saying so (exit 1), never a traceback; ``after`` says what is left.
    (The tools a build runs, ``sort`` and ``gzip``, fail as OSError with their own message.)"""
    try:
        yield
    except OSError as err:
        said = f"{err.strerror}: {err.filename}" if err.strerror and err.filename else str(err)
        said = "; ".join(line.strip() for line in said.splitlines() if line.strip())
        raise click.ClickException(f"{said}; {after}") from None


class Progress:
    """Stage-by-stage progress on stderr, with the time each stage started."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        click.echo(f"[{time.monotonic() - self.start:6.1f}s] {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kkb-lod")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Settings file (TOML) to read; default: KKB_CONFIG, else kkb-lod.toml in the "
    "current folder when there is one (as 'kkb-lod init' writes).",
)
def cli(config: Path | None) -> None:
    """Publish the Kampung Keluarga Berkualitas registry as linked open data.

    Settings come from a settings file (--config, KKB_CONFIG or ./kkb-lod.toml) and KKB_*
    environment variables (see the README); options override them.
    """


@cli.command()
@click.option(
    "--area",
    required=True,
    help="Kemendagri code of a regency/city (62.04) or province (62), several "
    "separated by commas, or 'all' (the country).",
)
@click.option(
    "--force", is_flag=True, help="Write into a folder that already holds files (never overwriting one)."
)
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
def init(area: str, force: bool, folder: Path) -> None:
    """Write a ready registry folder for an area into FOLDER (default: here).

    FOLDER/registry/registry.xlsx is the template workbook (sheets "Kampung KB", "Tahunan", "Sumber",
    drop-down lists of the area's kecamatan and villages), FOLDER/README.md says how to fill and
    build it (Indonesian and English), FOLDER/kkb-lod.toml holds the settings a build there reads
    (the area, the base IRI to set). A non-empty FOLDER is refused unless --force.
    """
    from kkb_lod.scaffold import InitError, init_registry

    try:
        with _disk_errors("the folder may be incomplete"):
            files = init_registry(folder, area, force)
    except (InitError, SettingsError) as err:
        raise click.UsageError(str(err)) from None
    for file in files:
        click.echo(f"wrote {file}")
    click.echo(f"Next: fill in {files[0]}, set base_iri in {files[2]}, then run 'kkb-lod build' in {folder}.")


@cli.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Registry folder (default: data/, or KKB_DATA_DIR).",
)
@click.option(
    "--out",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder (default: build/, or KKB_BUILD_DIR).",
)
@click.option("--base-iri", help="Base of minted IRIs (default: KKB_BASE_IRI).")
@click.option(
    "--reference",
    type=click.Choice(["covered", "all"]),
    help="Official units published: 'covered' (the registry's regencies) or 'all' (also "
    "every unit of the country, graph 'reference'); default: covered, or KKB_REFERENCE.",
)
def build(data_dir: Path | None, build_dir: Path | None, base_iri: str | None, reference: str | None) -> None:
    """Read the registry, map it to RDF, validate it and publish a new release.

    The new release becomes current only if it is complete and valid; otherwise the last good
    release stays in place and the problems are printed: exit 2 on bad input (file, row and column
    are named), 3 on SHACL violations, 1 with one line when the disk is full or the build folder
    cannot be written.
    """
    from kkb_lod.pipeline import ValidationFailed
    from kkb_lod.pipeline import build as run_build
    from kkb_lod.releases import BuildBusy

    settings = _settings(data_dir=data_dir, build_dir=build_dir, base_iri=base_iri, reference=reference)
    try:
        with _disk_errors("the build failed; the last good release is unchanged and current"):
            result = run_build(settings, Progress())
    except InputError as err:
        _input_problems(err)
    except BuildBusy as err:
        raise click.ClickException(str(err)) from None
    except ValidationFailed as err:
        click.echo(err.report.text(), err=True)
        click.echo(
            f"Build failed: {len(err.report.results)} SHACL results; report in "
            f"{err.path}. The last good build is unchanged.",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    graphs = ", ".join(f"{name} {n}" for name, n in result.graphs.items())
    click.echo(f"Built {result.release} : {result.triples} triples ({graphs})")
    from kkb_lod.scaffold import PLACEHOLDER_BASE

    if settings.base_iri == PLACEHOLDER_BASE:
        click.echo(
            f"Note: base_iri is still the placeholder {PLACEHOLDER_BASE} that 'kkb-lod init' "
            "wrote; set it to the public address before publishing.",
            err=True,
        )


@cli.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Registry folder (default: data/, or KKB_DATA_DIR).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("validation-report.ttl"),
    show_default=True,
    help="Where to write the sh:ValidationReport as Turtle.",
)
@click.option(
    "--engine",
    type=click.Choice(["sparql", "pyshacl"]),
    default="sparql",
    show_default=True,
    help="sparql: the shapes compiled to SPARQL on pyoxigraph, over a scratch on-disk store "
    "(fast, bounded memory, for national registries); "
    "pyshacl: plain pySHACL, the reference it is tested against.",
)
def validate(data_dir: Path | None, report_path: Path, engine: str) -> None:
    """Check and validate the registry without publishing anything.

    Exits 0 when it conforms, 2 on bad input (file, row and column are named), 3 on SHACL
    violations (focus node, path, value, message and shape are printed).
    """
    from kkb_lod.pipeline import map_and_validate, validate_registry

    settings = _settings(data_dir=data_dir)
    progress = Progress()
    try:
        with _disk_errors("the registry was not validated"):
            if engine == "pyshacl":
                counts, report = map_and_validate(settings, progress)
            else:
                counts, report = validate_registry(settings, progress)
    except InputError as err:
        _input_problems(err)
    with _disk_errors("the report was not written"):
        report.graph.serialize(report_path, format="turtle")
    if not report.conforms:
        click.echo(report.text(), err=True)
        click.echo(
            f"Invalid: {len(report.results) + report.omitted} SHACL results; report in {report_path}",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    click.echo(f"Valid: {sum(counts.values())} triples conform; report in {report_path}")


@cli.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Registry folder whose links/ snapshot and overrides are used.",
)
@click.option(
    "--out",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder; the review goes to its links/ folder.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="First rebuild the snapshot from the live Wikidata SPARQL endpoint (politely: "
    "see the refresh_* settings); a refresh stopped halfway continues where it "
    "stopped when run again.",
)
@click.option(
    "--endpoint",
    default="https://query.wikidata.org/sparql",
    show_default=True,
    help="SPARQL endpoint queried by --refresh.",
)
@click.option(
    "--reference",
    type=click.Choice(["registry", "all"]),
    default="registry",
    show_default=True,
    help="Units to refresh and match: those of the registry's reference (the regencies it "
    "covers, or its own region list), or all 91,599 units of the country.",
)
def link(data_dir: Path | None, build_dir: Path | None, refresh: bool, endpoint: str, reference: str) -> None:
    """Match administrative units to Wikidata and write the review.

    Offline by default (data/links/wikidata-snapshot.csv); overrides in data/links/overrides.csv
    always win. Writes review.csv, review.html and quickstatements.txt (proposed P2588 codes, for
    a human editor — never uploaded).
    """
    from kkb_lod.ingest import read_registry
    from kkb_lod.linking import link_units
    from kkb_lod.linking.publish import quickstatements, review_csv, review_html
    from kkb_lod.reference import national_units

    settings = _settings(data_dir=data_dir, build_dir=build_dir)
    progress = Progress()
    try:
        units = (
            read_registry(settings.data_dir, area=settings.area_codes).units
            if reference == "registry"
            else national_units()
        )
        if refresh:
            _refresh(units, settings, endpoint, progress)
        decisions, snapshot = link_units(settings.data_dir, units)
    except InputError as err:
        _input_problems(err)
    out = settings.build_dir / "links"
    with _disk_errors("the review is incomplete"):
        out.mkdir(parents=True, exist_ok=True)
        (out / "review.csv").write_text(review_csv(decisions), encoding="utf-8")
        (out / "review.html").write_text(review_html(decisions, snapshot), encoding="utf-8")
        (out / "quickstatements.txt").write_text(quickstatements(decisions, snapshot), encoding="utf-8")
    counts = {s: sum(d.status == s for d in decisions) for s in ("linked", "ambiguous", "unmatched")}
    click.echo(
        f"{counts['linked']} linked, {counts['ambiguous']} ambiguous, "
        f"{counts['unmatched']} unmatched; review in {out}/review.html"
    )


def _refresh(units: tuple, settings: Settings, endpoint: str, progress: Progress) -> None:
    """Rebuild the snapshot of ``units``; on failure or Ctrl-C the old one stays, and the answers
    so far wait in the progress file for the next run."""
    from kkb_lod.linking.refresh import PROGRESS, Politeness, RefreshError, refresh_snapshot

    politeness = Politeness.of(settings)
    progress(
        f"refreshing the snapshot from {endpoint} as {politeness.user_agent!r}, "
        f"{politeness.delay:g} s between requests"
    )
    kept = f"the old snapshot is unchanged; the answers so far are kept in {PROGRESS} for the next run"
    try:
        with _disk_errors(kept):
            refresh_snapshot(units, settings.data_dir, endpoint, politeness, progress=progress)
    except RefreshError as err:
        raise click.ClickException(f"{err}; {kept}") from None
    except KeyboardInterrupt:
        click.echo(f"Stopped: {kept}", err=True)
        sys.exit(130)


@cli.command()
@click.option(
    "--out",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder whose current release is loaded (default: build/, or KKB_BUILD_DIR).",
)
@click.option(
    "--store-url",
    required=True,
    help="Graph Store Protocol URL of the remote store, e.g. http://host:7878/store "
    "(Oxigraph) or http://host:8890/sparql-graph-crud (Virtuoso).",
)
@click.option(
    "--batch",
    default=50_000,
    show_default=True,
    help="Triples per request (the first one of a graph replaces it, PUT; then POST).",
)
def load(build_dir: Path | None, store_url: str, batch: int) -> None:
    """Load the current release into a remote SPARQL store, to serve it with KKB_SPARQL_URL."""
    from kkb_lod.releases import current_release
    from kkb_lod.store import StoreError, load_release

    settings = _settings(build_dir=build_dir)
    progress = Progress()
    try:
        release = current_release(settings.build_dir)
        sent = load_release(release, store_url, batch, progress=progress)
    except (FileNotFoundError, StoreError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Loaded {release.name} into {store_url}: {sum(sent.values())} triples in {len(sent)} graphs")


#: Problems printed one by one; past these, the rest are counted per file, sheet and column (one
#: column typed wrong in a national workbook would otherwise print tens of thousands of lines).
SHOWN_PROBLEMS = 100


def _input_problems(err: InputError) -> None:
    for problem in err.problems[:SHOWN_PROBLEMS]:
        click.echo(f"error: {problem}", err=True)
    rest = err.problems[SHOWN_PROBLEMS:]
    if rest:
        click.echo(f"… and {len(rest):,} more, not shown one by one:", err=True)
        rows: dict[tuple[str, str | None, str | None], list[int]] = {}
        for problem in rest:
            rows.setdefault((problem.file, problem.sheet, problem.column), []).append(problem.row or 0)
        for (file, sheet, column), found in sorted(rows.items(), key=lambda kv: -len(kv[1])):
            where = Problem(file, None, column, None, "", sheet=sheet)
            span = f", rows {min(found)}–{max(found)}" if max(found) else ""
            click.echo(f"error: {str(where)[:-2]}{span}: {len(found):,} more problem(s)", err=True)
    click.echo(f"{len(err.problems):,} problem(s) in the registry; nothing was built.", err=True)
    sys.exit(EXIT_INPUT)


def main() -> None:
    """Entry point of the ``kkb-lod`` script."""
    cli()


@cli.command()
@click.option(
    "--build",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build folder whose current release is served (default: build/, or "
    "KKB_BUILD_DIR); built from the registry folder first if it has none.",
)
@click.option("--host", help="Address to listen on (default: 127.0.0.1, or KKB_HOST).")
@click.option("--port", type=int, help="Port to listen on (default: 5000, or KKB_PORT).")
@click.option(
    "--store",
    type=click.Choice(["memory", "disk"]),
    help="Serve the release from memory or from its on-disk store (default: memory).",
)
@click.option("--workers", type=int, help="Worker processes (default: 2, or KKB_WORKERS).")
@click.option(
    "--reload",
    "reload_",
    is_flag=True,
    help="Start nothing: make the servers running on the build folder serve its "
    "current release now (SIGHUP), checked as --store serves it; exit 1 if none "
    "runs or the release cannot be served.",
)
def serve(
    build_dir: Path | None,
    host: str | None,
    port: int | None,
    store: str | None,
    workers: int | None,
    reload_: bool,
) -> None:
    """Serve the current release: /sparql, /id/… pages and the catalog.

    With no release in the build folder yet (and no KKB_SPARQL_URL), the registry is built first.
    Serves with gunicorn: several worker processes, so a query that cannot be stopped costs one
    worker, which is replaced, while the others keep answering. The release is opened once first,
    so a missing or damaged build stops start-up with a clear message. The server keeps serving
    that release (pinned: builds do not prune it) until it is told to reload (--reload).
    """
    import multiprocessing

    settings = _settings(build_dir=build_dir, host=host, port=port, store=store, workers=workers)
    if reload_:
        _reload(settings)
        return
    # Building and the check run in a process of their own: the process that forks the workers
    # must never have started the store's native thread pools (RocksDB), which a forked child
    # inherits half-made and crashes on at exit.
    prepare = multiprocessing.get_context("spawn").Process(target=_prepare_to_serve, args=(settings,))
    prepare.start()
    prepare.join()
    if prepare.exitcode:
        sys.exit(prepare.exitcode)
    _memory_note(settings)
    click.echo(
        f"Serving on http://{settings.host}:{settings.port}/ "
        f"(SPARQL: http://{settings.host}:{settings.port}/sparql) with "
        f"{settings.workers} worker processes"
    )
    from kkb_lod.web import create_app

    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:  # gunicorn needs a POSIX system
        click.echo("gunicorn is not available: one process (a stuck query is not replaced)", err=True)
        create_app(settings).run(settings.host, settings.port, threaded=True, use_reloader=False)
        return
    from kkb_lod.web._workers import serve as serve_workers

    serve_workers(settings, create_app)


def _reload(settings: Settings) -> None:
    """SIGHUP to every server of the build folder: gunicorn pins the current release, starts
    new workers on it and stops the old ones gracefully."""
    import os
    import signal

    from kkb_lod.releases import SERVERS, check_servable, current_release, running_servers

    servers = running_servers(settings.build_dir)
    if servers:
        try:
            release = current_release(settings.build_dir)
            check_servable(release, settings.store)
        except (OSError, ValueError) as err:
            raise click.ClickException(
                f"nothing to reload to: {err}; the servers keep their release"
            ) from None
    reached = []
    for pid in servers:
        try:
            os.kill(pid, signal.SIGHUP)
            reached.append(str(pid))
        except ProcessLookupError:  # it stopped meanwhile
            continue
    if not reached:
        raise click.ClickException(
            f"no server is running on {settings.build_dir} (no live pid file in "
            f"{settings.build_dir / SERVERS}/); nothing to reload"
        )
    click.echo(
        f"Reloading {len(reached)} server(s) (pid {', '.join(reached)}) onto release "
        f"{release.name}: new workers start on it, the old ones finish and stop"
    )


#: Resident memory of the in-memory store per quad, measured at 1e6 and 1e7 (docs/scale.md).
MEMORY_PER_QUAD = 330


def _memory_note(settings: Settings) -> None:
    """Say what the in-memory store will cost, and warn when the workers' copies will not fit.

    Each worker process ends up with its own copy: forked workers would share the loaded pages
    only until queries touch them (Oxigraph's reference counts are written as it reads).
    """
    if settings.sparql_url or settings.store != "memory":
        return
    from kkb_lod.releases import current_release, read_manifest

    manifest = read_manifest(current_release(settings.build_dir))
    each = manifest["quads"] * MEMORY_PER_QUAD
    total = each * settings.workers
    click.echo(
        f"In-memory store: {manifest['quads']:,} quads, about {each / 1e9:.2f} GB in each "
        f"of {settings.workers} worker processes ({total / 1e9:.2f} GB)",
        err=True,
    )
    available = _available_memory()
    if available is not None and total > available:
        click.echo(
            f"Warning: that is more than the {available / 1e9:.2f} GB available; serve with "
            "fewer workers (--workers 1) or from disk (--store disk); see docs/scale.md",
            err=True,
        )


def _available_memory() -> int | None:
    """MemAvailable of /proc/meminfo in bytes (Linux), else None."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _prepare_to_serve(settings: Settings) -> None:
    """Build the registry if the build folder has no release, then open the release once."""
    from kkb_lod.pipeline import ValidationFailed
    from kkb_lod.pipeline import build as run_build
    from kkb_lod.releases import current_release, has_current_link
    from kkb_lod.store import NoDiskStore, StoreError
    from kkb_lod.web import create_app

    try:
        if not settings.sparql_url:
            try:
                current_release(settings.build_dir)
            except FileNotFoundError:
                if has_current_link(settings.build_dir):
                    raise click.ClickException(
                        f"cannot serve {settings.build_dir}: its current link points to no "
                        "complete release; rebuild it"
                    ) from None
                click.echo(
                    f"No release in {settings.build_dir}; building {settings.data_dir} first.", err=True
                )
                try:
                    run_build(settings, Progress())
                except InputError as err:
                    _input_problems(err)
                except ValidationFailed as err:
                    click.echo(err.report.text(), err=True)
                    click.echo(f"Build failed; report in {err.path}. Nothing to serve.", err=True)
                    sys.exit(EXIT_INVALID)
        try:
            create_app(settings)
        except (StoreError, OSError, ValueError) as err:
            advice = (
                ""
                if settings.sparql_url or isinstance(err, NoDiskStore)
                else (" (run 'kkb-lod build' to make a new release)")
            )
            raise click.ClickException(f"cannot serve {settings.build_dir}: {err}{advice}") from None
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
