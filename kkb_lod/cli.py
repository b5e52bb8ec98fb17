"""The ``kkb-lod`` command. Each command parses its options and calls one function."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kkb_lod import __version__
from kkb_lod.config import Settings, SettingsError, load_settings
from kkb_lod.ingest import InputError

EXIT_INPUT, EXIT_INVALID = 2, 3


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(overrides)
    except SettingsError as err:
        raise click.UsageError(str(err)) from None


class Progress:
    """Stage-by-stage progress on stderr, with the time each stage started."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        click.echo(f"[{time.monotonic() - self.start:6.1f}s] {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kkb-lod")
def cli() -> None:
    """Publish the Kampung Keluarga Berkualitas registry as linked open data.

    Settings come from KKB_* environment variables (see the README); options override them.
    """


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Registry folder (default: data/, or KKB_DATA_DIR).")
@click.option("--out", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Build folder (default: build/, or KKB_BUILD_DIR).")
@click.option("--base-iri", help="Base of minted IRIs (default: KKB_BASE_IRI).")
def build(data_dir: Path | None, build_dir: Path | None, base_iri: str | None) -> None:
    """Read the registry, map it to RDF, validate it and publish a new release.

    The new release becomes current only if it is complete and valid; otherwise the last good
    release stays in place and the problems are printed.
    """
    from kkb_lod.pipeline import BuildBusy, ValidationFailed
    from kkb_lod.pipeline import build as run_build

    settings = _settings(data_dir=data_dir, build_dir=build_dir, base_iri=base_iri)
    try:
        result = run_build(settings, Progress())
    except InputError as err:
        _input_problems(err)
    except BuildBusy as err:
        raise click.ClickException(str(err)) from None
    except ValidationFailed as err:
        click.echo(err.report.text(), err=True)
        click.echo(f"Build failed: {len(err.report.results)} SHACL results; report in "
                   f"{err.path}. The last good build is unchanged.", err=True)
        sys.exit(EXIT_INVALID)
    graphs = ", ".join(f"{name} {n}" for name, n in result.graphs.items())
    click.echo(f"Built {result.release} : {result.triples} triples ({graphs})")


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Registry folder (default: data/, or KKB_DATA_DIR).")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("validation-report.ttl"), show_default=True,
              help="Where to write the sh:ValidationReport as Turtle.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: the shapes compiled to SPARQL on pyoxigraph (fast, for large registries); "
                   "pyshacl: plain pySHACL, the reference it is tested against.")
def validate(data_dir: Path | None, report_path: Path, engine: str) -> None:
    """Check and validate the registry without publishing anything.

    Exits 0 when it conforms, 2 on bad input (file, row and column are named), 3 on SHACL
    violations (focus node, path, value, message and shape are printed).
    """
    from kkb_lod.pipeline import map_and_validate, map_graphs
    from kkb_lod.validate import validate_graphs

    settings = _settings(data_dir=data_dir)
    progress = Progress()
    try:
        if engine == "pyshacl":
            _, counts, report = map_and_validate(settings, progress)
        else:
            graphs = map_graphs(settings, progress)
            counts = {name: len(graph) for name, graph in graphs.items()}
            progress(f"validating {sum(counts.values())} triples against shapes/ (SPARQL engine)")
            report = validate_graphs(graphs)
    except InputError as err:
        _input_problems(err)
    report.graph.serialize(report_path, format="turtle")
    if not report.conforms:
        click.echo(report.text(), err=True)
        click.echo(f"Invalid: {len(report.results)} SHACL results; report in {report_path}",
                   err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"Valid: {sum(counts.values())} triples conform; report in {report_path}")


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Registry folder whose links/ snapshot and overrides are used.")
@click.option("--out", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Build folder; the review goes to its links/ folder.")
@click.option("--refresh", is_flag=True,
              help="First rebuild the snapshot from the live Wikidata SPARQL endpoint.")
@click.option("--endpoint", default="https://query.wikidata.org/sparql", show_default=True,
              help="SPARQL endpoint queried by --refresh.")
def link(data_dir: Path | None, build_dir: Path | None, refresh: bool, endpoint: str) -> None:
    """Match administrative units to Wikidata and write the review.

    Offline by default (data/links/wikidata-snapshot.csv); overrides in data/links/overrides.csv
    always win. Writes review.csv, review.html and quickstatements.txt (proposed P2588 codes, for
    a human editor — never uploaded).
    """
    from kkb_lod.ingest import read_registry
    from kkb_lod.linking import link_units
    from kkb_lod.linking.publish import quickstatements, review_csv, review_html
    from kkb_lod.linking.refresh import RefreshError, refresh_snapshot

    settings = _settings(data_dir=data_dir, build_dir=build_dir)
    progress = Progress()
    try:
        registry = read_registry(settings.data_dir)
    except InputError as err:
        _input_problems(err)
    if refresh:
        progress(f"refreshing the snapshot from {endpoint}")
        try:
            found = refresh_snapshot(registry.units, settings.data_dir, endpoint)
        except RefreshError as err:
            raise click.ClickException(f"{err}; the old snapshot is unchanged") from None
        progress(f"snapshot: {len(found)} entities")
    decisions, snapshot = link_units(settings.data_dir, registry.units)
    out = settings.build_dir / "links"
    out.mkdir(parents=True, exist_ok=True)
    (out / "review.csv").write_text(review_csv(decisions), encoding="utf-8")
    (out / "review.html").write_text(review_html(decisions, snapshot), encoding="utf-8")
    (out / "quickstatements.txt").write_text(quickstatements(decisions, snapshot), encoding="utf-8")
    counts = {s: sum(d.status == s for d in decisions) for s in ("linked", "ambiguous", "unmatched")}
    click.echo(f"{counts['linked']} linked, {counts['ambiguous']} ambiguous, "
               f"{counts['unmatched']} unmatched; review in {out}/review.html")


def _input_problems(err: InputError) -> None:
    for problem in err.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(err.problems)} problem(s) in the registry; nothing was built.", err=True)
    sys.exit(EXIT_INPUT)


def main() -> None:
    """Entry point of the ``kkb-lod`` script."""
    cli()


@cli.command()
@click.option("--build", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Build folder whose current release is served (default: build/, or "
                   "KKB_BUILD_DIR); built from the registry folder first if it has none.")
@click.option("--host", help="Address to listen on (default: 127.0.0.1, or KKB_HOST).")
@click.option("--port", type=int, help="Port to listen on (default: 5000, or KKB_PORT).")
@click.option("--store", type=click.Choice(["memory", "disk"]),
              help="Serve the release from memory or from its on-disk store (default: memory).")
def serve(build_dir: Path | None, host: str | None, port: int | None, store: str | None) -> None:
    """Serve the current release: /sparql, /id/… pages and the catalog.

    With no release in the build folder yet (and no KKB_SPARQL_URL), the registry is built first.
    This is werkzeug's threaded server, fine for one machine; behind a proxy use a WSGI server
    with server.py (gunicorn server:app).
    """
    from kkb_lod.pipeline import ValidationFailed, current_release
    from kkb_lod.pipeline import build as run_build
    from kkb_lod.web import create_app

    settings = _settings(build_dir=build_dir, host=host, port=port, store=store)
    if not settings.sparql_url:
        try:
            current_release(settings.build_dir)
        except FileNotFoundError:
            click.echo(f"No release in {settings.build_dir}; building {settings.data_dir} first.",
                       err=True)
            try:
                run_build(settings, Progress())
            except InputError as err:
                _input_problems(err)
            except ValidationFailed as err:
                click.echo(err.report.text(), err=True)
                click.echo(f"Build failed; report in {err.path}. Nothing to serve.", err=True)
                sys.exit(EXIT_INVALID)
    app = create_app(settings)
    click.echo(f"Serving on http://{settings.host}:{settings.port}/ "
               f"(SPARQL: http://{settings.host}:{settings.port}/sparql)")
    app.run(settings.host, settings.port, threaded=True, use_reloader=False)
