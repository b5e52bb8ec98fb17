"""Run compiled SHACL checks (:mod:`kkb_lod.shacl_sparql`) on a pyoxigraph store, streaming.

Each check is one SPARQL query over the union of the store's graphs; its rows become results shaped
as pySHACL would report them (focus, path, value, message, shape, severity). Rows are streamed and
only the first ``limit`` results are kept, so a build with millions of violations is still judged
in bounded memory: every result is counted, the first ones are shown.

The queries run on two threads: pyoxigraph releases the GIL while Oxigraph evaluates, so the two
cores of a small server both work, on the same store, without copying it into worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal
from rdflib.term import Node

from kkb_lod._convert import from_ox
from kkb_lod.shacl_sparql import Check, UnsupportedShape, resolve
from kkb_lod.vocab import RDFS


@dataclass(frozen=True)
class Row:
    """One result in rdflib terms (the report graph needs terms, the Result their text)."""

    check: Check
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    component: Node


def _message(messages: Sequence[Literal], bound: dict[str, Node] | None) -> str:
    """The message the report shows: pySHACL's, and the same choice among several as validate.py.

    pySHACL fills ``{?var}``/``{$var}`` of a SPARQL constraint's messages from the row (and drops
    their language tags); English or untagged first, then text order.
    """
    texts = []
    for m in messages:
        if bound is None:
            texts.append((m.language not in (None, "en"), str(m)))
            continue
        text = str(m.value)
        for var, val in bound.items():
            text = re.sub(f"{{[?$]{var}}}", str(val), text)
        texts.append((False, text))
    return min(texts)[1] if texts else ""


def _solutions(store: ox.Store, query: str) -> Iterator[tuple[list[str], list]]:
    """(variable names, terms) per solution.

    pyoxigraph's answer must be freed on the thread that made it: it lives only in this generator,
    which is never on the stack when rdflib converts a term (rdflib logs an ill-typed literal with
    its traceback, and a logged frame lives on), so it is freed when the generator is exhausted.
    """
    solutions = _select(store, query)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield names, [solution[n] for n in names]


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT over the union of the store's graphs (every check is a SELECT)."""
    solutions = store.query(query, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):
        raise UnsupportedShape(f"a check must be a SELECT query: {query[:200]}")
    return solutions


def _subclasses(store: ox.Store, cls: str) -> list[str]:
    query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}"
    return [s["c"].value for s in _select(store, query) if isinstance(s["c"], ox.NamedNode)]


def check_rows(store: ox.Store, check: Check, classes: dict[str, list[str]] | None = None) -> Iterator[Row]:
    """The rows of one check, deduplicated per (focus, path, value, other variables) as pySHACL.

    ``classes`` caches the subclasses found in the store, shared by the checks of one run.
    """
    classes = {} if classes is None else classes

    def subclasses(cls: str) -> list[str]:
        if cls not in classes:
            classes[cls] = _subclasses(store, cls)
        return classes[cls]

    seen: set[tuple] = set()
    for names, terms in _solutions(store, resolve(check.query, subclasses)):
        row = {n: from_ox(t) for n, t in zip(names, terms, strict=True) if t is not None}
        focus = row.pop("this")
        value = row.pop("value", None)
        if not check.sparql:
            component = row.pop("_component", check.component)
            yield Row(check, focus, check.path, value, _message(check.messages, None), component)
            continue
        path = row.pop("path", None)
        key = (focus, path, value, tuple(sorted(row.items())))
        if key in seen:
            continue
        seen.add(key)
        if value is None and check.path is None:
            value = focus  # a node shape's constraint reports its focus node as the value
        bound = {
            **row,
            "this": focus,
            **({"path": path} if path is not None else {}),
            **({"value": value} if value is not None else {}),
        }
        yield Row(
            check,
            focus,
            path if path is not None else check.path,
            value,
            _message(check.messages, bound),
            check.component,
        )


@dataclass
class Outcome:
    """What running all checks gave: the kept rows, and counts over all rows."""

    rows: list[Row]
    total: int = 0
    violations: int = 0


def run_checks(store: ox.Store, checks: Sequence[Check], limit: int, workers: int = 2) -> Outcome:
    """Run every check (on ``workers`` threads), keeping at most ``limit`` rows in memory."""
    outcome = Outcome([])
    classes: dict[str, list[str]] = {}

    def one(check: Check) -> tuple[list[Row], int, int]:
        kept: list[Row] = []
        total, violations = 0, 0
        for row in check_rows(store, check, classes):
            total += 1
            violations += check.severity == "Violation"
            if len(kept) < limit:
                kept.append(row)
        return kept, total, violations

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for kept, total, violations in pool.map(one, checks):
            outcome.rows += kept[: max(0, limit - len(outcome.rows))]
            outcome.total += total
            outcome.violations += violations
    return outcome
