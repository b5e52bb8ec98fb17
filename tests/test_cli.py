"""The kkb-lod command: help everywhere, exit codes that scripts can rely on."""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kkb_lod.cli as cli_module
from kkb_lod.cli import EXIT_INPUT, cli
from kkb_lod.config import Settings
from kkb_lod.pipeline import BuildResult
from kkb_lod.releases import current_release

from .conftest import DATA


@pytest.mark.parametrize("args", [[], ["build"], ["validate"]])
def test_help(args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_build_and_validate(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--data", str(DATA), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "triples" in result.output and (tmp_path / "b" / "current").exists()
    report = tmp_path / "report.ttl"
    result = runner.invoke(cli, ["validate", "--data", str(DATA), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "sh:conforms true" in report.read_text()


def test_bad_input_names_file_row_and_column(data_copy: Path, tmp_path: Path) -> None:
    kkb = data_copy / "registry" / "kkb.csv"
    kkb.write_text(kkb.read_text(encoding="utf-8").replace("62.04.01.1003,", "62.04.01.1099,"))
    result = CliRunner().invoke(cli, ["build", "--data", str(data_copy), "--out", str(tmp_path / "b")])
    assert result.exit_code == EXIT_INPUT
    assert "registry/kkb.csv, row 2, column village_code" in result.output
    assert not (tmp_path / "b" / "current").exists()


def test_bad_setting_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KKB_BASE_IRI", "not-an-iri")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2 and "KKB_BASE_IRI" in result.output


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kkb_lod", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "build" in done.stdout


def test_serve_says_what_the_memory_store_costs(
    settings: Settings, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` tells the memory each worker's copy of the store takes, and warns when the
    copies of all workers exceed the memory available; nothing for the on-disk store."""
    quads = json.loads((settings.build_dir / "current" / "manifest.json").read_text())["quads"]
    each = quads * cli_module.MEMORY_PER_QUAD
    three = replace(settings, store="memory", workers=3)
    monkeypatch.setattr(cli_module, "_available_memory", lambda: 3 * each + 1)
    cli_module._memory_note(three)
    said = capsys.readouterr().err
    assert f"{quads:,} quads" in said and "3 worker processes" in said and "Warning" not in said
    monkeypatch.setattr(cli_module, "_available_memory", lambda: 3 * each - 1)
    cli_module._memory_note(three)
    assert "Warning: that is more than" in capsys.readouterr().err
    cli_module._memory_note(replace(three, store="disk"))
    assert capsys.readouterr().err == ""


def test_serving_a_release_without_its_disk_store_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "b", build_store="none")
    runner = CliRunner()
    assert (
        runner.invoke(
            cli,
            ["build", "--data", str(DATA), "--out", str(settings.build_dir)],
            env={"KKB_BUILD_STORE": "none"},
        ).exit_code
        == 0
    )
    with pytest.raises(SystemExit) as stopped:
        cli_module._prepare_to_serve(replace(settings, store="disk"))
    said = capsys.readouterr().err
    assert stopped.value.code == 1 and "has no on-disk store" in said
    assert "KKB_STORE=memory" in said and "make a new release" not in said
    cli_module._prepare_to_serve(replace(settings, store="memory"))  # opens, no exit


# --- a full disk or a read-only build folder: one line, exit 1, the last good release kept -------

NO_SPACE = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def served(built: BuildResult, tmp_path: Path) -> Path:
    """A private copy of the session build folder, its ``current`` link included."""
    out = tmp_path / "build"
    shutil.copytree(built.release.parents[1], out, symlinks=True)
    return out


def _small_files(limit: int) -> Callable[[], None]:
    """For a child process: files may grow to ``limit`` bytes, then writes fail with EFBIG (as on
    a full disk) instead of the SIGXFSZ that would kill it."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _only_for(tool: str, limit: int, call: Callable[..., Any]) -> Callable[..., Any]:
    """``call`` (subprocess.run or Popen) with file sizes limited for ``tool``'s processes only."""

    def limited(args: list[str], **kwargs: Any) -> Any:
        if args[0] == tool:
            kwargs["preexec_fn"] = _small_files(limit)
        return call(args, **kwargs)

    return limited


def _fail_at(stage: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the build fail with a full disk at ``stage``; the message the command must print."""
    import kkb_lod.pipeline as pipeline

    def no_space(*_: object, **__: object) -> None:
        raise NO_SPACE

    if stage == "partial release folder":
        mkdir = Path.mkdir
        monkeypatch.setattr(
            Path,
            "mkdir",
            lambda self, *a, **k: no_space() if self.name.endswith(".partial") else mkdir(self, *a, **k),
        )
    elif stage == "sort (real, GNU sort)":
        monkeypatch.setattr(subprocess, "run", _only_for("sort", 4096, subprocess.run))
        return "sort failed: sort: write failed"
    elif stage == "store load":
        monkeypatch.setattr(pipeline, "_load", no_space)
    elif stage == "dumps":
        monkeypatch.setattr(pipeline, "write_dumps", no_space)
    elif stage == "gzip (real)":
        monkeypatch.setattr(subprocess, "Popen", _only_for("gzip", 4096, subprocess.Popen))
        return "File too large"
    elif stage == "manifest":
        write_text = Path.write_text
        monkeypatch.setattr(
            Path,
            "write_text",
            lambda self, *a, **k: no_space() if (self.name == "manifest.json") else write_text(self, *a, **k),
        )
    elif stage == "swap":
        monkeypatch.setattr(os, "symlink", no_space)
    return "No space left on device"


def _assert_kept(served: Path, before: Path, dump: bytes) -> None:
    """The release served before is still current and complete; no partial release is left."""
    assert current_release(served) == before
    assert (before / "manifest.json").is_file() and (before / "store").is_dir()
    assert (before / "dumps" / "kkb.nt").read_bytes() == dump
    assert not list((served / "releases").glob(".*"))


def _one_error_line(output: str, says: str) -> None:
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and says in errors[0], output
    assert "the last good release is unchanged" in errors[0]
    assert "Traceback" not in output


@pytest.mark.parametrize(
    "stage",
    [
        "partial release folder",
        "sort (real, GNU sort)",
        "store load",
        "dumps",
        "gzip (real)",
        "manifest",
        "swap",
    ],
)
def test_a_full_disk_ends_the_build_with_one_line(
    stage: str, served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = current_release(served)
    dump = (before / "dumps" / "kkb.nt").read_bytes()
    says = _fail_at(stage, monkeypatch)
    result = CliRunner().invoke(cli, ["build", "--data", str(DATA), "--out", str(served)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    _one_error_line(result.output, says)
    _assert_kept(served, before, dump)


def test_a_full_disk_for_real_while_mapping(served: Path) -> None:
    """The build process itself may write no file past 64 KiB: the kernel refuses (EFBIG) the
    first write past it, as a full disk would refuse it (ENOSPC)."""
    before = current_release(served)
    dump = (before / "dumps" / "kkb.nt").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "kkb_lod", "build", "--data", str(DATA), "--out", str(served)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_small_files(64 * 1024),
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    _one_error_line(done.stderr, "File too large")
    _assert_kept(served, before, dump)


@pytest.fixture
def read_only(built: BuildResult, tmp_path: Path) -> Iterator[Path]:
    """A copy of the session build folder whose folders nobody may write to (made writable again
    afterwards, so it can be removed)."""
    build = tmp_path / "build"
    shutil.copytree(built.release.parents[1], build, symlinks=True)
    folders = [f for f in (build, *build.rglob("*")) if f.is_dir() and not f.is_symlink()]
    for folder in folders:
        folder.chmod(0o555)
    try:
        yield build
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_a_read_only_build_folder_ends_the_build_with_one_line(read_only: Path) -> None:
    """A build folder the builder may not write to. Root may write anywhere: as root the build
    runs without any capability (setpriv), so the folders' modes bind it as they bind anyone,
    while it still reads what root owns (the checkout, the venv) as their owner."""
    before = current_release(read_only)
    dump = (before / "dumps" / "kkb.nt").read_bytes()
    command = [sys.executable, "-m", "kkb_lod", "build", "--data", str(DATA), "--out", str(read_only)]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *command]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 1, done.stderr
    _one_error_line(done.stderr, "Permission denied")
    _assert_kept(read_only, before, dump)


def test_validate_and_link_say_in_one_line_what_they_could_not_write(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--data", str(DATA), "--report", str(blocked / "report.ttl")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [
        f"Error: Not a directory: {blocked / 'report.ttl'}; the report was not written"
    ]
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "links").write_text("a file where the review folder goes")
    result = runner.invoke(cli, ["link", "--data", str(DATA), "--out", str(tmp_path / "build")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [
        f"Error: File exists: {tmp_path / 'build' / 'links'}; the review is incomplete"
    ]


def test_link_names_a_bad_override(data_copy: Path, tmp_path: Path) -> None:
    overrides = data_copy / "links" / "overrides.csv"
    overrides.write_text(overrides.read_text(encoding="utf-8") + "62.04,Q14391,maybe,\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["link", "--data", str(data_copy), "--out", str(tmp_path)])
    assert result.exit_code == EXIT_INPUT, result.output
    assert "error: links/overrides.csv, row 2, column decision: must be one of" in result.output


def test_many_problems_are_counted_past_the_first_hundred(data_copy: Path, tmp_path: Path) -> None:
    """A column wrong in every row of a big registry prints the first problems and counts the
    rest per file and column (with their rows), not one line per row."""
    path = data_copy / "registry" / "kkb.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    rows = [first.replace("designated", "proposed", 1)] * 250  # 'status' wrong in 250 rows
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == EXIT_INPUT
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) < 120
    counted = [line for line in errors if "more problem(s)" in line]
    assert counted, result.stderr[-800:]
    total = int(result.stderr.rstrip().splitlines()[-1].split(" problem")[0].replace(",", ""))
    shown = len(errors) - len(counted)
    assert shown == cli_module.SHOWN_PROBLEMS
    assert shown + sum(int(line.split(": ")[-1].split()[0].replace(",", "")) for line in counted) == total
    assert any("registry/kkb.csv, column status, rows" in line for line in counted)
