"""What a query's text must pass before the store sees it: size, nesting, escapes, SERVICE.

pyoxigraph (0.5) cannot be told otherwise once it has the text, so both guards come first:

* It calls any SERVICE IRI over HTTP. A query runs only if every SERVICE target is *proven* to be
  on the allowlist by two readings that must agree: rdflib's SPARQL 1.1 grammar after the spec's
  ``\\u`` escape processing, and :mod:`kkb_lod.sparqlscan`'s tokenizer, which reads escapes as pyoxigraph
  does. Where they could differ (an escape of ASCII punctuation, a text one cannot parse, other
  targets) the query is refused. A text with no "service" after its prologue (or, with escapes,
  anywhere once unescaped) cannot call anything and skips the proof.
* Its parser and evaluator recurse without a bound and crash the process on deep or long-chained
  queries, and its planning time grows steeply with patterns (docs/pyoxigraph-crash.md): size,
  nesting, operators and patterns are bounded first.

Every refusal is a 400 that says why, naming the setting where there is one.
"""

from __future__ import annotations

import copy
import re
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from werkzeug.exceptions import BadRequest

if TYPE_CHECKING:
    from kkb_lod.config import Settings

from kkb_lod.sparqlscan import (
    ESCAPE,
    EscapeError,
    Scan,
    full_scan,
    lexemes,
    local_name,
    position,
    prologue_end,
    resolve,
    scan,
    unescape,
)

_OPENERS = "{(["
_OPERATORS = "|&=<>+-*/^!"
_SEPARATORS = ".;,"
_CLOSERS = "})]"
_TERM_STARTS = " \t\r\n\"'?$<:"
_TERMS = ("iri", "string", "var", "bnode", "pname", "word", "number")


class Limits(NamedTuple):
    """The bounds a query text is held to (settings ``query_max_*``)."""

    bytes: int
    depth: int
    operators: int
    patterns: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(*(getattr(settings, f"query_max_{field}") for field in cls._fields))


def check_query(text: str, base: str, services: Sequence[str], limits: Limits) -> Scan:
    """Check ``text`` before it runs; return its :class:`~kkb_lod.sparqlscan.Scan`.

    :raise 400: too large (``query_max_bytes``), too deeply nested (``query_max_depth``), too
        many operators and terms (``query_max_operators``) or triple patterns and OPTIONAL/MINUS
        (``query_max_patterns``), an escape of no character, or a SERVICE call not proven to be
        on ``services``.
    """
    if len(text) * 4 > limits.bytes and len(text.encode("utf-8")) > limits.bytes:
        raise BadRequest(
            f"The query is larger than {limits.bytes} bytes, the most this endpoint "
            "accepts (query_max_bytes)."
        )
    escaped = "\\u" in text or "\\U" in text
    if escaped:
        check_escapes(text)
    depth, operators, patterns = shape(text, limits)
    if depth > limits.depth:
        raise BadRequest(
            f"The query nests deeper than {limits.depth} levels (brackets, braces, "
            "parentheses and unary operators), the most this endpoint accepts "
            "(query_max_depth)."
        )
    if operators > limits.operators:
        raise BadRequest(
            f"The query has more than {limits.operators} operators and terms (VALUES "
            "data aside), the most this endpoint accepts (query_max_operators); a "
            "long chain of them is as hard on the engine as deep nesting."
        )
    if patterns > limits.patterns:
        raise BadRequest(
            f"The query has more than {limits.patterns} triple patterns and "
            "OPTIONAL or MINUS groups (each '.', ';' and ',' counts), the most this "
            "endpoint accepts (query_max_patterns): the engine's planning time grows "
            "steeply with them and cannot be interrupted. Split the query."
        )
    start = prologue_end(text)
    code = unescape(text) if escaped else text[start:]  # escapes may hide a PREFIX's end
    if "service" in code.lower():
        check_services(text, base, services)
    return scan(text, base, start)


def check_escapes(text: str) -> None:
    """Every ``\\u``/``\\U`` escape must stand for a character (SPARQL 1.1, 19.2)."""
    for match in ESCAPE.finditer(text):
        try:
            unescape(match.group())
        except EscapeError as err:
            raise BadRequest(
                f"Query syntax error: error at {position(text, match.start())}: {err}."
            ) from None


# --- nesting -----------------------------------------------------------------------------------


def _counts(value: str, chars: str) -> int:
    """How many of the ASCII ``chars`` ``value`` has: counted in its UTF-8 bytes, one pass in C
    whatever the number of chars (no other character's bytes are ASCII)."""
    raw = value.encode("utf-8", "surrogatepass")
    return len(raw) - len(raw.translate(None, chars.encode("ascii")))


def shape(text: str, limits: Limits) -> tuple[int, int, int]:
    """Upper bounds of (how deeply, how many operators, how many patterns) the engine nests and
    chains in ``text``; a bound past its most is returned as soon as it is known.

    Depth counts brackets and unary ``!+-`` in a row; operators count opening brackets, operator
    characters, separators and terms; patterns count separators and OPTIONAL/MINUS. VALUES data
    counts for none. The lexing is fail-closed: what opens counts wherever it is unless the text
    is surely not code, what closes counts only where it surely is (an IRI's ``#`` or ``'`` may
    be a comment or a string to the engine). When the raw character counts are within the
    limits, they are the bounds (no lexing: most queries). docs/pyoxigraph-crash.md has the why.
    """
    depth = _counts(text, _OPENERS + "!")
    punctuation = _counts(text, _OPENERS + _CLOSERS + _OPERATORS + _SEPARATORS)
    # a term token starts after a space or a punctuation character, or with one of these
    operators = depth + 2 * punctuation + _counts(text, _TERM_STARTS) + 1
    patterns = _counts(text, _SEPARATORS) + _groups(text)
    if depth <= limits.depth and operators <= limits.operators and patterns <= limits.patterns:
        return depth, operators, patterns
    depth = deepest = run = operators = patterns = 0
    sure = True  # the engine surely reads the text here as we do
    until_line_end = False  # the engine may be in a comment that we do not see
    values = 0  # 1: after VALUES, 2: in its data block (whose terms do not count)
    for kind, value, _ in lexemes(text):
        broken = "\n" in value or "\r" in value
        if until_line_end and broken and kind != "space":  # a long string, from a comment?
            sure = False
        data = values == 2 and sure and not until_line_end  # no expression: ``<`` is an IRI
        if kind == "bad" or (kind == "iri" and "'" in value and not data):
            sure = False
        certain = sure and not until_line_end
        values = values if certain else 0
        code = kind in ("punct", "iri") or not certain
        if code and values != 2:
            operators += _counts(
                value, _OPENERS + _OPERATORS + ("" if kind == "iri" and sure else _SEPARATORS)
            )
            patterns += 0 if kind == "iri" and sure else _counts(value, _SEPARATORS)
        if (kind == "word" or not certain) and values != 2:
            patterns += _groups(value)
        if kind in _TERMS and values != 2:
            operators += 1
        if kind == "word" and value.upper() == "VALUES" and certain:
            values = 1
        elif kind == "punct" and value == "{" and values == 1:
            values = 2
        elif kind == "punct" and value == "}" and values == 2:
            values = 0
        if kind == "punct" and value in ("!", "+", "-"):
            run += 1
        elif kind == "punct" and value in _CLOSERS:
            depth -= 1 if certain else 0
            run = 0
        else:
            depth += _counts(value, _OPENERS) if code else 0
            run = run if kind in ("punct", "space", "comment") else 0
        until_line_end = (until_line_end and not broken) or (kind == "iri" and "#" in value and not data)
        deepest = max(deepest, depth + run)
        if deepest > limits.depth or operators > limits.operators or patterns > limits.patterns:
            break
    return deepest, operators, patterns


_GROUPS = re.compile(r"optional|minus", re.IGNORECASE)


def _groups(value: str) -> int:
    """How many OPTIONAL and MINUS keywords ``value`` could hold (ASCII, any case)."""
    return len(_GROUPS.findall(value)) if "o" in value or "O" in value or "m" in value or "M" in value else 0


# --- SERVICE -----------------------------------------------------------------------------------


def check_services(text: str, base: str, services: Sequence[str]) -> list[str]:
    """The SERVICE targets of ``text``, each proven to be on ``services`` by the two readings
    of the module's docstring; else 400."""
    allowed = ", ".join(f"<{s}>" for s in services) or "none"
    for match in ESCAPE.finditer(text):
        if re.fullmatch(r"[\x00-\x7F]", character := unescape(match.group())) and not character.isalnum():
            raise BadRequest(
                f"The escape {match.group()} at {position(text, match.start())} (line:column) stands for "
                f"{character!r}: in a query that mentions SERVICE, escapes may only stand for "
                "letters, digits or non-ASCII characters (others are read differently by the "
                "SPARQL specification and by this endpoint's engine). Write the character "
                "itself."
            )
    tokenized = full_scan(text, base)
    if tokenized.bad is not None:
        raise BadRequest(
            f"This query mentions SERVICE, and SERVICE queries run only when they "
            f"can be read in full; this one has {tokenized.bad}, which is no "
            "SPARQL 1.1 token."
        )
    parsed = _parsed_targets(unescape(text), base)
    if len(parsed) != len(tokenized.services) or sorted(map(str, parsed)) != sorted(
        map(str, tokenized.services)
    ):
        raise BadRequest(
            "This query mentions SERVICE, and its two readings (the SPARQL 1.1 "
            "grammar, the engine's tokens) do not find the same SERVICE calls: "
            "it is refused rather than guessed at."
        )
    for target in parsed:
        if target is None:
            raise BadRequest(
                "SERVICE needs an IRI (or a prefixed name of a declared prefix) on "
                "this endpoint's allowlist: a variable, an undeclared prefix or an "
                f"invalid IRI cannot be checked before running; allowed: {allowed}."
            )
        if target not in services:
            raise BadRequest(
                f"SERVICE <{target}> is not allowed: this endpoint calls only the "
                f"endpoints on its allowlist (service_allowlist); allowed: {allowed}."
            )
    return [t for t in parsed if t is not None]


def _parsed_targets(decoded: str, base: str) -> list[str | None]:
    """The SERVICE targets rdflib's SPARQL 1.1 grammar finds in the escape-processed text (CR
    made LF: its comments end only at LF), resolved as the engine resolves them; a variable, an
    unknown prefix or an IRI that does not resolve is None."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    try:
        tree = parse(decoded.replace("\r", "\n"), GRAMMAR_STEPS)
    except _TooComplex:
        raise BadRequest(
            "This query mentions SERVICE, and SERVICE queries run only when the "
            f"SPARQL 1.1 grammar can read them in full within {GRAMMAR_STEPS} "
            "steps; this one needs more. Make it shorter (or split it)."
        ) from None
    except RecursionError:  # the grammar recurses some 40 Python frames a nesting level
        raise BadRequest(
            "This query mentions SERVICE, and SERVICE queries run only when the "
            "SPARQL 1.1 grammar can read them in full; this one nests too deeply "
            "for it (about 20 levels of parentheses or 25 of braces is the most)."
        ) from None
    except ParseBaseException as err:
        raise BadRequest(
            "This query mentions SERVICE, and SERVICE queries run only when the "
            f"SPARQL 1.1 grammar can read them in full; it cannot: {err}"
        ) from None
    prefixes: dict[str, str | None] = {}
    for declaration in tree[0]:
        iri = resolve(base, str(declaration["iri"]))
        if declaration.name == "Base":
            base = iri or ""
        else:
            prefixes[_field(declaration, "prefix")] = iri
    targets: list[str | None] = []
    stack: list[Any] = [tree[1:]]
    while stack:  # the parse tree, without recursion (it is as deep as the query)
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == _SERVICE_CALL:
                term = node.get("term")
                if isinstance(term, URIRef):
                    targets.append(resolve(base, str(term)))
                elif isinstance(term, CompValue) and not isinstance(term, Variable):
                    namespace = prefixes.get(_field(term, "prefix"))
                    targets.append(
                        None
                        if namespace is None
                        else resolve(None, namespace + local_name(_field(term, "localname")))
                    )
                else:
                    targets.append(None)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
            stack.extend(node)
    return targets


def _field(node: Any, key: str) -> str:
    """A parse tree node's ``key`` as text, ``""`` when absent (the empty prefix, an empty local
    name). Not ``node.get(key)``: rdflib's ``CompValue.get`` returns the key itself when it is
    absent, which read ``PREFIX :`` as ``prefix:`` and ``w:`` as ``w:localname``."""
    return str(node[key]) if key in node else ""


_SERVICE_CALL = "ServiceCall"
#: The most grammar steps (tries of a grammar element) the proof may take: four times what the
#: query page's federated example takes. rdflib's parser is pure Python and holds the GIL (up to
#: a millisecond a byte of dense text); counted in steps, the bound is the same everywhere.
GRAMMAR_STEPS = 20_000
_GRAMMAR: list[Any] = []
_GRAMMAR_LOCK = threading.Lock()
#: One parse at a time: pyparsing guesses a parse action's arity on its first calls, which two
#: threads at once get wrong (a 500); the parse holds the GIL anyway.
_PARSE_LOCK = threading.Lock()
_STEPS = threading.local()


class _TooComplex(Exception):
    """Raised by a grammar step past :data:`GRAMMAR_STEPS` (no parse error: pyparsing must not
    catch it and try another alternative)."""


class Furthest(NamedTuple):
    """Where a parse failed furthest into the text, and the words and signs the grammar tried
    there: where a person's error is (as the store's PEG parser reports it), not where
    pyparsing's backtracking gave up."""

    offset: int
    expected: tuple[str, ...]


#: The furthest failure of the parse in progress (under :data:`_PARSE_LOCK`): offset, words.
_FAILED: list[Any] = [-1, set()]


def parse(text: str, steps: int, tracked: bool = False) -> Any:
    """``text`` read by the step-counted SPARQL 1.1 Query grammar, in full (one parse at a time);
    ``tracked``: by a second copy of it that also keeps where it failed furthest (some 40 % slower:
    the editor's check wants it, the SERVICE proof does not).

    :raise _TooComplex: past ``steps`` grammar steps.
    :raise RecursionError: nested too deeply for the grammar (about 20 parentheses, 25 braces).
    :raise pyparsing.ParseBaseException: not a query; :func:`furthest` then says where (tracked).
    """
    grammar = _grammar(tracked)
    with _PARSE_LOCK:  # pyparsing is not thread-safe (arity guessing, packrat cache)
        _STEPS.left, _FAILED[:] = steps, [-1, set()]
        try:
            return grammar.parse_string(text, parse_all=True)
        finally:
            _STEPS.furthest = Furthest(_FAILED[0], tuple(sorted(_FAILED[1])))


def furthest() -> Furthest:
    """The furthest failure of this thread's last tracked :func:`parse`."""
    found: Furthest = _STEPS.furthest
    return found


#: The tracked copy of the grammar (:func:`parse`), made on first use.
_TRACKED: list[Any] = []


def _grammar(tracked: bool = False) -> Any:
    """rdflib's SPARQL 1.1 Query grammar, copied once, every element's step counted, and its
    ServiceGraphPattern renamed: rdflib's own searches the whole text again after each match,
    without end for one SERVICE inside another (rdflib's grammar is left as it is)."""
    made = _TRACKED if tracked else _GRAMMAR
    with _GRAMMAR_LOCK:
        if not made:
            from pyparsing import ParserElement
            from rdflib.plugins.sparql import parser

            memo: dict[int, Any] = {}
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, 20_000))  # the grammar is a deep object graph
            try:
                grammar = copy.deepcopy(parser.Query, memo)
            finally:
                sys.setrecursionlimit(limit)
            memo[id(parser.ServiceGraphPattern)].set_name(_SERVICE_CALL)
            for element in list(memo.values()):
                if isinstance(element, ParserElement):
                    counted = _tracked(element, element.parseImpl) if tracked else _counted(element.parseImpl)
                    setattr(element, "parseImpl", counted)  # noqa: B010
            made.append(grammar)
        return made[0]


def _counted(step: Any) -> Any:
    def counted(instring: str, loc: int, do_actions: bool = True) -> Any:
        _STEPS.left -= 1
        if _STEPS.left < 0:
            raise _TooComplex
        return step(instring, loc, do_actions)

    return counted


def _tracked(element: Any, step: Any) -> Any:
    """``step`` counted against the budget, its failures kept when they are the furthest yet."""
    from pyparsing import ParseBaseException

    word = getattr(element, "match", None)  # a keyword's or a sign's text; None for the others
    word = word if isinstance(word, str) and word else None

    def counted(instring: str, loc: int, do_actions: bool = True) -> Any:
        _STEPS.left -= 1
        if _STEPS.left < 0:
            raise _TooComplex
        try:
            return step(instring, loc, do_actions)
        except ParseBaseException as failed:
            at = failed.loc
            if at >= _FAILED[0]:
                if at > _FAILED[0]:
                    _FAILED[0], _FAILED[1] = at, set()
                if word is not None:
                    _FAILED[1].add(word)
            raise

    return counted
