"""The README documents every setting, its variable and every command (Datasette's habit)."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from kkb_lod.cli import cli
from kkb_lod.config import describe

from .conftest import BASE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: An example IRI of docs/model.md (data or named graph, under the base, no placeholder), and
#: whether it is marked as one of the golden case's rather than the bundled release's.
MODEL_EXAMPLE = re.compile(r"`((?:id|graph)/[^`{}…\s]+)`(\s*\(golden case `registry-entry`)?")


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


def test_every_example_iri_of_the_model_dereferences(client: FlaskClient) -> None:
    """Each example IRI in docs/model.md answers 200 from the bundled build, or, where marked as the
    golden case's, is a resource of tests/cases/mapping/registry-entry (issue #20: a note example
    answered 404)."""
    examples = MODEL_EXAMPLE.findall((ROOT / "docs" / "model.md").read_text(encoding="utf-8"))
    golden = Graph().parse(ROOT / "tests" / "cases" / "mapping" / "registry-entry" / "expected.ttl")
    assert len(examples) >= 19 and sum(bool(marked) for _, marked in examples) == 4
    for iri, marked in examples:
        if marked:
            assert (URIRef(BASE + iri), None, None) in golden, iri
        else:
            answer = client.get("/" + iri, headers={"Accept": "text/turtle"})
            assert answer.status_code == 200, iri
