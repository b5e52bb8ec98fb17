"""Compile SHACL shapes to SPARQL SELECT queries that return exactly pySHACL's violating rows.

pySHACL walks every focus node in Python, too slow and too big for a national build (figures in
docs/history.md). Each constraint component used in a shape is instead turned into one query over
the whole store, run by Oxigraph: ``?this`` is the focus node, ``?value`` the value node
(when the component reports one). Checks that span the data, such as code uniqueness, are plain
joins over the store, so nothing is partitioned.

The semantics follow pySHACL as called by :func:`kkb_lod.validate.validate_graph` (inference
"none", SHACL-AF on), component by component: which rows are reported, with which value. A
component or target this module does not know raises :class:`UnsupportedShape` when compiling,
never a silent pass; :data:`SUPPORTED` lists what is known.

Where the two engines can still differ (none of it occurs in our data; tests/test_validate_sparql.py
compares them on every fixture): Oxigraph stores valid numbers and dates in canonical form
("48.850"^^xsd:decimal reads back "48.85"), so such a value is reported in canonical form; blank
node focus nodes get different labels; ``sh:pattern`` runs on Rust's regex dialect (no
look-around: the query fails loudly); a class with a blank-node subclass loses that subclass's
instances in ``sh:class``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import count

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Identifier, Node

from kkb_lod.vocab import OWL, RDF, RDFS, SH, XSD

_names = count()


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature the SPARQL compiler cannot reproduce exactly."""


@dataclass(frozen=True)
class Check:
    """One query and what to report for each of its rows.

    ``sparql`` checks are SPARQL-based constraints: their rows may bind ``?path`` and further
    variables, which fill ``{?var}`` in the messages as pySHACL does.
    """

    shape: URIRef | BNode
    severity: str
    messages: tuple[Literal, ...]
    path: Node | None
    query: str
    component: URIRef
    sparql: bool = False


#: Shape predicates that only describe or aim a shape (no constraint of their own).
_DESCRIPTIVE = {
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.path,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.deactivated,
    SH.defaultValue,
    SH.declare,
    SH.prefixes,
    SH.flags,
}
#: Components testing one value node at a time (usable on node shapes, property shapes, in sh:xone…).
#: Not sh:node: pySHACL reports the results of the nested shape as well, which is not reproduced.
VALUE_TESTS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.languageIn,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH["and"],
    SH["or"],
    SH.xone,
    SH["not"],
}
#: Components over all values of a property at a focus node (property shapes only).
SET_TESTS = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.hasValue, SH.equals, SH.disjoint}
SUPPORTED = VALUE_TESTS | SET_TESTS | {SH.sparql}
#: The constraint component of each parameter (sh:minCount → sh:MinCountConstraintComponent).
_COMPONENT: dict[Node, URIRef] = {SH.sparql: SH.SPARQLConstraintComponent}
_COMPONENT |= {
    p: SH[p.fragment[0].upper() + p.fragment[1:] + "ConstraintComponent"] for p in SUPPORTED - {SH.sparql}
}

_SUBCLASSES = re.compile(r"SUBCLASSES\(<([^>]*)>\)")


def instance_of(v: str, cls: Node) -> str:
    """A pattern: ``v`` is a SHACL instance of ``cls`` (``rdf:type/rdfs:subClassOf*``).

    The subclasses are left as ``SUBCLASSES(<cls>)``, filled from the store by :func:`resolve`:
    for a value node, a type lookup and an IN list is cheaper in Oxigraph than the property path
    walked again for every value; for focus nodes the path is (docs/history.md).
    """
    name = f"?_class{next(_names)}"
    return f"{v} <{RDF.type}> {name} FILTER ({name} IN (SUBCLASSES({term(cls)})))"


def resolve(query: str, subclasses: Callable[[str], Iterable[str]]) -> str:
    """``query`` with each ``SUBCLASSES(<iri>)`` replaced by that class and its subclasses."""
    return _SUBCLASSES.sub(
        lambda m: ", ".join(f"<{c}>" for c in sorted({m.group(1), *subclasses(m.group(1))})), query
    )


#: Datatypes whose lexical form pySHACL checks (rdflib converts it to a Python value): here an
#: Oxigraph cast of the lexical form must succeed.
_WELL_FORMED = {
    XSD.integer,
    XSD.decimal,
    XSD.float,
    XSD.double,
    XSD.boolean,
    XSD.date,
    XSD.time,
    XSD.dateTime,
}
#: XSD datatypes whose lexical form pySHACL does not check (rdflib keeps no value or any text is
#: valid); other XSD datatypes (xsd:int, xsd:duration…) are checked by rdflib in ways no SPARQL
#: cast reproduces, so they are refused rather than approximated. Non-XSD datatypes are not checked.
_UNCHECKED = {
    XSD.string,
    XSD.gYear,
    XSD.gYearMonth,
    XSD.gMonthDay,
    XSD.gMonth,
    XSD.gDay,
    XSD.anyURI,
    RDF.langString,
    RDFS.Literal,
}


def term(node: Node) -> str:
    """A term as SPARQL text (IRIs and literals; blank nodes of the shapes graph cannot be data)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        lexical = str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        lexical = lexical.replace("\r", "\\r")
        if node.language:
            return f'"{lexical}"@{node.language}'
        return f'"{lexical}"^^<{node.datatype or XSD.string}>'
    raise UnsupportedShape(f"cannot use {node!r} as a SPARQL term")


def sparql_path(shapes: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (inverse := shapes.value(path, SH.inversePath)) is not None:
        return f"^({sparql_path(shapes, inverse)})"
    if (alternatives := shapes.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(sparql_path(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if (inner := shapes.value(path, predicate)) is not None:
            return f"({sparql_path(shapes, inner)}){suffix}"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(sparql_path(shapes, p) for p in Collection(shapes, path)) + ")"
    raise UnsupportedShape(f"unknown SHACL path {path!r}")


def focus_pattern(shapes: Graph, shape: Node) -> str | None:
    """A group binding each focus node of ``shape`` once to ``?this``; None without targets."""
    parts = [f"VALUES ?this {{ {term(n)} }}" for n in _sorted(shapes.objects(shape, SH.targetNode))]
    classes = set(shapes.objects(shape, SH.targetClass))
    if {(shape, RDF.type, RDFS.Class), (shape, RDF.type, OWL.Class)} & set(
        shapes.triples((shape, RDF.type, None))
    ):
        classes.add(shape)  # an implicit class target
    parts += [f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {term(c)} ." for c in _sorted(classes)]
    parts += [f"?this {term(p)} [] ." for p in _sorted(shapes.objects(shape, SH.targetSubjectsOf))]
    parts += [f"[] {term(p)} ?this ." for p in _sorted(shapes.objects(shape, SH.targetObjectsOf))]
    if (shape, SH.target, None) in shapes:
        raise UnsupportedShape(f"{shape}: SHACL-AF sh:target is not supported")
    if not parts:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {p} }}" for p in parts) + " } }"


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every check of every shape that has targets, in a fixed order."""
    roots = {
        s
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
        for s in shapes.subjects(p, None)
    }
    roots |= {
        s
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if {(s, RDF.type, RDFS.Class), (s, RDF.type, OWL.Class)} & set(shapes.triples((s, RDF.type, None)))
    }
    checks: list[Check] = []
    for shape in sorted(roots, key=str):
        focus = focus_pattern(shapes, shape)
        if focus is not None:
            checks += shape_checks(shapes, shape, focus)
    return checks


def _sorted(nodes: Iterable[Node]) -> list[Identifier]:
    """``nodes`` in rdflib's order of terms (a parsed shapes graph holds nothing but terms)."""
    return sorted(_identifier(n) for n in nodes)


def _identifier(node: Node) -> Identifier:
    if not isinstance(node, Identifier):
        raise UnsupportedShape(f"{node!r} is not an RDF term")
    return node


def _count(node: Node) -> int:
    """The integer of a parameter such as sh:minCount 2 (a literal; anything else is refused)."""
    if not isinstance(node, Literal):
        raise UnsupportedShape(f"{node!r} is not an integer literal")
    return int(node)


def _deactivated(shapes: Graph, node: Node) -> bool:
    value = shapes.value(node, SH.deactivated)
    return isinstance(value, Literal) and value.value is True


def shape_checks(shapes: Graph, shape: Node, focus: str) -> list[Check]:
    """The checks of one shape (and of its property shapes) for the focus nodes of ``focus``."""
    if not isinstance(shape, URIRef | BNode):
        raise UnsupportedShape(f"{shape!r}: a shape is an IRI or a blank node")
    if _deactivated(shapes, shape):
        return []
    unknown = {
        p
        for p in shapes.predicates(shape, None)
        if str(p).startswith(str(SH)) and p not in SUPPORTED | _DESCRIPTIVE
    }
    if unknown:
        raise UnsupportedShape(
            f"{shape}: unsupported SHACL component(s) {', '.join(sorted(p.n3() for p in unknown))}"
        )
    path = shapes.value(shape, SH.path)
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    messages = tuple(sorted(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)))
    if not messages and (set(shapes.predicates(shape, None)) & (SUPPORTED - {SH.sparql})):
        raise UnsupportedShape(
            f"{shape}: a shape without sh:message would need pySHACL's generic "
            "messages, which are not reproduced; give it an sh:message"
        )
    values = (
        f"{focus} BIND(?this AS ?value)"
        if path is None
        else f"{focus} ?this {sparql_path(shapes, path)} ?value ."
    )

    def check(component: Node, where: str, head: str = "DISTINCT ?this ?value", tail: str = "") -> Check:
        query = f"SELECT {head} WHERE {{ {where} }} {tail}".strip()
        return Check(shape, severity, messages, path, query, _COMPONENT[component])

    checks = []
    for predicate, parameter in sorted(shapes.predicate_objects(shape)):
        if predicate == SH.hasValue and path is None:  # a node shape: the focus node itself
            checks.append(
                check(predicate, f"{focus} FILTER (!sameTerm(?this, {term(parameter)}))", "DISTINCT ?this")
            )
        elif predicate in VALUE_TESTS:
            test = violates(shapes, shape, predicate, parameter, "?value")
            if test != "false":
                checks.append(check(predicate, f"{values} FILTER ({test})"))
        elif predicate in SET_TESTS:
            if path is None:
                raise UnsupportedShape(f"{shape}: {predicate.n3()} needs a property shape")
            if predicate in (SH.minCount, SH.maxCount) and (
                cardinality := _cardinality(shapes, shape, focus, path)
            ):
                if predicate == SH.minCount:
                    checks.append(check(predicate, *cardinality))
                continue
            checks += [
                check(predicate, w, h, t) for w, h, t in _set_test(shapes, predicate, parameter, focus, path)
            ]
        elif predicate == SH.sparql and not _deactivated(shapes, parameter):
            checks.append(sparql_check(shapes, shape, parameter, focus, severity, messages, path))
    for prop in sorted(shapes.objects(shape, SH.property), key=str):
        checks += shape_checks(shapes, prop, focus)
    return checks


def _cardinality(shapes: Graph, shape: Node, focus: str, path: Node) -> tuple[str, str, str] | None:
    """sh:minCount n ≥ 1 with sh:maxCount m ≥ n as one query: half the focus-node work of two.

    Each row names the failing component in ``?_component`` (both cannot fail at once).
    """
    low, high = shapes.value(shape, SH.minCount), shapes.value(shape, SH.maxCount)
    counts = list(shapes.objects(shape, SH.minCount)) + list(shapes.objects(shape, SH.maxCount))
    if low is None or high is None or len(counts) != 2 or not 1 <= _count(low) <= _count(high):
        return None
    n = "COUNT(DISTINCT ?v)"
    return (
        f"{focus} OPTIONAL {{ ?this {sparql_path(shapes, path)} ?v }}",
        f"?this (IF({n} < {_count(low)}, {term(_COMPONENT[SH.minCount])}, "
        f"{term(_COMPONENT[SH.maxCount])}) AS ?_component)",
        f"GROUP BY ?this HAVING ({n} < {_count(low)} || {n} > {_count(high)})",
    )


def _set_test(
    shapes: Graph, component: Node, parameter: Node, focus: str, path: Node
) -> list[tuple[str, str, str]]:
    """(where, projection, modifiers) of the queries for one set-level component."""
    p = sparql_path(shapes, path)
    this = "DISTINCT ?this"
    if component == SH.minCount:
        n = _count(parameter)
        if n <= 0:
            return []
        if n == 1:
            return [(f"{focus} FILTER NOT EXISTS {{ ?this {p} ?v }}", this, "")]
        return [
            (
                f"{focus} OPTIONAL {{ ?this {p} ?v }}",
                "?this",
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})",
            )
        ]
    if component == SH.maxCount:
        return [
            (
                f"{focus} ?this {p} ?v",
                "?this",
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {_count(parameter)})",
            )
        ]
    if component == SH.uniqueLang:
        if not (isinstance(parameter, Literal) and parameter.value is True):
            return []
        lang = 'FILTER (isLiteral(?v) && LANG(?v) != "") BIND (LCASE(LANG(?v)) AS ?l)'
        return [
            (f"{focus} ?this {p} ?v {lang}", "?this", "GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?v) > 1)")
        ]
    if component == SH.hasValue:
        return [(f"{focus} FILTER NOT EXISTS {{ ?this {p} {term(parameter)} }}", this, "")]
    q = sparql_path(shapes, parameter)
    if component == SH.equals:
        return [
            (f"{focus} ?this {p} ?value FILTER NOT EXISTS {{ ?this {q} ?value }}", f"{this} ?value", ""),
            (f"{focus} ?this {q} ?value FILTER NOT EXISTS {{ ?this {p} ?value }}", f"{this} ?value", ""),
        ]
    if component == SH.disjoint:
        return [(f"{focus} ?this {p} ?value . ?this {q} ?value", f"{this} ?value", "")]
    raise UnsupportedShape(f"unsupported component {component.n3()}")


def violates(shapes: Graph, shape: Node, component: Node, parameter: Node, v: str) -> str:
    """A SPARQL expression, true when the node ``v`` fails one value-level component of ``shape``."""
    if component == SH["class"]:
        return f"NOT EXISTS {{ {instance_of(v, parameter)} }}"
    if component == SH.datatype:
        return f"!({_has_datatype(parameter, v)})"
    if component == SH.nodeKind:
        kinds = {"IRI": "isIRI", "BlankNode": "isBlank", "Literal": "isLiteral"}
        if parameter not in {
            SH[n]
            for n in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral")
        }:
            raise UnsupportedShape(f"unknown sh:nodeKind {parameter}")
        allowed = [kinds[k] for k in str(parameter).removeprefix(str(SH)).split("Or")]
        return "!(" + " || ".join(f"{f}({v})" for f in allowed) + ")"
    if component == SH["in"]:
        members = list(Collection(shapes, parameter))
        return "!(" + " || ".join([f"sameTerm({v}, {term(m)})" for m in members] or ["false"]) + ")"
    if component == SH.pattern:
        # pySHACL honours only the i and m flags (Python's re): so do we.
        flags = "".join(f for f in "im" if f in str(shapes.value(shape, SH.flags) or "").lower())
        extra = f", {term(Literal(flags))}" if flags else ""
        return f"isBlank({v}) || !REGEX(STR({v}), {term(Literal(str(parameter)))}{extra})"
    if component in (SH.minLength, SH.maxLength):
        n = _count(parameter)
        if component == SH.minLength and n == 0:
            return "false"
        return f"isBlank({v}) || STRLEN(STR({v})) {'<' if component == SH.minLength else '>'} {n}"
    if component == SH.languageIn:
        wanted = sorted({str(m).lower() for m in Collection(shapes, parameter)})
        if "*" in wanted:
            return f'!(isLiteral({v}) && LANG({v}) != "")'
        listed = ", ".join(term(Literal(w)) for w in wanted) or '""'
        return (
            f'!(isLiteral({v}) && LANG({v}) != "" && (LCASE(LANG({v})) IN ({listed}) || '
            f'LCASE(STRBEFORE(CONCAT(LANG({v}), "-"), "-")) IN ({listed})))'
        )
    comparisons: dict[Node, str] = {
        SH.minInclusive: ">=",
        SH.maxInclusive: "<=",
        SH.minExclusive: ">",
        SH.maxExclusive: "<",
    }
    if component in comparisons:
        return f"!COALESCE({v} {comparisons[component]} {term(parameter)}, false)"
    if component in (SH["and"], SH["or"], SH.xone):
        each = [conforms(shapes, s, v) for s in Collection(shapes, parameter) if not _deactivated(shapes, s)]
        if not each:
            return "false"
        if component == SH["and"]:
            return "!(" + " && ".join(f"({c})" for c in each) + ")"
        if component == SH["or"]:
            return "!(" + " || ".join(f"({c})" for c in each) + ")"
        return "(" + " + ".join(f"IF({c}, 1, 0)" for c in each) + ") != 1"
    if component == SH["not"]:
        return conforms(shapes, parameter, v)
    raise UnsupportedShape(f"unsupported value component {component.n3()}")


def conforms(shapes: Graph, shape: Node, v: str) -> str:
    """A SPARQL expression, true when ``v`` conforms to a nested shape (of value tests only).

    ``sh:node`` is not supported: pySHACL reports the nested shape's own results too.
    """
    if _deactivated(shapes, shape):
        return "true"
    tests = []
    for predicate, parameter in sorted(shapes.predicate_objects(shape)):
        if predicate == SH.hasValue:
            tests.append(f"sameTerm({v}, {term(parameter)})")
        elif predicate in VALUE_TESTS:
            tests.append(f"!({violates(shapes, shape, predicate, parameter, v)})")
        elif str(predicate).startswith(str(SH)) and predicate not in _DESCRIPTIVE - {SH.property, SH.path}:
            raise UnsupportedShape(
                f"{shape}: {predicate.n3()} inside sh:and/or/xone/not is not "
                "supported (only value-level components)"
            )
        elif predicate in (SH.property, SH.path):
            raise UnsupportedShape(f"{shape}: property shapes inside sh:and/or/xone/not are not supported")
    return " && ".join(tests) or "true"


def _has_datatype(datatype: Node, v: str) -> str:
    if str(datatype).startswith(str(XSD)) and datatype not in _WELL_FORMED | _UNCHECKED:
        raise UnsupportedShape(f"sh:datatype {datatype.n3()}: its lexical check is not reproduced")
    if datatype == RDFS.Literal:
        return f"isLiteral({v})"
    test = f"isLiteral({v}) && COALESCE(sameTerm(DATATYPE({v}), {term(datatype)}), false)"
    if datatype in _WELL_FORMED:
        test += f" && COALESCE(isLiteral({term(datatype)}(STR({v}))), false)"
    return test


_THIS = re.compile(r"[$?]this\b")
_FORBIDDEN = re.compile(r"[$?](currentShape|shapesGraph|value)\b")
_PATH = re.compile(r"\$PATH\b")


def sparql_check(
    shapes: Graph,
    shape: URIRef | BNode,
    constraint: Node,
    focus: str,
    severity: str,
    messages: tuple[Literal, ...],
    path: Node | None,
) -> Check:
    """An ``sh:sparql`` SELECT, with the focus nodes joined first where pySHACL pre-binds ``$this``."""
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(f"{shape}: only sh:select SPARQL constraints are supported")
    text = str(select)
    head = text[: text.find("{")]
    if not _THIS.search(head) and "*" not in head:
        raise UnsupportedShape(f"{shape}: the SELECT must project $this")
    if re.search(r"[$]", _THIS.sub("", _PATH.sub("", text))) and _FORBIDDEN.search(text):
        raise UnsupportedShape(f"{shape}: $currentShape, $shapesGraph and pre-bound $value are not supported")
    if _PATH.search(text):
        if path is None:
            raise UnsupportedShape(f"{shape}: $PATH in a node shape")
        text = _PATH.sub(sparql_path(shapes, path), text)
    prefixes = "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for g in shapes.objects(constraint, SH.prefixes)
        for d in shapes.objects(g, SH.declare)
    )
    brace = text.find("{")
    query = f"{prefixes}{text[: brace + 1]} {focus} {text[brace + 1 :]}"
    extra = tuple(sorted(m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)))
    return Check(
        shape,
        severity,
        tuple(dict.fromkeys(messages + extra)),
        path,
        query,
        _COMPONENT[SH.sparql],
        sparql=True,
    )
