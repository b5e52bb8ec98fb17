"""The kkb-lod command: help everywhere, exit codes that scripts can rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import kkb_lod.cli as cli_module
from kkb_lod.cli import EXIT_INPUT, cli
from kkb_lod.config import Settings

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
    result = CliRunner().invoke(cli, ["build", "--data", str(data_copy),
                                      "--out", str(tmp_path / "b")])
    assert result.exit_code == EXIT_INPUT
    assert "registry/kkb.csv, row 2, column village_code" in result.output
    assert not (tmp_path / "b" / "current").exists()


def test_bad_setting_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KKB_BASE_IRI", "not-an-iri")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2 and "KKB_BASE_IRI" in result.output


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "kkb_lod", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "build" in done.stdout


def test_serve_says_what_the_memory_store_costs(settings: Settings, capsys: pytest.CaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
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
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    settings = Settings(data_dir=DATA, build_dir=tmp_path / "b", build_store="none")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--data", str(DATA), "--out", str(settings.build_dir)],
                         env={"KKB_BUILD_STORE": "none"}).exit_code == 0
    with pytest.raises(SystemExit) as stopped:
        cli_module._prepare_to_serve(replace(settings, store="disk"))
    said = capsys.readouterr().err
    assert stopped.value.code == 1 and "has no on-disk store" in said
    assert "KKB_STORE=memory" in said and "make a new release" not in said
    cli_module._prepare_to_serve(replace(settings, store="memory"))  # opens, no exit
