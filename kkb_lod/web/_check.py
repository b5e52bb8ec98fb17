"""A query's syntax checked as the editor's user types, by SPARQL 1.1's grammar, never run.

The store's own parser (pyoxigraph) cannot parse without evaluating, and evaluating may call a
SERVICE, so the check reads the text with rdflib's SPARQL 1.1 Query grammar instead: the one the
SERVICE policy already uses (:func:`kkb_lod.web._policy.parse`: step-counted, one parse at a
time; its copy that keeps where it failed), after the policy's bounds on size and nesting (which
keep the grammar's recursion in bounds). Where it fails is the furthest point any of its rules
reached, as the store's PEG parser reports it, told in the run's own short sentence
(:func:`~kkb_lod.web._completion.syntax_problem`). Prefixes are checked as the store checks them
(declared before use); the page's known prefixes count as declared, as the page adds them when it
runs a query. The rules beyond the grammar that the store applies (a variable bound twice, one
shown but not grouped, VALUES rows of the wrong length …) are read on the parse tree
(:mod:`._scope`). docs/editor.md compares the two parsers on the W3C syntax tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from pyparsing import ParseBaseException
from werkzeug.exceptions import HTTPException

from kkb_lod.sparqlscan import ESCAPE, lexemes, position, unescape
from kkb_lod.web import _policy
from kkb_lod.web._completion import syntax_problem
from kkb_lod.web._errors import translate
from kkb_lod.web._examples import prologue_for
from kkb_lod.web._policy import Limits, check_escapes, check_query
from kkb_lod.web._query import check_policy
from kkb_lod.web._scope import Problem, scope_problem

#: The most grammar steps a check may take: four times what the longest example query takes
#: (14,000); 7 to 17 µs a step on a busy machine (benchmarks/check.py), so at most about half a
#: second to a second, during which the parse holds the GIL and the parse lock.
CHECK_STEPS = 60_000


@dataclass(frozen=True)
class Verdict:
    """What the check found: ``ok`` (None when the text could not be checked here: the store
    checks it when it runs), and where (line and column from 1, or None) and what, in the
    language asked."""

    ok: bool | None
    message: str = ""
    line: int | None = None
    column: int | None = None

    def json(self) -> dict[str, object]:
        return {"ok": self.ok, "line": self.line, "column": self.column, "message": self.message}


def check(
    text: str, lang: str, known: dict[str, str], base: str, services: list[str], limits: Limits
) -> Verdict:
    """The verdict on ``text``, a query as the editor holds it; ``known`` are the prefixes the
    page declares for a query that uses them."""
    try:  # what the run checks first (escapes at their place in the text as typed)
        if "\\u" in text or "\\U" in text:
            check_escapes(text)
        check_policy(check_query(prologue_for(text, known) + text, base, services, limits))
        refused = None
    except HTTPException as error:  # 400, or 403 for an update
        refused = error
        if "SERVICE" not in str(error.description):  # size, nesting, escapes: read no further
            return _refusal(str(error.description), text, lang)
    # Escapes are read first, as the store reads them; CR ends a line as LF does (same length).
    typed = text.replace("\r\n", " \n").replace("\r", "\n")
    plain = unescape(typed) if "\\u" in typed or "\\U" in typed else typed
    prologue = prologue_for(plain, known)
    found = _grammar_problem(prologue + plain, len(prologue))
    if isinstance(found, Stop):
        at = _typed_offset(typed, found.offset) if plain is not typed else found.offset
        if found.rule is not None:
            line, column = map(int, position(typed, at).split(":"))
            where = f"Baris {line}, kolom {column}" if lang == "id" else f"Line {line}, column {column}"
            what = found.rule.text_id if lang == "id" else found.rule.text_en
            return Verdict(False, f"{where}: {what}", line, column)
        problem = syntax_problem(f"Query syntax error: error at {position(typed, at)}: {found.detail}", typed)
        if problem is not None:
            return Verdict(False, problem.text(lang), problem.line, problem.column)
    elif found is not None:  # too long or too deep for the grammar here
        return Verdict(None, found[0] if lang == "id" else found[1])
    if refused is not None:  # a SERVICE the policy refuses: the run would say so
        return _refusal(str(refused.description), text, lang)
    return Verdict(True)


class Stop(NamedTuple):
    """Where the store would stop reading (an offset in the query, escapes read) and why, in
    its words."""

    offset: int
    detail: str
    rule: Problem | None = None  # a rule beyond the grammar, in its own words


def _typed_offset(typed: str, offset: int) -> int:
    """``offset`` in the escape-processed text, as an offset in the text as typed."""
    for escape in ESCAPE.finditer(typed):
        if escape.start() >= offset:
            break
        offset += len(escape.group()) - 1
    return offset


def _refusal(description: str, text: str, lang: str) -> Verdict:
    """A policy refusal told in ``lang`` (a syntax error among them, with its place)."""
    problem = syntax_problem(description, text)
    if problem is not None:
        return Verdict(False, problem.text(lang), problem.line, problem.column)
    return Verdict(False, (translate(description) or description) if lang == "id" else description)


def _grammar_problem(full: str, shift: int) -> Stop | tuple[str, str] | None:
    """The first problem of ``full`` (a query after a ``shift``-long prologue of known prefixes)
    as the store would tell it, its offset in the query; (id, en) when the grammar cannot decide
    here; None when there is none."""
    stop = len(full)
    try:
        tree = _policy.parse(full, CHECK_STEPS, tracked=True)
        detail = ""
    except _policy._TooComplex:
        return (
            "Kueri ini terlalu panjang untuk diperiksa sambil mengetik; penyimpanan data "
            "memeriksanya saat dijalankan.",
            "This query is too long to check as you type; the store checks it when it runs.",
        )
    except RecursionError:
        return (
            "Kueri ini bersarang terlalu dalam untuk diperiksa sambil mengetik; penyimpanan data "
            "memeriksanya saat dijalankan.",
            "This query nests too deeply to check as you type; the store checks it when it runs.",
        )
    except ParseBaseException:
        furthest = _policy.furthest()
        stop = min(max(furthest.offset, shift), len(full))
        detail = "expected one of " + ", ".join(
            word if word.isalpha() else f'"{word}"'
            for word in sorted(furthest.expected, key=_order)
            if word != "#"  # a comment may come anywhere: no hint
        )
    undeclared = _undeclared(full, stop)
    if undeclared is not None:
        return Stop(undeclared - shift, "Prefix not found")
    if detail:
        return Stop(stop - shift, detail)
    try:
        broken = scope_problem(tree, full)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):  # a tree no rule foresaw:
        broken = None  # say nothing (the run still checks) rather than fail the editor's request
    return None if broken is None else Stop(broken.offset - shift, "", broken)


#: The signs a person most often leaves out, named first when the grammar expected them.
_FIRST = "})]{.;,("


def _order(word: str) -> tuple[int, int, str]:
    """Closing and separating signs first, other signs next, then words: the order the short
    sentence picks its few examples in."""
    return (1 if word.isalpha() else 0, _FIRST.find(word) % 99, word)


def _undeclared(text: str, stop: int) -> int | None:
    """The end of the first prefixed name before ``stop`` whose prefix is not declared before
    it (where the store reports it), or None."""
    declared: set[str] = set()
    after_prefix = False
    for kind, value, offset in lexemes(text):
        if offset >= stop:
            return None
        if kind in ("space", "comment"):
            continue
        if kind == "pname":
            name = value.split(":", 1)[0]
            if after_prefix:
                declared.add(name)
            elif name not in declared:
                return offset + len(value)
        after_prefix = kind == "word" and value.upper() == "PREFIX"
    return None
