"""The import wall: the web layer and the store never reach the build.

``kkb_lod/web`` and ``kkb_lod/store.py`` serve a finished release; they must not load the registry
reader, the checks, the mapping, the linking, the validation or the build (``pipeline``), not even
lazily inside a function, so a server starts light and a change to the build cannot break it. The
imports are read with :mod:`ast` (every ``import`` and ``from … import`` of a ``kkb_lod`` module,
at module level and inside functions; those under ``if TYPE_CHECKING:`` never run) and followed
recursively; a failure names the chain that reaches the forbidden module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import kkb_lod

PACKAGE = Path(kkb_lod.__file__).parent
#: What the web layer and the store must never load (a package forbids its submodules too).
FORBIDDEN = (
    "kkb_lod.ingest",
    "kkb_lod.checks",
    "kkb_lod.mapping",
    "kkb_lod.linking",
    "kkb_lod.validate",
    "kkb_lod.pipeline",
    "kkb_lod.sheets",
    "kkb_lod.sheetscan",
    "kkb_lod.sheetcells",
    "kkb_lod.tables",
    "kkb_lod.headers",
    "kkb_lod.shacl_run",
    "kkb_lod.shacl_sparql",
)
SERVING = sorted(
    f"kkb_lod.web.{p.stem}" if p.stem != "__init__" else "kkb_lod.web" for p in (PACKAGE / "web").glob("*.py")
) + ["kkb_lod.store"]


def source(module: str) -> Path | None:
    """The file of a ``kkb_lod`` module (None if there is none: a name imported from a package)."""
    path = PACKAGE.parent.joinpath(*module.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:`` (its ``else`` does run)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for node in child.orelse:
                yield node
                yield from _runtime_nodes(node)
            continue
        yield child
        yield from _runtime_nodes(child)


@cache
def imports(module: str) -> tuple[str, ...]:
    """The ``kkb_lod`` modules ``module`` imports when it runs, in the order written: for
    ``from P import n``, ``P.n`` when that is a module of its own, and ``P`` (whose
    ``__init__`` runs) in any case."""
    path = source(module)
    if path is None:
        return ()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            # importing a.b.c runs a/__init__ and a/b/__init__ too
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                part = ".".join(parts[:end])
                if parts[0] == "kkb_lod" and source(part) is not None and part not in found:
                    found.append(part)
    return tuple(found)


def reach(start: str) -> dict[str, list[str]]:
    """Every ``kkb_lod`` module ``start`` loads, each with the chain of imports that loads it."""
    chains = {start: [start]}
    todo = [start]
    if "." in start.removeprefix("kkb_lod."):  # a submodule runs its package's __init__ first
        todo.insert(0, start.rpartition(".")[0])
        chains[todo[0]] = [start, todo[0]]
    while todo:
        module = todo.pop()
        for imported in imports(module):
            if imported not in chains:
                chains[imported] = [*chains[module], imported]
                todo.append(imported)
    return chains


def forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("start", SERVING)
def test_the_serving_side_never_reaches_the_build(start: str) -> None:
    crossed = [" -> ".join(chain) for module, chain in reach(start).items() if forbidden(module)]
    if crossed:
        pytest.fail("the serving side reaches the build:\n" + "\n".join(crossed))


def test_the_walk_sees_imports_inside_functions_and_skips_type_checking() -> None:
    """The walker itself: the build does reach what the web must not (so the test can fail), a
    lazy import in a function counts, and an import for type checkers only does not."""
    assert "kkb_lod.pipeline" in imports("kkb_lod.cli")  # cli imports pipeline inside functions
    assert reach("kkb_lod.pipeline")["kkb_lod.ingest"][0] == "kkb_lod.pipeline"
    assert "kkb_lod.config" not in imports("kkb_lod.store")  # under TYPE_CHECKING only
    assert {"kkb_lod.web", "kkb_lod.web._pages", "kkb_lod.store"} <= set(SERVING)
    with pytest.raises(pytest.fail.Exception, match=r"(?m)^kkb_lod\.cli -> kkb_lod\.pipeline$"):
        test_the_serving_side_never_reaches_the_build("kkb_lod.cli")  # the message names the chain


def test_nothing_serving_imports_the_build() -> None:
    """pipeline (the build) is loaded by nothing the server loads, directly or not."""
    importers = {m for start in SERVING for m in reach(start) if "kkb_lod.pipeline" in imports(m)}
    assert importers == set()
