"""The README documents every setting, its variable and every command (Datasette's habit)."""

from __future__ import annotations

from pathlib import Path

from kkb_lod.cli import cli
from kkb_lod.config import describe

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        (name, env) for name, env, _, _ in describe() if f"`{name}`" not in README or f"`{env}`" not in README
    ]
    assert not missing, f"README lacks settings: {missing}"


def test_every_command_is_documented() -> None:
    assert len(cli.commands) >= 3
    missing = [name for name in cli.commands if f"kkb-lod {name}" not in README]
    assert not missing, f"README lacks commands: {missing}"


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```sh")[1:]
    commands = [b.split("```", 1)[0].strip() for b in blocks]
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert commands[1] == "bash .ci/run"


DATA_README = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text(encoding="utf-8")


def test_the_header_names_are_documented_as_the_code_has_them() -> None:
    """data/README.md holds the sheet and header names exactly as kkb_lod/headers.py has them."""
    from kkb_lod.headers import HEADERS, header_table

    assert header_table() in DATA_README
    assert '| `village_code` | "Kode Desa/Kelurahan", "Kode Desa" |' in DATA_README
    assert len(HEADERS) >= 70


def test_every_spreadsheet_trap_is_documented() -> None:
    from kkb_lod.sheets import TRAPS

    missing = [trap for trap, what in TRAPS.items() if f"| `{trap}` | {what} |" not in DATA_README]
    assert not missing
