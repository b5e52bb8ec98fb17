"""The rules of SPARQL 1.1 beyond its grammar that the store applies (§18.2.1, §11.4, §10.2.1,
§10.2.2), read on the parse tree of rdflib's grammar for the editor's check as you type.

Checked: ``SELECT *`` with ``GROUP BY``; a shown variable neither grouped nor aggregated; a
variable shown twice; ``(… AS ?x)`` or ``BIND (… AS ?x)`` where ``?x`` is already in scope; a
``VALUES`` row longer or shorter than its variables. Each problem is placed at its token, found by
counting the keywords (the n-th SELECT, BIND or VALUES node of the tree, in document order, is the
n-th such word of the text); where the count does not match, nothing is said (never a false alarm).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kkb_lod.sparqlscan import lexemes


class Problem(NamedTuple):
    """Where (an offset in the text) and what, in Indonesian and English."""

    offset: int
    text_id: str
    text_en: str


#: What each rule says, in Indonesian and English (``{name}``: the variable, without its ``?``).
SAYS: dict[str, tuple[str, str]] = {
    "star": (
        "SELECT * tidak dapat dipakai bersama GROUP BY: sebutkan variabel yang ditampilkan.",
        "SELECT * cannot be used with GROUP BY: name the variables to show.",
    ),
    "twice": ("“?{name}” disebut dua kali dalam SELECT.", "“?{name}” is named twice in SELECT."),
    "ungrouped": (
        "“?{name}” ditampilkan tetapi tidak dikelompokkan (GROUP BY) dan tidak di dalam agregat "
        "(COUNT, SUM …).",
        "“?{name}” is shown but neither grouped (GROUP BY) nor inside an aggregate (COUNT, SUM …).",
    ),
    "rebound": (
        "“?{name}” sudah terikat oleh pola kueri; (… AS ?{name}) tidak dapat mengikatnya lagi.",
        "“?{name}” is already bound by the query's pattern; (… AS ?{name}) cannot bind it again.",
    ),
    "bind": (
        "BIND tidak dapat mengikat “?{name}”: variabel itu sudah terikat sebelumnya dalam "
        "kelompok yang sama.",
        "BIND cannot bind “?{name}”: it is already bound before it in the same group.",
    ),
    "row": (
        "Baris VALUES ini berisi {values} nilai untuk {names} variabel.",
        "This VALUES row has {values} value(s) for {names} variable(s).",
    ),
}


def _said(offset: int | None, rule: str, **parts: object) -> Problem | None:
    """The problem ``rule`` at ``offset`` (None where its token was not found: nothing said)."""
    if offset is None:
        return None
    text_id, text_en = SAYS[rule]
    return Problem(offset, text_id.format(**parts), text_en.format(**parts))


Tokens = list[tuple[str, str, int]]
_SELECTS = ("SelectQuery", "SubSelect")
_VALUES = ("InlineData", "ValuesClause")
_NOT_BINDING = ("Filter", "MinusGraphPattern")  # their variables are not in scope after them


def scope_problem(tree: Any, text: str) -> Problem | None:
    """The first rule ``text`` (parsed as ``tree``) breaks, or None."""
    nodes = list(_nodes(tree))
    tokens = [t for t in lexemes(text) if t[0] not in ("space", "comment")]
    found: list[Problem] = []
    for kind, names in (("SELECT", _SELECTS), ("BIND", ("Bind",)), ("VALUES", _VALUES)):
        ours = [n for n in nodes if n.name in names]
        words = [i for i, t in enumerate(tokens) if t[0] == "word" and t[1].upper() == kind]
        if len(ours) != len(words):
            return None  # the tree and the text are not counted alike: say nothing
        for node, at in zip(ours, words, strict=True):
            rule = {"SELECT": _select, "BIND": _bind, "VALUES": _values}[kind]
            problem = rule(node, tokens, at, nodes)
            if problem is not None:
                found.append(problem)
    return min(found) if found else None


def _at(node: CompValue, key: str, default: Any = None) -> Any:
    """``node[key]``, ``default`` when absent (``CompValue.get`` returns the key itself)."""
    return node[key] if key in node else default


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Every node of the parse tree, in document order (depth first, children in order)."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
            stack.extend(reversed(list(node)))


def _bound(node: Any) -> set[str]:
    """The variables a graph pattern puts in scope."""
    found: set[str] = set()
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Variable):
            found.add(str(item))
        elif isinstance(item, CompValue):
            if item.name in _NOT_BINDING:
                continue
            if item.name in _SELECTS:
                shown = _shown(item)
                if shown is None:
                    stack.append(_at(item, "where"))
                else:
                    found.update(name for name, _ in shown)
            elif item.name == "Bind":
                found.add(str(item["var"]))
            else:
                stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or hasattr(item, "as_list"):
            stack.extend(item)
    return found


def _shown(select: CompValue) -> list[tuple[str, bool]] | None:
    """A SELECT's shown variables, each with whether it is ``(… AS ?x)``; None for ``*``."""
    if "projection" not in select:
        return None
    return [(str(v["evar"]), True) if "evar" in v else (str(v["var"]), False) for v in select["projection"]]


def _token(tokens: Tokens, start: int, value: str, after_as: bool = False) -> int | None:
    """The offset of the first token ``value`` from ``start`` in the same clause (before its
    WHERE or ``{``), right after an ``AS`` if ``after_as``."""
    for i in range(start + 1, len(tokens)):
        kind, text, offset = tokens[i]
        if kind == "punct" and text == "{" or kind == "word" and text.upper() in ("WHERE", "FROM"):
            return None
        if text == value and (not after_as or tokens[i - 1][1].upper() == "AS"):
            return offset
    return None


def _select(node: CompValue, tokens: Tokens, at: int, _: list[CompValue]) -> Problem | None:
    """``SELECT *`` with GROUP BY, a variable shown twice, one neither grouped nor aggregated,
    ``(… AS ?x)`` of a variable the pattern binds (§18.2.1, §11.4)."""
    shown = _shown(node)
    grouped = "groupby" in node
    if shown is None:
        return _said(_token(tokens, at, "*"), "star") if grouped else None
    seen: set[str] = set()
    for name, as_expression in shown:
        if name in seen:  # the second mention
            where = _token(tokens, at, "?" + name, True) if as_expression else _second(tokens, at, "?" + name)
            return _said(where, "twice", name=name)
        seen.add(name)
    aggregated = [_at(node, key) for key in ("projection", "having", "orderby")]  # any groups it all
    if grouped or any(n.name.startswith("Aggregate_") for n in _nodes(aggregated)):
        conditions = _at(node["groupby"], "condition", []) if grouped else []
        keys = {str(c) if isinstance(c, Variable) else str(_at(c, "var", "")) for c in conditions}
        for name, as_expression in shown:
            if not as_expression and name not in keys:
                where = _token(tokens, at, "?" + name) or _token(tokens, at, "$" + name)
                return _said(where, "ungrouped", name=name)
    bound = _bound(_at(node, "where"))
    for name, as_expression in shown:
        if as_expression and name in bound:
            return _said(_token(tokens, at, "?" + name, True), "rebound", name=name)
    return None


def _second(tokens: Tokens, at: int, value: str) -> int | None:
    """The offset of the second ``value`` in the clause of the keyword at ``at``."""
    first = _token(tokens, at, value)
    index = next((i for i, t in enumerate(tokens) if t[2] == first), None)
    return None if index is None else _token(tokens, index, value)


def _bind(node: CompValue, tokens: Tokens, at: int, nodes: list[CompValue]) -> Problem | None:
    """``BIND (… AS ?x)`` where ``?x`` is in scope from the group's parts before it (§18.2.1)."""
    name = str(node["var"])
    group = next(
        (n for n in nodes if n.name == "GroupGraphPatternSub" and any(p is node for p in _at(n, "part", []))),
        None,
    )
    if group is None:
        return None
    before = []
    for part in group["part"]:
        if part is node:
            break
        before.append(part)
    if name not in _bound(before):
        return None
    depth, last = 0, None
    for kind, value, offset in tokens[at + 1 :]:
        depth += {"(": 1, ")": -1}.get(value, 0) if kind == "punct" else 0
        if kind == "var" and value[1:] == name and depth == 1:
            last = offset
        if depth == 0 and kind == "punct" and value == ")":
            return _said(last, "bind", name=name)
    return None


def _values(node: CompValue, tokens: Tokens, at: int, _: list[CompValue]) -> Problem | None:
    """A VALUES row longer or shorter than its variables (§10.2.2)."""
    names = _at(node, "var", [])
    if len(names) < 2 and not (tokens[at + 1 : at + 2] and tokens[at + 1][1] == "("):
        return None  # one variable without brackets: a value a row
    for index, row in enumerate(_at(node, "value", [])):
        if len(row) != len(names):
            return _said(_row(tokens, at, index), "row", values=len(row), names=len(names))
    return None


def _row(tokens: Tokens, at: int, index: int) -> int | None:
    """The offset of the ``index``-th row's ``(`` in the data block of the VALUES at ``at``."""
    inside, count = False, -1
    for kind, value, offset in tokens[at + 1 :]:
        if kind == "punct" and value == "{":
            inside = True
        elif kind == "punct" and value == "}":
            return None
        elif inside and kind == "punct" and value == "(":
            count += 1
            if count == index:
                return offset
    return None
