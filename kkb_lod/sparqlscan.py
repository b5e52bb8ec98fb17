"""A lexical reading of SPARQL text: the query form, update keywords, SERVICE targets, FROM clauses.

pyoxigraph can only parse a query by running it, but the endpoint must know some things first:
updates are refused, SERVICE targets checked (:mod:`kkb_lod.web._policy`), the answer format negotiated by
the query form. The one query-form sniffer of kkb-lod (the remote store asks it too). Its
tokenizer reads as pyoxigraph does (``\\u`` escapes only inside IRIs and strings, comments to CR
or LF, names by the SPARQL 1.1 grammar); a character it cannot classify is a ``bad`` token
(:attr:`Scan.bad`), and the SERVICE policy refuses such a text rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_TOKEN = re.compile(
    rf"""(?P<space>[\x20\t\r\n]+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    |(?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
        |\"\"\"(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
        |'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'|"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*")
    |(?P<var>[?$][{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)
    |(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
    |(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
    |(?P<word>[A-Za-z][A-Za-z0-9_]*)
    |(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    |(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\];,.*+\-/!=<>|^?])
    |(?P<bad>.)""",
    re.VERBOSE | re.DOTALL,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
ESCAPE = re.compile(_UCHAR)
_IRI_TEXT = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


@dataclass
class Scan:
    """What the text of one request says about itself.

    ``services`` lists every SERVICE target as an absolute IRI, or as ``None`` when the target
    cannot be known before running (a variable, a relative IRI without a base, an unknown prefix).
    ``from_default``/``from_named`` are the FROM / FROM NAMED IRIs, ``None`` if one could not be
    resolved. ``bad`` is the first text that is no SPARQL token, with its line and column.
    """

    form: str | None = None
    services: list[str | None] = field(default_factory=list)
    from_default: list[str] | None = field(default_factory=list)
    from_named: list[str] | None = field(default_factory=list)
    bad: str | None = None


class EscapeError(ValueError):
    """A ``\\u``/``\\U`` escape that stands for no character (a surrogate, beyond U+10FFFF)."""


def is_absolute_iri(text: str) -> bool:
    """An IRI with a scheme and none of the characters an IRIREF may not contain."""
    return bool(_SCHEME.match(text)) and not re.search(r'[\x00-\x20<>"{}|^`\\]', text)


def _character(match: re.Match[str]) -> str:
    code = int(match.group()[2:], 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise EscapeError(
            f"{match.group()} stands for no character (a surrogate or a code "
            f"point beyond U+10FFFF); write the character itself or its \\U escape"
        )
    return chr(code)


def unescape(text: str) -> str:
    r"""Replace SPARQL ``\uXXXX`` / ``\UXXXXXXXX`` escapes by the characters they stand for.

    :raise EscapeError: an escape of a surrogate or of a code point beyond U+10FFFF.
    """
    return ESCAPE.sub(_character, text)


def position(text: str, offset: int) -> str:
    """``L:C`` (1-based line and column) of ``offset`` in ``text``, as the engine's syntax
    errors give it."""
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def resolve(base: str | None, iri: str) -> str | None:
    """``iri`` resolved against ``base`` as pyoxigraph resolves it (the same IRI library, through
    its Turtle parser), or None when it is no valid absolute IRI after resolution."""
    if _IRI_TEXT.fullmatch(iri) is None:
        return None
    try:
        for triple in ox.parse(
            f"<{iri}> <urn:x:p> <urn:x:o> .".encode(),
            base_iri=base or None,
            format=ox.RdfFormat.N_TRIPLES if base is None else ox.RdfFormat.TURTLE,
        ):
            return triple.subject.value
    except (SyntaxError, ValueError):
        return None
    return None


def scan(text: str, base: str | None = None, start: int | None = None) -> Scan:
    """Scan a query (or an update) and report its form, SERVICE targets and FROM clauses.

    ``base`` is the base IRI the service gives the query (relative IRIs resolve against it until
    the query declares its own BASE); ``start``, where its prologue ends, if known.

    A query naming no SERVICE, FROM nor update keyword after its prologue needs only its form,
    the word after the prologue, found without tokenizing the whole text (which costs 0.5 ms on a
    query with a dozen PREFIX lines). Whether a query may run is :mod:`._policy`'s question.
    """
    pos = prologue_end(text) if start is None else start
    form = _FORM.match(text, pos)
    if form is not None and _KEYWORDS.search(text, pos) is None:
        return Scan(form=form.group(1).upper())
    return full_scan(text, base)


def prologue_end(text: str) -> int:
    """Where the prologue (spaces, comments, PREFIX and BASE declarations of plain IRIs) ends."""
    pos = 0
    while match := _PROLOGUE.match(text, pos):
        pos = match.end()
    return pos


def full_scan(text: str, base: str | None = None) -> Scan:
    """:func:`scan` by tokenizing the whole text (what its short way must always agree with)."""
    return _scan_tokens(tokens(text), base, text)


#: What makes the full scan necessary after the prologue: a keyword it looks for besides the form
#: (anywhere, even in a string or an IRI; no word boundary before it: the engine may read
#: ``1SERVICE`` as ``1 SERVICE``).
_KEYWORDS = re.compile(r"(?i:(?:SERVICE|FROM|" + "|".join(UPDATE_KEYWORDS) + r")\b)")
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PROLOGUE = re.compile(
    r"[\x20\t\r\n]+|\#[^\n\r]*|(?i:PREFIX)[\x20\t\r\n]+(?:"
    + _PREFIX
    + r")?:[\x20\t\r\n]*"
    + _IRIREF
    + r"|(?i:BASE)[\x20\t\r\n]*"
    + _IRIREF
)
#: The form keyword as a word of its own (``SELECT:x`` and ``ASK.x:`` begin prefixed names: those
#: and anything like them are left to the full scan).
_FORM = re.compile(r"(?i:(SELECT|CONSTRUCT|DESCRIBE|ASK))(?![" + _CHARS + r".:])")


def outer_limit(text: str) -> int | None:
    """The LIMIT of a query's outermost solution modifiers (not a subquery's); None without one,
    or if the text has something that is no SPARQL token. Tokenizes only texts with "limit"."""
    if _LIMIT.search(text) is None:
        return None
    depth, found, after_limit = 0, None, False
    for kind, value, _ in lexemes(text[prologue_end(text) :]):
        if kind == "bad":
            return None
        if kind in ("space", "comment"):
            continue
        if after_limit and kind == "number" and value.isdigit():
            found = int(value)
        depth += {"{": 1, "}": -1}.get(value, 0) if kind == "punct" else 0
        after_limit = depth == 0 and kind == "word" and value.upper() == "LIMIT"
    return found


_LIMIT = re.compile(r"(?i:LIMIT)")


def lexemes(text: str) -> Iterator[tuple[str, str, int]]:
    """The (kind, text, offset) of every token, spaces and comments included."""
    for match in _TOKEN.finditer(text):
        yield match.lastgroup or "bad", match.group(), match.start()


def tokens(text: str) -> list[tuple[str, str, int]]:
    """The (kind, text, offset) of every token but spaces and comments."""
    return [t for t in lexemes(text) if t[0] not in ("space", "comment")]


def local_name(local: str) -> str:
    r"""A prefixed name's local part as the IRI it adds: ``\#`` → ``#`` (PN_LOCAL_ESC); ``%20``
    stays as written."""
    return re.sub(r"\\(.)", r"\1", local)


def _scan_tokens(found_tokens: list[tuple[str, str, int]], base: str | None, text: str) -> Scan:
    found = Scan()
    prefixes: dict[str, str | None] = {}
    bad = next((t for t in found_tokens if t[0] == "bad"), None)
    if bad is not None:
        found.bad = f"{bad[1]!r} at {position(text, bad[2])} (line:column)"

    def at(i: int) -> tuple[str, str, int] | None:
        return found_tokens[i] if i < len(found_tokens) else None

    def resolved(token: tuple[str, str, int] | None) -> str | None:
        """The absolute IRI a token names, or None if it does not name one we can know."""
        kind, value, _ = token or ("", "", 0)
        if kind == "iri":
            try:
                return resolve(base, unescape(value[1:-1]))
            except EscapeError:
                return None
        if kind == "pname":
            prefix, local = value.split(":", 1)
            namespace = prefixes.get(prefix)
            return None if namespace is None else resolve(None, namespace + local_name(local))
        return None

    i = 0
    while i < len(found_tokens):
        kind, value, _ = found_tokens[i]
        keyword = value.upper() if kind == "word" else ""
        following = at(i + 1)
        if following and (keyword, following[1].upper()) in (("SERVICE", "SILENT"), ("FROM", "NAMED")):
            i += 1  # SERVICE SILENT, FROM NAMED: the IRI comes next
            keyword += " " + following[1].upper()
            following = at(i + 1)
        if keyword == "BASE":
            base = resolved(following)
        elif keyword == "PREFIX" and following and following[0] == "pname":
            prefixes[following[1].split(":", 1)[0]] = resolved(at(i + 2))
            i += 1
        elif keyword in QUERY_FORMS + UPDATE_KEYWORDS and found.form is None:
            found.form = keyword
        elif keyword.startswith("SERVICE"):
            found.services.append(resolved(following))
        elif keyword.startswith("FROM"):
            iri, target = resolved(following), "from_named" if keyword.endswith("NAMED") else "from_default"
            current = getattr(found, target)
            setattr(found, target, None if iri is None or current is None else [*current, iri])
        i += 1
    return found
