"""The checks a query's text passes before the store sees it (``kkb_lod.web._policy``).

SERVICE: a query runs only if every SERVICE target is proven to be on the allowlist; the property
test generates queries from the grammar's odd corners, runs every one the check accepts on a real
pyoxigraph store, and fails on any connection to a loopback listener that is not allowlisted.
Nesting: the bound is never below the real depth, whatever strings, comments and IRIs hide.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from werkzeug.exceptions import BadRequest

from kkb_lod.config import Settings
from kkb_lod.sparqlscan import (
    EscapeError,
    Scan,
    full_scan,
    is_absolute_iri,
    resolve,
    scan,
    unescape,
)
from kkb_lod.web import _policy
from kkb_lod.web._policy import Limits, check_query, shape

from .conftest import examples

BASE = "http://localhost/sparql"
WIKIDATA = "https://query.wikidata.org/sparql"
DEFAULTS = Settings()


class Listener:
    """A TCP listener on 127.0.0.1 (ephemeral port) that records every connection, then closes
    it at once (so a SERVICE call fails fast instead of waiting for an answer)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.seen: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    self.seen.append(connection.recv(200) or b"(connected)")
                except OSError:
                    self.seen.append(b"(connected)")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture(scope="module")
def listeners() -> Iterator[tuple[Listener, Listener]]:
    """(allowed, forbidden): two loopback listeners, the first one on the allowlist."""
    allowed, forbidden = Listener(), Listener()
    yield allowed, forbidden
    allowed.close()
    forbidden.close()


def refusal(query: str, services: tuple[str, ...] = (WIKIDATA,), base: str = BASE) -> str | None:
    """The 400 message of ``query``, or None if the check lets it run."""
    try:
        check_query(query, base, services, Limits.of(DEFAULTS))
    except BadRequest as err:
        return str(err.description)
    return None


ZWJ, IDEOGRAPHIC_COMMA = "\u200d", "\u3001"


def bypasses(url: str) -> list[str]:
    """Every known way the old scanner was fooled into missing ``SERVICE <url>``."""
    service = f"SERVICE <{url}> {{?s ?p ?o}}"
    return [
        f"PREFIX p: <http://example.org/> SELECT * WHERE {{ BIND(p:a{ZWJ}\\# AS ?x) {service} }}",
        f"PREFIX p: <http://example.org/> SELECT * WHERE {{ BIND(p:a{IDEOGRAPHIC_COMMA}\\# AS ?x) "
        f"{service} }}",
        f"PREFIX p: <http://example.org/> SELECT * WHERE {{ BIND(p:a{ZWJ}\\' AS ?x) {service} }} #'",
        f"PREFIX p: <http://example.org/> SELECT * WHERE {{ BIND(p:a{IDEOGRAPHIC_COMMA}\\' AS ?x) "
        f"{service} }} #'",
        # the spec's escape processing reads a string here, the engine code (and the reverse)
        f'SELECT * {{ BIND("\\u005C" AS ?a) {service} BIND(" AS ?b) #" AS ?c)\n}}',
        f"SELECT * {{ # a comment ends at CR for the engine\r{service} }}",
        f"SELECT * {{ ?s ?p ?o }} #\\u000A {service}",
        f"SELECT * {{ SERVICE SILENT <{url}> {{}} }}",
        f"PREFIX p: <{url[:-6]}> SELECT * {{ SERVICE p:sparql {{}} }}",
        f"BASE <{url[:-6]}> SELECT * {{ SERVICE <sparql> {{}} }}",
        f"SELECT * {{ SERVICE <{url[:-5]}\\u0070arql> {{}} }}",
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * {{ \\u0053ERVICE <{url}> {{}} }}",
    ]


@pytest.mark.parametrize("query", bypasses("http://127.0.0.1:9/sparql"))
def test_known_bypasses_are_refused(query: str) -> None:
    assert refusal(query) is not None


@pytest.mark.parametrize("query", bypasses("http://127.0.0.1:9/sparql")[:4])
def test_the_engine_really_calls_what_the_bypasses_hide(
    query: str, listeners: tuple[Listener, Listener]
) -> None:
    """The regression cases are real: run without the check, pyoxigraph makes the call."""
    _, forbidden = listeners
    before = len(forbidden.seen)
    try:
        list(ox.Store().query(query.replace("http://127.0.0.1:9/sparql", forbidden.url)))
    except (OSError, RuntimeError, SyntaxError, ValueError):
        pass
    assert len(forbidden.seen) == before + 1


@pytest.mark.parametrize(
    "target",
    [
        WIKIDATA + "X",
        WIKIDATA + "/other",
        WIKIDATA + "?default-graph-uri=x",
        WIKIDATA + "#x",
        WIKIDATA[:-1],
        "https://query.wikidata.org.evil.example/sparql",
        "http://query.wikidata.org/sparql",
        "https://QUERY.wikidata.org/sparql",
    ],
)
def test_the_allowlist_is_matched_exactly(target: str) -> None:
    """Not by prefix (either way), nor by host, nor case-insensitively."""
    message = refusal(f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
    assert message is not None and "not allowed" in message


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}",
        f"select * {{ service silent <{WIKIDATA}> {{ ?s ?p ?o }} }}",
        "PREFIX wd: <https://query.wikidata.org/> SELECT * { SERVICE wd:sparql { ?s ?p ?o } }",
        "BASE <https://query.wikidata.org/x/> SELECT * { SERVICE <../sparql> { ?s ?p ?o } }",
        f"SELECT * {{ SERVICE <{WIKIDATA}> {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }} }}",
        'SELECT * { SERVICE <https://query.wikidata.org/sp\\u0061rql> { ?s ?p "caf\\u00E9" } }',
        f'SELECT * {{ ?s ?p "SERVICE <http://127.0.0.1:9/>" # SERVICE <http://127.0.0.1:9/>\n'
        f"SERVICE <{WIKIDATA}> {{}} }}",
        "SELECT * { ?s <urn:service> ?o }",
    ],
)
def test_allowlisted_services_run(query: str) -> None:
    assert refusal(query) is None


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT * { SERVICE ?x { ?s ?p ?o } }", "a variable"),
        ("SELECT * { SERVICE unknown:sparql { ?s ?p ?o } }", "an undeclared prefix"),
        ("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o }", "grammar can read"),
        ("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } } ~", "no SPARQL 1.1"),
        ('SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p "\\u0022" } }', "stands for"),
        (
            "SELECT * { SERVICE <https://query.wikidata.org/sparql> {} " + "{" * 60 + "}" * 60 + " }",
            "nests too deeply",
        ),
    ],
)
def test_refusals_say_why(query: str, says: str) -> None:
    message = refusal(query)
    assert message is not None and says in message, message


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?s ?p <\\U99999999> }",
        'ASK { ?s ?p "\\uD800" }',
        'ASK { ?s ?p "\\U00110000" }',
        "ASK { ?s ?p <\\UFFFFFFFF> }",
        'ASK { ?s ?p "\\uDFFF" }',
    ],
)
def test_escapes_of_no_character_are_refused(query: str) -> None:
    message = refusal(query)
    assert message is not None and message.startswith("Query syntax error: error at 1:14:")


@pytest.mark.parametrize(
    ("base", "iri"),
    [
        ("http://a.example/b/c/d", "../../x"),
        ("http://a.example/b/c", "//other.example/y"),
        ("http://a.example/b/c", "?q#f"),
        ("http://a.example/b/c", "http:g"),
        ("http://a.example/b/c", "http://a.example/b/../../x"),
        ("http://a.example/b/", "./a:b"),
    ],
)
def test_iris_resolve_as_the_engine_resolves_them(base: str, iri: str) -> None:
    (row,) = ox.Store().query(f"BASE <{base}> SELECT (<{iri}> AS ?t) {{}}")
    assert resolve(base, iri) == row["t"].value


# --- the property test ---------------------------------------------------------------------

NAME_CHARS = [
    "a",
    "Z",
    "é",
    "_",
    "0",
    "-",
    "\u00b7",
    "\u0301",
    "\u203f",
    ZWJ,
    "\u200c",
    IDEOGRAPHIC_COMMA,
    "\u00e0",
    "\U00010000",
]
LOCAL_ESCAPES = ["\\#", "\\'", '\\"', "\\.", "\\-", "\\~", "\\%", "%41", "\\/", "\\?", "\\("]
ESCAPES = [
    "\\u0061",
    "\\u0022",
    "\\u0027",
    "\\u005C",
    "\\u000A",
    "\\u000D",
    "\\u0023",
    "\\u003E",
    "\\u0053",
    "\\U00000065",
    "\\u200D",
    "\\u0020",
    "\\u007B",
    "\\u007D",
]
#: Stand-ins replaced by the listeners' addresses when a query is run.
TARGETS = [
    "<@FORBIDDEN@>",
    "<@ALLOWED@>",
    "f:sparql",
    "a:sparql",
    "<sparql>",
    "?t",
    "$t",
    "<@FORBIDDEN_NS@sp\\u0061rql>",
    "f:sp\\u0061rql",
    "<@FORBIDDEN_NS@sparql\\u003E>",
    "f:",
    "<@ALLOWED@#x>",
    "<@ALLOWED@X>",
    "<../sparql>",
]


def names() -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(NAME_CHARS), min_size=0, max_size=4)


@st.composite
def pnames(draw: st.DrawFn) -> str:
    local = draw(st.lists(st.sampled_from(NAME_CHARS + LOCAL_ESCAPES), max_size=4))
    return draw(st.sampled_from(["f", "a", "p", "", "f" + ZWJ])) + ":" + "".join(local)


@st.composite
def strings(draw: st.DrawFn) -> str:
    quote = draw(st.sampled_from(["'", '"', "'''", '"""']))
    plain = st.sampled_from(
        [
            "x",
            " ",
            "#",
            "'",
            '"',
            "\\'",
            '\\"',
            "\\\\",
            "\n",
            "\r",
            "}",
            "{",
            "SERVICE <@FORBIDDEN@> {}",
            "\\n",
            ZWJ,
        ]
    )
    parts = draw(st.lists(st.one_of(plain, plain, plain, st.sampled_from(ESCAPES)), max_size=6))
    return quote + "".join(parts) + quote


@st.composite
def parts(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            [
                "triple",
                "bind",
                "comment",
                "service",
                "service",
                "service",
                "service",
                "filter",
                "glue",
                "string",
                "values",
                "bind",
            ]
        )
    )
    if kind == "triple":  # in OPTIONAL: no pattern may empty the solutions before a SERVICE
        return f"OPTIONAL {{ ?s {draw(pnames())} {draw(st.one_of(pnames(), strings(), st.just('?o')))} }}"
    if kind == "bind":
        return f"BIND({draw(st.one_of(pnames(), strings()))} AS ?b{draw(st.integers(0, 9))})"
    if kind == "comment":
        return (
            "#"
            + draw(st.sampled_from(["", " SERVICE <@FORBIDDEN@> {}", "'", '"""', "\\"]))
            + draw(st.sampled_from(["\n", "\r", "\r\n", "\\u000A", ""]))
        )
    if kind == "service":
        silent = draw(st.sampled_from(["SILENT ", "silent ", "SILENT\n", "SILENT#\n", "", "sErViCe "]))
        keyword = draw(st.sampled_from(["SERVICE", "service", "SERVICE", "\\u0053ERVICE", "SERV\\u0049CE"]))
        target = draw(st.sampled_from([*TARGETS, "<@ALLOWED@>", "a:sparql", "<@ALLOWED_NS@sp\\u0061rql>"]))
        return f"{keyword} {silent}{target} {{ ?s ?p ?o }}"
    if kind == "filter":
        return f"FILTER(true || ?o <{draw(st.sampled_from(['@FORBIDDEN_NS@#x', 'x', '3']))}> 1)"
    if kind == "values":
        return f"VALUES ?t {{ {draw(st.sampled_from(TARGETS[:3]))} }}"
    if kind == "string":
        return draw(strings())
    return draw(
        st.sampled_from(
            [" ", "\n", "\r", "\t", ZWJ, IDEOGRAPHIC_COMMA, "\\", "{", "}", "(", ")", ".", ";", "'", '"', "#"]
        )
        | st.sampled_from(ESCAPES)
    )


@st.composite
def queries(draw: st.DrawFn) -> str:
    prologue = [
        "PREFIX f: <@FORBIDDEN_NS@>",
        "PREFIX a: <@ALLOWED_NS@>",
        "PREFIX p: <http://example.org/>",
    ] + draw(
        st.lists(
            st.sampled_from(
                [
                    "PREFIX f: <@FORBIDDEN_NS@>",
                    "PREFIX a: <@ALLOWED_NS@>",
                    "PREFIX p: <http://example.org/>",
                    f"PREFIX f{ZWJ}: <@FORBIDDEN_NS@>",
                    "BASE <@FORBIDDEN_NS@>",
                    "BASE <@ALLOWED_NS@x/>",
                    "PREFIX : <@FORBIDDEN_NS@>",
                    "BASE <../>",
                    "PREFIX f: <sparql/../>",
                    f"PREFIX {draw(names()) or 'n'}: <@FORBIDDEN_NS@>",
                ]
            ),
            max_size=3,
        )
    )
    body = draw(st.lists(parts(), min_size=1, max_size=6))
    separator = draw(st.sampled_from([" ", "\n", "\r", "\t", ""]))
    return (
        "\n".join(prologue)
        + "\nSELECT * WHERE {"
        + separator.join(body)
        + "}"
        + draw(st.sampled_from(["", "\n", " #'", " # SERVICE <@FORBIDDEN@> {}"]))
    )


def placed(template: str, allowed: Listener, forbidden: Listener) -> str:
    return (
        template.replace("@FORBIDDEN_NS@", forbidden.url[:-6])
        .replace("@ALLOWED_NS@", allowed.url[:-6])
        .replace("@FORBIDDEN@", forbidden.url)
        .replace("@ALLOWED@", allowed.url)
    )


def run_checked(query: str, allowed: Listener) -> bool:
    """Check ``query`` with only ``allowed`` on the allowlist; run it if accepted (as the endpoint
    does: the base declared first). Whether it ran."""
    try:
        check_query(query, BASE, (allowed.url,), Limits.of(DEFAULTS))
    except BadRequest:
        return False
    try:
        result = STORE.query(f"BASE <{BASE}>\n{query}")
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (OSError, RuntimeError, SyntaxError, ValueError):
        pass
    return True


STORE = ox.Store()
STORE.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o")))


@given(queries())
@hypothesis_settings(
    max_examples=examples(1200),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_accepted_query_calls_outside_the_allowlist(
    listeners: tuple[Listener, Listener], template: str
) -> None:
    allowed, forbidden = listeners
    before = len(forbidden.seen)
    run_checked(placed(template, allowed, forbidden), allowed)
    assert len(forbidden.seen) == before, forbidden.seen[before:]


def test_the_harness_sees_calls(listeners: tuple[Listener, Listener]) -> None:
    """What the property test relies on: queries it generates that the check accepts do reach an
    allowlisted listener, and the same ones aimed elsewhere are refused unsent."""
    allowed, forbidden = listeners
    for template in (
        "PREFIX a: <@ALLOWED_NS@>\nSELECT * WHERE {SERVICE SILENT a:sparql {}}",
        "SELECT * WHERE {BIND('''#''' AS ?x)\rservice silent <@ALLOWED@> { ?s ?p ?o }}",
        "BASE <@ALLOWED_NS@x/>\nSELECT * WHERE {SERVICE <../sparql> {}}",
    ):
        before = len(allowed.seen)
        assert run_checked(placed(template, allowed, forbidden), allowed)
        assert len(allowed.seen) == before + 1
        assert allowed.seen[-1].startswith(b"POST /sparql")
        assert not run_checked(placed(template.replace("ALLOWED", "FORBIDDEN"), allowed, forbidden), allowed)


# --- nesting and chains ----------------------------------------------------------------------


def nesting(text: str, most: int) -> int:
    return shape(text, Limits(10**9, most, 10**9, 10**9))[0]


def operators(text: str, most: int) -> int:
    return shape(text, Limits(10**9, 10**9, most, 10**9))[1]


def patterns(text: str, most: int) -> int:
    return shape(text, Limits(10**9, 10**9, 10**9, most))[2]


def test_patterns_count_separators_and_groups_in_code_only() -> None:
    assert patterns("SELECT * { " + "?s ?p ?o . " * 200 + "}", 128) > 128
    assert patterns("SELECT * { " + "optional { ?s ?p ?o } " * 150 + "}", 128) > 128
    assert patterns("SELECT * { " + "MiNuS { ?s ?p ?o } " * 150 + "}", 128) > 128
    # surely text: a string, an IRI, a comment, VALUES data
    assert patterns('SELECT * { ?s ?p "' + ". ; , OPTIONAL " * 300 + '" }', 128) <= 2
    assert patterns("SELECT * { ?s ?p <http://a.b/" + "x.y" * 300 + "> }", 128) <= 2
    assert patterns("SELECT * { ?s ?p ?o } # " + ". , ; minus " * 300 + "\n", 128) <= 2
    assert patterns("SELECT * { VALUES ?x { " + "<http://a.b.c/> 1.5 " * 300 + "} }", 128) <= 2
    # not sure any more after an IRI with a quote: everything counts again
    assert patterns("SELECT * { ?s ?p <urn:a'> " + ". " * 200 + "}", 128) > 128


def test_operators_count_chains_but_not_what_is_surely_text() -> None:
    assert operators("SELECT * { {} " + "UNION {} " * 1200 + "}", 1000) > 1000
    assert operators("ASK { FILTER(1" + "+1" * 1200 + ") }", 1000) > 1000
    assert operators("ASK { ?s <urn:a>" + "/<urn:a>" * 1200 + " ?o }", 1000) > 1000
    assert operators("ASK { ?s :a" + "|:a" * 1200 + " ?o }", 1000) > 1000
    assert operators("ASK { ?s ?p ( " + "1 " * 1200 + ") }", 1000) > 1000  # collection items
    words = 'ASK { ?s kkb:a-b-c "a+b-c/d|e&f" } # x+y-z\n'
    assert operators(words * 200, 2000) == 1000  # per line: ASK { ?s kkb:a-b-c and the string
    values = "SELECT * { VALUES ?x { " + "<a#b> 'c' " * 2000 + "} VALUES (?a ?b) { " + "(1 2) " * 2000 + "} }"
    assert operators(values, 1000) < 20  # VALUES data is no chain
    # where the engine may read code, everything counts
    hidden = 'ASK { FILTER(?a @ "' + "+" * 1200 + '")\n }'
    assert operators(hidden.replace("@", "<"), 1000) < 10
    assert operators(hidden.replace("@", "<x#>"), 1000) > 1000


def test_nesting_counts_only_real_closing_brackets() -> None:
    """The bound says "deeper than ``most``" exactly when the real depth is, but where strings,
    comments or IRIs could hide closing brackets: then it says deeper."""
    deep = "(" * 40 + "1" + ")" * 40
    assert nesting(f"ASK {{ FILTER({deep}) }}", 41) > 41  # 42 levels
    assert nesting(f"ASK {{ FILTER({deep}) }}", 42) <= 42
    closers_in_strings = "SELECT * { " + " ".join('{ "}}}" # }}\n' for _ in range(20))
    assert nesting(closers_in_strings + "}" * 20 + " }", 20) > 20  # 21 levels
    assert nesting(closers_in_strings + "}" * 20 + " }", 21) <= 21
    flat = "SELECT * { " + "OPTIONAL { ?s ?p ?o } " * 200 + "}"
    assert nesting(flat, 2) <= 2
    # closers inside an IRI, and after an IRI with '#' on its line, do not count
    assert nesting("ASK { FILTER(" + "(<a#))))>)))\n" * 20 + ") }", 10) > 10
    # after an IRI with ', nothing closes any more
    assert nesting("ASK { FILTER(?a <x'> 1) " + "{}" * 20 + "}", 10) > 10
    # a long string starting where the engine may be in a comment
    assert nesting('ASK { FILTER(?a <x#> """)\n' + "()" * 20 + '""") }', 10) > 10
    assert nesting("ASK { FILTER(" + "!" * 30 + "true) }", 30) > 30
    assert nesting("ASK { FILTER(" + "!" * 30 + "true) }", 32) <= 32


@st.composite
def hidden_nesting(draw: st.DrawFn) -> tuple[str, int]:
    """A query whose real depth is known, with brackets in strings, comments and IRIs between."""
    noise = st.sampled_from(
        [
            '"}}"',
            "'))'",
            '"""}\n}"""',
            "# }}}}\n",
            "<a#b>",
            "<x))>",
            " ",
            "'''}'''",
            "\n",
            "<http://e/#>",
            "?v",
            '"\\""',
            "'\\''",
        ]
    )
    depth = draw(st.integers(1, 30))
    text, level, deepest = "ASK ", 0, 0
    for _ in range(draw(st.integers(depth, 3 * depth))):
        if level < depth and draw(st.booleans()):
            text, level = text + "{" + draw(noise), level + 1
        elif level > 0:
            text, level = text + "}" + draw(noise), level - 1
        deepest = max(deepest, level)
    return text + "}" * level, deepest


@given(hidden_nesting())
@hypothesis_settings(max_examples=examples(300), deadline=None, derandomize=True)
def test_nesting_is_never_below_the_real_depth(case: tuple[str, int]) -> None:
    text, depth = case
    assert nesting(text, 5) >= min(depth, 6)


def test_the_scanner_still_reads_targets() -> None:
    scanned = full_scan(f"PREFIX p{ZWJ}: <http://a.example/> SELECT * {{ SERVICE p{ZWJ}:s\\#x {{}} }}")
    assert scanned.services == ["http://a.example/s#x"] and scanned.bad is None


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("query_max_bytes", "0"),
        ("query_max_bytes", "262145"),
        ("query_max_depth", "0"),
        ("query_max_depth", "257"),
        ("query_max_operators", "-1"),
        ("query_max_operators", "2001"),
        ("query_max_depth", "deep"),
        ("query_max_patterns", "0"),
        ("query_max_patterns", "193"),
    ],
)
def test_limit_settings_are_validated(name: str, bad: str) -> None:
    from kkb_lod.config import SettingsError, load_settings

    variable = "KKB_" + name.upper()
    with pytest.raises(SettingsError, match=f"{name}.*{variable}|{variable}"):
        load_settings(environ={variable: bad})
    assert getattr(load_settings(environ={variable: "7"}), name) == 7


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        'SELECT ?x WHERE { VALUES ?x { "a" "b" } OPTIONAL { ?x <http://e/p> ?y FILTER(?y > 2) } }',
    ],
    ids=["plain", "values-optional"],
)
def test_the_checks_copy_of_the_grammar_counts_steps_as_the_proofs_does(text: str) -> None:
    """The editor's check (tracked) and the SERVICE proof read with two copies of the grammar:
    the same text needs the same number of steps in each, and one fewer is too complex in each."""
    low, high = 1, 100_000  # the fewest steps the proof's copy reads ``text`` in, by halving
    while low < high:
        middle = (low + high) // 2
        try:
            _policy.parse(text, middle)
            high = middle
        except _policy._TooComplex:
            low = middle + 1
    assert 10 < low < 100_000
    _policy.parse(text, low, tracked=True)
    with pytest.raises(_policy._TooComplex):
        _policy.parse(text, low - 1, tracked=True)
    with pytest.raises(_policy._TooComplex):
        _policy.parse(text, low - 1)


def test_the_grammar_is_safe_for_concurrent_first_parses() -> None:
    """In a fresh process (pyparsing guesses parse actions' arity on their first calls), 16
    threads released at once each check SERVICE queries: every one gets its 400 or passes, none
    a TypeError (which the endpoint turned into 500s under load)."""
    import subprocess
    import sys

    program = r"""
import threading
from werkzeug.exceptions import BadRequest
from kkb_lod.config import Settings
from kkb_lod.web._policy import Limits, check_query
settings = Settings()
queries = ["SELECT ?x WHERE {ALUSERVICE ?x ES ?x { <urn:a> <urn:b> <urn:c> } }",
           "PREFIX k: <urn:k#> SELECT ?n WHERE { ?n a k:D ; k:aSERVICE ?x ct ?a }",
           "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
           "SELECT * WHERE { OPTIONAL { ?s ?p ?o } SERVICE ?x { ?s ?p ?o } }"]
start, errors = threading.Barrier(16), []
def work(i):
    start.wait()
    for n in range(4):
        try:
            check_query(queries[(i + n) % 4] + " " * i, "http://x/sparql", settings.services,
                        Limits.of(settings))
        except BadRequest:
            pass
        except Exception as err:
            errors.append(repr(err))
threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
for t in threads: t.start()
for t in threads: t.join()
print(len(errors), errors[:3])
"""
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, check=True
        )
        assert done.stdout.startswith("0 []"), done.stdout + done.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("\u00a4", "1:1"),
        ("\n\u00a4", "2:1"),
        ("ASK {\n  ?s ?p \u00a4 }", "2:9"),
        ("# a\n# b\nASK { ?s ?p ?o \u00a4\n}", "3:16"),
    ],
    ids=["first", "after-a-newline", "second-line", "third-line"],
)
def test_a_character_that_is_no_sparql_is_named_with_its_line_and_column(text: str, where: str) -> None:
    """The SERVICE policy refuses such a text, and the message must lead its author to it."""
    assert full_scan(text).bad == f"'\u00a4' at {where} (line:column)"


def test_escapes_of_every_character_and_only_those_are_read() -> None:
    assert unescape("\\U0010FFFF \\uE000 \\uD7FF") == "\U0010ffff \ue000 \ud7ff"
    for escape in ("\\uD800", "\\uDFFF", "\\U00110000"):
        with pytest.raises(EscapeError, match="stands for no character"):
            unescape(escape)


def test_a_service_query_is_refused_past_the_grammar_step_budget_of_a_new_grammar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The budget is exact: a query that needs every step of it runs, one step less refuses it,
    with a message saying why; and the default lets a plain SERVICE query with 200 values
    through, but not one with 400 (whose text is still far below every other limit).

    The grammar (and the counting of its steps) is built afresh here, not taken from whichever
    test built it first, so the counting itself is what this test checks."""
    monkeypatch.setattr(_policy, "_GRAMMAR", [])
    settings = Settings()

    def check(n: int, pad: str = "") -> str:
        query = (
            "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } "
            "VALUES ?x { " + " ".join(f'"v{i}"' for i in range(n)) + " } }" + pad
        )
        try:
            check_query(query, BASE, settings.services, Limits.of(settings))
        except BadRequest as refused:
            return str(refused.description)
        return "ran"

    assert check(200) == "ran"
    assert check(400) == (
        "This query mentions SERVICE, and SERVICE queries run only when the "
        "SPARQL 1.1 grammar can read them in full within "
        f"{_policy.GRAMMAR_STEPS} steps; this one needs more. Make it shorter "
        "(or split it)."
    )
    monkeypatch.setattr(_policy, "GRAMMAR_STEPS", 10**9)
    check(10, " ")
    needed = 10**9 - _policy._STEPS.left
    monkeypatch.setattr(_policy, "GRAMMAR_STEPS", needed)
    assert check(10, "  ") == "ran"
    monkeypatch.setattr(_policy, "GRAMMAR_STEPS", needed - 1)
    assert "steps; this one needs more. Make it shorter (or split it)." in check(10, "   ")


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX : <https://query.wikidata.org/> SELECT * WHERE { SERVICE :sparql { ?s ?p ?o } }",
        "BASE <https://query.wikidata.org/> PREFIX w: <> SELECT * WHERE { SERVICE w:sparql { ?s ?p ?o } }",
    ],
    ids=["empty-prefix", "prefix-relative-to-base"],
)
def test_an_allowlisted_service_is_found_however_its_iri_is_written(query: str) -> None:
    """The proof must not refuse what it can know: the empty prefix, a prefix relative to BASE."""
    settings = Settings()
    assert check_query(query, BASE, settings.services, Limits.of(settings)).services == [
        "https://query.wikidata.org/sparql"
    ]


@pytest.mark.parametrize(
    "grammar_reads",
    [
        ["https://query.wikidata.org/sparqlX"],  # the same count, another target
        [WIKIDATA, WIKIDATA],  # another count
        [],  # none at all
    ],
)
def test_readings_that_disagree_are_refused(
    monkeypatch: pytest.MonkeyPatch, grammar_reads: list[str]
) -> None:
    """The safety net itself: when the grammar's reading differs from the tokenizer's in any way
    (targets or count), the query is refused, even if every target either finds is allowed."""
    import kkb_lod.web._policy as policy

    query = f"SELECT * WHERE {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }} # {len(grammar_reads)}"
    assert refusal(query) is None
    monkeypatch.setattr(policy, "_parsed_targets", lambda *_: list(grammar_reads))
    services = (WIKIDATA, "https://query.wikidata.org/sparqlX")
    message = refusal(query + " ", services=services)
    assert message == (
        "This query mentions SERVICE, and its two readings (the SPARQL 1.1 "
        "grammar, the engine's tokens) do not find the same SERVICE calls: it is "
        "refused rather than guessed at."
    )


# --- what each refusal says, word for word -------------------------------------------------

SERVICE_QUERY = f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}"
READ_IN_FULL = "This query mentions SERVICE, and SERVICE queries run only when "
NEEDS_AN_IRI = (
    "SERVICE needs an IRI (or a prefixed name of a declared prefix) on this "
    "endpoint's allowlist: a variable, an undeclared prefix or an invalid IRI cannot "
    "be checked before running; allowed: "
)
NOT_ALLOWED = (
    "SERVICE <http://127.0.0.1:9/sparql> is not allowed: this endpoint calls only the "
    "endpoints on its allowlist (service_allowlist); allowed: "
)


@pytest.mark.parametrize(
    ("query", "services", "message"),
    [
        (
            SERVICE_QUERY.replace("?o", '"\\u0022"'),
            (WIKIDATA,),
            "The escape \\u0022 at 1:65 (line:column) stands for '\"': in a query that mentions "
            "SERVICE, escapes may only stand for letters, digits or non-ASCII characters (others are "
            "read differently by the SPARQL specification and by this endpoint's engine). Write the "
            "character itself.",
        ),
        (
            SERVICE_QUERY + " ~",
            (WIKIDATA,),
            READ_IN_FULL + "they can be read in full; this one has '~' at 1:71 (line:column), which is "
            "no SPARQL 1.1 token.",
        ),
        ("SELECT * { SERVICE ?x { ?s ?p ?o } }", (WIKIDATA,), NEEDS_AN_IRI + f"<{WIKIDATA}>."),
        (
            "SELECT * { SERVICE <http://127.0.0.1:9/sparql> {} }",
            (WIKIDATA, WIKIDATA + "2"),
            NOT_ALLOWED + f"<{WIKIDATA}>, <{WIKIDATA}2>.",
        ),
        ("SELECT * { SERVICE <http://127.0.0.1:9/sparql> {} }", (), NOT_ALLOWED + "none."),
        (
            f"SELECT * {{ SERVICE <{WIKIDATA}> {{}} " + "{" * 60 + "}" * 60 + " }",
            (WIKIDATA,),
            READ_IN_FULL + "the SPARQL 1.1 grammar can read them in full; this one nests too deeply "
            "for it (about 20 levels of parentheses or 25 of braces is the most).",
        ),
        (
            "ASK { ?s ?p <\\U99999999> }",
            (WIKIDATA,),
            "Query syntax error: error at 1:14: \\U99999999 stands for no character (a surrogate or a "
            "code point beyond U+10FFFF); write the character itself or its \\U escape.",
        ),
    ],
    ids=["escape", "no-token", "variable", "not-allowed", "allowlist-empty", "too-deep", "no-character"],
)
def test_each_refusal_says_exactly_why(query: str, services: tuple[str, ...], message: str) -> None:
    """The wording is the user's only guide to what to change: each is checked in full."""
    assert refusal(query, services=services) == message


def test_text_after_the_query_is_refused_by_the_grammar() -> None:
    """The grammar must read the text to its end: a stray ``}`` after a SERVICE query (which
    the tokenizer reads as a token like any other) is refused, saying where."""
    message = refusal(SERVICE_QUERY + " }")
    assert message is not None and message.startswith(
        READ_IN_FULL + "the SPARQL 1.1 grammar can read them in full; it cannot: "
    )
    assert "col:71" in message


def test_a_comment_ended_by_a_carriage_return_hides_no_allowed_service() -> None:
    """A comment ends at CR for the engine and the spec: the allowlisted SERVICE after one is
    read by both readings, and runs (a forbidden one there is refused: the bypasses above)."""
    assert refusal(f"SELECT * {{ # a comment\r SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}") is None


@pytest.mark.parametrize(
    "query",
    [
        f"PREFIX w: <{WIKIDATA}> SELECT * WHERE {{ SERVICE w: {{ ?s ?p ?o }} }}",
        "PREFIX prefix: <https://query.wikidata.org/> PREFIX : <http://127.0.0.1:9/> "
        "SELECT * WHERE { SERVICE prefix:sparql { ?s ?p ?o } }",
        "PREFIX : <https://query.wikidata.org/> PREFIX prefix: <http://127.0.0.1:9/> "
        "SELECT * WHERE { SERVICE :sparql { ?s ?p ?o } }",
        "PREFIX localname: <http://127.0.0.1:9/> PREFIX w: <https://query.wikidata.org/sparql> "
        "SELECT * WHERE { SERVICE w: { ?s ?p ?o } }",
    ],
    ids=["empty-local-name", "prefix-named-prefix", "empty-prefix-beside-prefix", "prefix-named-localname"],
)
def test_an_empty_prefix_or_local_name_is_read_as_empty(query: str) -> None:
    """A bug found by mutation testing: rdflib's ``CompValue.get(key)`` gives the key itself when
    the key is absent, so the grammar's reading took ``PREFIX :`` for ``PREFIX prefix:`` and
    ``w:`` for ``w:localname``, and these allowed calls were refused (two readings that disagree)."""
    assert refusal(query) is None
    forbidden = query.replace("https://query.wikidata.org/", "http://127.0.0.1:8/").replace(
        "http://127.0.0.1:9/", "https://query.wikidata.org/"
    )
    assert refusal(forbidden) == NOT_ALLOWED.replace(":9/", ":8/") + f"<{WIKIDATA}>."


# --- the tokenizer the SERVICE proof reads with (``kkb_lod.sparqlscan``) ----------------------

SCANS = {
    "from-clauses": (
        "SELECT * FROM <urn:g1> from named <urn:g2> FROM <urn:g3> WHERE {}",
        None,
        Scan("SELECT", [], ["urn:g1", "urn:g3"], ["urn:g2"]),
    ),
    "from-unknown-stays-unknown": (
        "SELECT * FROM <rel> FROM <urn:g> FROM NAMED <urn:n> {}",
        None,
        Scan("SELECT", [], None, ["urn:n"]),
    ),
    "from-named-variable": (
        "SELECT * FROM <urn:g> FROM NAMED ?g {}",
        None,
        Scan("SELECT", [], ["urn:g"], None),
    ),
    "from-at-the-end": ("SELECT * FROM", None, Scan("SELECT", [], None, [])),
    "from-named-at-the-end": ("SELECT * FROM NAMED", None, Scan("SELECT", [], [], None)),
    "from-against-the-base": (
        "SELECT * FROM <g> FROM NAMED <n> {}",
        "http://a.example/q",
        Scan("SELECT", [], ["http://a.example/g"], ["http://a.example/n"]),
    ),
    "from-after-base": (
        "BASE <http://a.example/x/> SELECT * FROM <y> {}",
        "http://b.example/",
        Scan("SELECT", [], ["http://a.example/x/y"], []),
    ),
    "from-prefixed-escaped": (
        "PREFIX p: <urn:a#> SELECT * FROM p:x\\.y {}",
        None,
        Scan("SELECT", [], ["urn:a#x.y"], []),
    ),
    "from-bad-escape": ("SELECT * FROM <urn:\\uD800> {}", None, Scan("SELECT", [], None, [])),
    "service-at-the-end": ("SELECT * { SERVICE", None, Scan("SELECT", [None])),
    "service-silent-at-the-end": ("SELECT * { SERVICE SILENT", None, Scan("SELECT", [None])),
    "service-silent": (
        "ASK { SERVICE silent <urn:s> {} SERVICE <urn:t> {} }",
        None,
        Scan("ASK", ["urn:s", "urn:t"]),
    ),
    "service-number": ("ASK { SERVICE 1 {} }", None, Scan("ASK", [None])),
    "prefix-at-the-end": ("ASK { SERVICE p:s {} } PREFIX p:", None, Scan("ASK", [None])),
    "prefix-redeclared": (
        "PREFIX p: <urn:a/> PREFIX p: <urn:b/> ASK { SERVICE p:s {} }",
        None,
        Scan("ASK", ["urn:b/s"]),
    ),
    "prefix-not-a-name": ("PREFIX <urn:a/> ASK { SERVICE <urn:s> {} }", None, Scan("ASK", ["urn:s"])),
    "prefix-named-like-a-form": (
        "PREFIX select: <urn:a/> ASK { SERVICE select:s {} }",
        None,
        Scan("ASK", ["urn:a/s"]),
    ),
    "first-form-wins": (
        "INSERT { ?s ?p ?o } WHERE { { SELECT * {} } SERVICE <urn:s> {} }",
        None,
        Scan("INSERT", ["urn:s"]),
    ),
    "with-is-an-update": ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", None, Scan("WITH")),
    "no-form": ("SERVICE <urn:s>", None, Scan(None, ["urn:s"])),
    "comments-between": (
        "ASK # SELECT\n{ SERVICE # x\n <urn:s> {} } FROM #\n NAMED #\n <urn:n>",
        None,
        Scan("ASK", ["urn:s"], [], ["urn:n"]),
    ),
    "prefix-without-an-iri": ("PREFIX p: ASK { SERVICE p:s {} }", None, Scan("ASK", [None])),
    "silent-target-last": ("ASK {} SERVICE SILENT <urn:s>", None, Scan("ASK", ["urn:s"])),
    "named-graph-last": ("SELECT * FROM NAMED <urn:n>", None, Scan("SELECT", [], [], ["urn:n"])),
    "colon-in-a-local-name": (
        "PREFIX p: <urn:a/> ASK { SERVICE p:x:y {} }",
        None,
        Scan("ASK", ["urn:a/x:y"]),
    ),
}


@pytest.mark.parametrize(("text", "base", "expected"), SCANS.values(), ids=SCANS.keys())
def test_the_full_scan_reads_forms_services_and_from_clauses(
    text: str, base: str | None, expected: Scan
) -> None:
    assert full_scan(text, base) == expected


@pytest.mark.parametrize(
    "where",
    [
        "FILTER(COALESCE(EXISTS { @ }, 1))",
        "FILTER(?x IN (1, EXISTS { @ }))",
        "FILTER(?x NOT IN (EXISTS { @ }, 2))",
        "FILTER(CONCAT(EXISTS { @ }, EXISTS { @ }))",
    ],
    ids=["coalesce", "in", "not-in", "concat"],
)
def test_a_service_in_an_expression_list_is_read(where: str) -> None:
    """The grammar keeps an expression list's items in pyparsing's own lists, not rdflib's nodes:
    the proof must walk those too, or an allowed call there is refused (the readings disagree)."""

    def query(target: str) -> str:
        return "SELECT * { " + where.replace("@", f"SERVICE <{target}> {{ ?s ?p ?o }}") + " }"

    assert refusal(query(WIKIDATA)) is None
    assert refusal(query("http://127.0.0.1:9/sparql")) == NOT_ALLOWED + f"<{WIKIDATA}>."


def test_a_base_that_does_not_resolve_is_left_to_the_engine() -> None:
    """After a BASE that is no IRI both readings resolve absolute IRIs alone and agree; the
    engine then refuses the text with a syntax error that says where (the query never runs)."""
    query = f"BASE <http://a.example:x/> SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}"
    assert refusal(query) is None
    with pytest.raises(SyntaxError, match="error at 1:27"):
        ox.Store().query(query)


def test_check_services_gives_the_targets_it_proved() -> None:
    query = (
        f"PREFIX w: <{WIKIDATA[:-6]}> SELECT * WHERE {{ SERVICE w:sparql {{}} "
        f"SERVICE SILENT <{WIKIDATA}> {{}} }}"
    )
    assert _policy.check_services(query, BASE, (WIKIDATA,)) == [WIKIDATA, WIKIDATA]


def test_each_limit_lets_its_most_through_and_refuses_one_more() -> None:
    """In process, each bound of ``check_query`` at its edge and its message in full (the server
    tests of tests/test_query_limits.py check the crashing shapes, with the default limits)."""
    huge = 10**6

    def refused(query: str, limits: Limits) -> str | None:
        try:
            check_query(query, BASE, (), limits)
        except BadRequest as err:
            return str(err.description)
        return None

    ascii_query, wide_query = "ASK {}", "ASK {} # \u00e9"  # 6 bytes; 11 bytes in 10 characters
    for query in (ascii_query, wide_query):
        size = len(query.encode("utf-8"))
        assert refused(query, Limits(size, huge, huge, huge)) is None
        assert refused(query, Limits(size - 1, huge, huge, huge)) == (
            f"The query is larger than {size - 1} bytes, the most this endpoint accepts (query_max_bytes)."
        )
    nested = "ASK { { { } } }"
    assert refused(nested, Limits(huge, 3, huge, huge)) is None
    assert refused(nested, Limits(huge, 2, huge, huge)) == (
        "The query nests deeper than 2 levels (brackets, braces, parentheses and unary "
        "operators), the most this endpoint accepts (query_max_depth)."
    )
    chain = "ASK { FILTER(1 + 1 + 1) }"
    estimate = shape(chain, Limits(huge, huge, huge, huge))[1]  # counted without tokenizing
    terms = shape(chain, Limits(huge, huge, estimate - 1, huge))[1]  # tokenized: exact
    assert terms < estimate
    assert refused(chain, Limits(huge, huge, terms, huge)) is None
    assert refused(chain, Limits(huge, huge, terms - 1, huge)) == (
        f"The query has more than {terms - 1} operators and terms (VALUES data aside), the "
        "most this endpoint accepts (query_max_operators); a long chain of them is as hard on "
        "the engine as deep nesting."
    )
    triples = "ASK { ?s ?p ?o . ?s ?p ?o . ?s ?p ?o }"
    assert refused(triples, Limits(huge, huge, huge, 2)) is None
    assert refused(triples, Limits(huge, huge, huge, 1)) == (
        "The query has more than 1 triple patterns and OPTIONAL or MINUS groups (each '.', ';' "
        "and ',' counts), the most this endpoint accepts (query_max_patterns): the engine's "
        "planning time grows steeply with them and cannot be interrupted. Split the query."
    )


def test_the_checked_scan_resolves_against_the_base_given() -> None:
    """The scan ``check_query`` returns decides the FROM graphs: relative to the endpoint's base."""
    found = check_query("SELECT * FROM <g> FROM NAMED <n> {}", "http://a.example/q", (), Limits.of(DEFAULTS))
    assert (found.from_default, found.from_named) == (["http://a.example/g"], ["http://a.example/n"])


def test_a_line_break_ends_what_an_iri_with_a_hash_made_unsure() -> None:
    """After ``<x#>`` the engine may be in a comment up to the line's end (CR or LF), no further:
    closing brackets count again after it; a string with a line break in plain code does not
    make anything unsure; one that starts where a comment may be does, up to the end."""
    for line_break in ("\n", "\r"):
        assert nesting(f"ASK {{ FILTER(?a <x#> 1){line_break}" + "{}" * 20 + " }", 3) <= 3
    assert nesting('ASK { FILTER(?a = """x\ny""") ' + "{}" * 20 + " }", 3) <= 3
    assert nesting('ASK { FILTER(?a <x#> """)\n""") ' + "{}" * 20 + " }", 10) > 10


def test_groups_are_counted_in_any_case_and_only_where_they_are() -> None:
    assert patterns("SELECT * { " + "OPTIONAL { ?S ?P ?V } " * 150 + "}", 128) > 128  # no o, m
    assert patterns("ASK { ?s ?p ?v . ?s ?p ?v }", 10) == 1
    # each spelling alone in a text with no other o, O, m or M: counted, tokenized or not
    for group in ("optional", "OPTIONAL", "minus", "MINUS"):
        text = f"SELECT * {{ ?s ?p ?v {group} {{ ?s ?p ?x }} }}"
        plain = text.replace(group, "x" * len(group))
        assert plain.count(group[0]) == 0
        for most in (10, 0):  # within the bound: the characters counted; past it: tokenized
            assert patterns(text, most) == patterns(plain, most) + 1, (group, most)


def tokenized(text: str) -> tuple[int, int, int]:
    """The bounds of ``shape`` for ``text`` read token by token, in full: a comment of openers
    after it puts the raw count of openers past the depth bound, and counts for nothing itself."""
    return shape(text + "\n# " + "(" * 100 + "\n", Limits(10**9, 50, 10**9, 10**9))


def test_the_values_data_block_ends_at_its_brace_and_only_there() -> None:
    after = "SELECT * { VALUES ?x { 1 } OPTIONAL { " + "?s ?p ?o . " * 200 + "} }"
    assert patterns(after, 128) > 128  # after the block, code counts again (another group too)
    words = "SELECT * { VALUES ?x { " + "optional " * 200 + "} }"
    assert patterns(words, 128) <= 2  # a word in the data block is data
    variables = "SELECT * { VALUES (" + " ".join(f"?v{i}" for i in range(300)) + ") { } }"
    assert operators(variables, 200) > 200  # the variables before the block are no data


def test_what_is_unsure_before_a_values_block_is_counted_in_it() -> None:
    """Where the engine may read code differently (an IRI with a quote, or after one with a hash
    up to the line's end), no VALUES block is known to start: the brace after counts as code."""
    assert patterns("SELECT * { VALUES <a'> { " + ". " * 200 + "} }", 128) > 128
    assert patterns("SELECT * { ?s ?p <x#>\n{ " + ". " * 200 + "} }", 128) > 128


def test_a_sure_iri_counts_its_openers_and_operators_not_its_separators() -> None:
    assert nesting("ASK { ?s ?p <urn:" + "(" * 30 + "> }", 20) > 20  # the engine may read ``<`` as less-than
    dotted, plain = (
        "ASK { ?s ?p <http://a.b/" + "x.y" * 50 + "> }",
        "ASK { ?s ?p <http://a/" + "xay" * 50 + "> }",
    )
    assert tokenized(dotted) == tokenized(plain)
    assert tokenized("ASK { ?s ?p <urn:" + "X" * 50 + "> }") == tokenized(
        "ASK { ?s ?p <urn:" + "a" * 50 + "> }"
    )
    assert tokenized("ASK { ?s <urn:a>" + "/<urn:a>" * 50 + " ?o }")[2] == 0  # IRIs are no patterns
    triples = "ASK { " + "?s ?p ?o . " * 50 + "}"
    assert tokenized(triples)[1] >= tokenized(triples.replace(" . ", "   "))[1] + 50  # separators are


def test_a_row_of_unary_operators_ends_at_a_term_and_only_there() -> None:
    assert nesting("ASK { {} {} {} }", 2) <= 2  # a closing brace leaves no operator behind
    assert nesting("ASK { FILTER(" + " && ".join(["!?a"] * 30) + ") }", 5) <= 5  # each ! ends at ?a
    assert nesting("ASK { FILTER(" + "!(" * 20 + "true" + ")" * 20 + ") }", 40) > 40  # 42 levels


def test_the_estimate_without_tokenizing_is_an_upper_bound() -> None:
    huge = 10**9
    for text in ("1", "?x", "ASK {}", "<a>", "ASK { FILTER(1 + 1) }"):
        estimate = shape(text, Limits(huge, huge, huge, huge))[1]  # within the bound: not tokenized
        assert estimate >= operators(text, 0) >= 1, text  # past it: tokenized up to the first


def test_a_long_text_is_checked_and_scanned() -> None:
    """Texts over 20,000 characters (once kept out of a memo) are checked and scanned alike."""
    pad = " #" + "x" * 20_000 + "\n"
    assert check_query(
        f"SELECT * FROM <g> {pad}{{}}", "http://a.example/q", (), Limits.of(DEFAULTS)
    ).from_default == ["http://a.example/g"]
    query = f"SELECT * {pad}{{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}"
    assert refusal(query) is None
    assert refusal(query, services=()) == NOT_ALLOWED.replace("http://127.0.0.1:9/sparql", WIKIDATA) + "none."
    assert scan(f"ASK {pad}{{}}").form == "ASK"
    assert scan(f"SELECT * FROM <g> {pad}{{}}", "http://a.example/q").from_default == ["http://a.example/g"]


@pytest.mark.parametrize(
    ("text", "absolute"),
    [
        ("http://a.example/x", True),
        ("urn:x", True),
        ("relative/x", False),
        (":x", False),
        ("http://a example/", False),
        ("http://a.example/>", False),
        ("http://a.example/\\", False),
    ],
)
def test_an_absolute_iri_has_a_scheme_and_no_forbidden_character(text: str, absolute: bool) -> None:
    assert is_absolute_iri(text) is absolute


def test_after_a_character_that_is_no_sparql_nothing_closes() -> None:
    assert nesting("ASK { FILTER(?a ~ 1) " + "{}" * 20 + " }", 10) > 10
    assert nesting("ASK { FILTER(?a < 1) " + "{}" * 20 + " }", 10) <= 10


def test_a_lone_surrogate_is_counted_not_a_crash() -> None:
    """Python text may hold one (not from HTTP, whose decoding replaces them): counted as bytes."""
    assert nesting("ASK { FILTER('\ud800' = 1) " + "{}" * 20 + " }", 10) <= 10
    assert patterns("ASK { ?s ?p '\ud800' . ?s ?p ?o }", 10) == 1


def test_unary_operators_in_a_row_nest_and_a_term_ends_the_row() -> None:
    """(The "{}" pairs make the text one that is tokenized: the count of opening brackets and
    ``!`` alone does not bound a row of ``+`` or ``-``; see docs/mutation.md.)"""
    for sign in ("!", "+", "- ", "- #c\n"):  # spaces and comments do not end a row
        row = "ASK { FILTER(" + sign * 30 + "1) " + "{}" * 31 + " }"
        assert nesting(row, 30) > 30
        assert nesting(row, 32) <= 32
    assert nesting("ASK { FILTER(" + "-1 + " * 30 + "1) }", 5) <= 5
    assert nesting('ASK { FILTER(?a = "' + "(" * 30 + '") }', 10) <= 10  # in a string: no code


def test_service_in_the_prologue_needs_no_proof_unless_escapes_may_hide_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "service" in a PREFIX or BASE IRI or a comment of the prologue cannot be a SERVICE call:
    the proof (rdflib's grammar, milliseconds) is skipped; after the prologue, or anywhere in a
    text with escapes, it is not."""
    proved: list[str] = []
    monkeypatch.setattr(_policy, "check_services", lambda text, *_: proved.append(text) or [])
    prologue = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>\n"
        "BASE <http://a.example/service/> # a SERVICE in a comment\n"
    )
    for body, proof in (
        ("SELECT * { ?s sd:endpoint ?o }", False),
        ("SELECT * { SERVICE <urn:x> { ?s ?p ?o } }", True),
        ("SELECT * { ?s ?p 'service' }", True),
        ("SELECT * { ?s ?p '\\u0041' }", True),
    ):
        proved.clear()
        check_query(prologue + body, BASE, (), Limits.of(DEFAULTS))
        assert bool(proved) is proof, body
