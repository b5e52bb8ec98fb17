"""A lexical look at SPARQL text: the query form, update keywords, SERVICE targets, FROM clauses.

pyoxigraph exposes no parse-only call, and running a query is the only way to parse it; but the
endpoint must decide some things *before* running anything: refuse updates (read-only), refuse
SERVICE calls to endpoints outside the allowlist (pyoxigraph really does call any SERVICE IRI over
HTTP), and negotiate the answer format, which depends on the query form. A tokenizer that knows
SPARQL's IRIs, strings and comments is enough for that, because the keywords that matter
(``SELECT``…, ``SERVICE``, ``FROM``) cannot occur anywhere else. The parser of record stays the
store's: a query this module misreads still fails there with the parser's message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                   "WITH")

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
_TOKEN = re.compile(
    rf"""(?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    |(?P<string>'''(?:'{{0,2}}(?:[^'\\]|\\.))*'''|\"\"\"(?:"{{0,2}}(?:[^"\\]|\\.))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<comment>\#[^\n\r]*)
    |(?P<var>[?$]{_PN_CHARS}+)
    |(?P<bnode>_:(?:{_PN_CHARS}|\.)*)
    |(?P<pname>(?:[^\W\d_](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?)?:
        (?:(?:{_PN_CHARS}|:|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?)?)
    |(?P<word>[^\W\d]\w*)
    |(?P<space>\s+)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_ESCAPE = re.compile(_UCHAR)


@dataclass
class Scan:
    """What the text of one request says about itself.

    ``services`` lists every SERVICE target as an absolute IRI, or as ``None`` when the target
    cannot be known before running (a variable, a relative IRI, an unknown prefix).
    ``from_default``/``from_named`` are the FROM / FROM NAMED IRIs, ``None`` if one could not be
    resolved.
    """

    form: str | None = None
    services: list[str | None] = field(default_factory=list)
    from_default: list[str] | None = field(default_factory=list)
    from_named: list[str] | None = field(default_factory=list)


def is_absolute_iri(text: str) -> bool:
    """An IRI with a scheme and none of the characters an IRIREF may not contain."""
    return bool(_SCHEME.match(text)) and not re.search(r'[\x00-\x20<>"{}|^`\\]', text)


def unescape(text: str) -> str:
    r"""Replace SPARQL ``\uXXXX`` / ``\UXXXXXXXX`` escapes by the characters they stand for."""
    return _ESCAPE.sub(lambda m: chr(int(m.group()[2:], 16)), text)


def scan(text: str, base: str | None = None) -> Scan:
    """:func:`read_scan`, remembered for the texts asked again (clients repeat their queries;
    scanning a long one costs a few tenths of a millisecond). The answer is shared: not to be
    changed."""
    if len(text) > 20_000:
        return read_scan(text, base)
    return _remembered(text, base)


@lru_cache(maxsize=512)
def _remembered(text: str, base: str | None) -> Scan:
    return read_scan(text, base)


def read_scan(text: str, base: str | None = None) -> Scan:
    """Scan a query (or an update) and report its form, SERVICE targets and FROM clauses.

    ``base`` is the base IRI the service gives the query, against which relative IRIs resolve
    until the query declares its own BASE.

    The text is read twice: as written, and with every ``\\u`` escape decoded first (SPARQL 1.1
    allows that anywhere), so an escape can neither hide a SERVICE keyword nor its target. Both
    readings' SERVICE targets are reported.

    Most queries have no escape and name no SERVICE, FROM nor update keyword after their prologue
    (PREFIX and BASE lines): for them only the form matters, the word right after the prologue,
    found without tokenizing the whole text (which costs a few tenths of a millisecond on a query
    with a dozen PREFIX lines).
    """
    if "\\u" not in text and "\\U" not in text:
        pos = 0
        while match := _PROLOGUE.match(text, pos):
            pos = match.end()
        form = _FORM.match(text, pos)
        if form is not None and _KEYWORDS.search(text, pos) is None:
            return Scan(form=form.group(1).upper())
    return full_scan(text, base)


def full_scan(text: str, base: str | None = None) -> Scan:
    """:func:`scan` by tokenizing the whole text (what its short way must always agree with)."""
    first = _scan_tokens(_tokens(text), base)
    decoded = unescape(text)
    if decoded != text:
        second = _scan_tokens(_tokens(decoded), base)
        first.services += [s for s in second.services if s not in first.services]
        first.form = first.form or second.form
    return first


#: What makes the full scan necessary after the prologue: a keyword it looks for besides the form
#: (anywhere, even in a string or an IRI; no word boundary before it: the engine may read
#: ``1SERVICE`` as ``1 SERVICE``).
_KEYWORDS = re.compile(r"(?i:(?:SERVICE|FROM|" + "|".join(UPDATE_KEYWORDS) + r")\b)")
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PROLOGUE = re.compile(r"\s+|\#[^\n\r]*|(?i:PREFIX)\s+(?:[^\W\d_](?:[\w\-.]*[\w\-])?)?:\s*"
                       + _IRIREF + r"|(?i:BASE)\s*" + _IRIREF)
#: The form keyword as a word of its own (``SELECT:x`` and ``ASK.x:`` begin prefixed names: those
#: and anything like them are left to the full scan).
_FORM = re.compile(r"(?i:(SELECT|CONSTRUCT|DESCRIBE|ASK))(?![\w\-.:\u00B7\u0300-\u036F\u203F-\u2040])")


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("space", "comment")]


def _scan_tokens(tokens: list[tuple[str, str]], base: str | None) -> Scan:
    found = Scan()
    prefixes: dict[str, str | None] = {}

    def resolve(token: tuple[str, str] | None) -> str | None:
        """The absolute IRI a token names, or None if it does not name one we can know."""
        if token is None:
            return None
        kind, value = token
        if kind == "iri":
            iri = unescape(value[1:-1])
            if not _SCHEME.match(iri) and base:
                iri = urljoin(base, iri)
        elif kind == "pname":
            prefix, local = value.split(":", 1)
            namespace = prefixes.get(prefix)
            if namespace is None:
                return None
            iri = namespace + re.sub(r"\\(.)", r"\1", local)
        else:
            return None
        return iri if is_absolute_iri(iri) else None

    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        keyword = value.upper() if kind == "word" else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if keyword == "BASE":
            base = resolve(following)
        elif keyword == "PREFIX" and following and following[0] == "pname":
            prefixes[following[1].split(":", 1)[0]] = resolve(
                tokens[i + 2] if i + 2 < len(tokens) else None)
            i += 1
        elif keyword in QUERY_FORMS + UPDATE_KEYWORDS and found.form is None:
            found.form = keyword
        elif keyword == "SERVICE":
            if following and following[1].upper() == "SILENT":
                i += 1
                following = tokens[i + 1] if i + 1 < len(tokens) else None
            found.services.append(resolve(following))
        elif keyword == "FROM":
            named = bool(following and following[1].upper() == "NAMED")
            if named:
                i += 1
                following = tokens[i + 1] if i + 1 < len(tokens) else None
            iri = resolve(following)
            target = "from_named" if named else "from_default"
            current = getattr(found, target)
            setattr(found, target, None if iri is None or current is None else [*current, iri])
        i += 1
    return found
