"""Hostile HTTP requests, as raw bytes, drawn from a seeded random generator: the corpus of the
real-server fuzz test (``tests/test_web_fuzz.py``).

Four families, each a function ``(rng, n) -> [Probe]``:

* ``http``: malformed HTTP: odd methods and versions, paths and query strings with invalid
  percent-encoding or raw non-UTF-8 bytes, headers with invalid bytes, over-long or too many
  headers, bad ``Host``, and bodies framed wrongly: bad chunk sizes, missing chunk terminators,
  truncated chunked bodies, bad extensions and trailers, a Content-Length that lies.
* ``pages``: well-formed requests to every route with random methods, ``Accept`` lists,
  conditional and range headers, language cookies, and paths of fuzzed segments.
* ``queries``: SPARQL queries mutated from the example queries (slices deleted, duplicated or
  swapped; keywords, escapes, odd Unicode, comments and strings inserted; bytes made invalid
  UTF-8), sent by GET, form POST and direct POST, with random dataset and format parameters.
* ``hostile_text``: query texts that the store cannot be trusted with: deep nesting (the shapes
  that crash pyoxigraph 0.5.13, and others) and ``\\u``/``\\U`` escapes of code points out of
  Unicode's range. Their 400 comes from the query-size and nesting limits.

Every request is complete (its head ends with an empty line), so the server can always answer;
each asks to close the connection after its answer.
"""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from kkb_lod.web._examples import EXAMPLES


@dataclass(frozen=True)
class Probe:
    """One request: its family, what it tries, and its bytes."""

    family: str
    what: str
    raw: bytes


VILLAGE = "/id/village/62.04.06.2020"
PATHS = (
    "/",
    "/sparql",
    "/catalog",
    "/catalog.ttl",
    "/catalog.jsonld",
    "/.well-known/void",
    "/sitemap.xml",
    VILLAGE,
    VILLAGE + ".ttl",
    VILLAGE + ".html",
    "/id/kkb/62.04.06.2020",
    "/id/district/62.04.06",
    "/id/regency/62.04",
    "/def",
    "/def.nt",
    "/dumps/kkb.nt",
    "/dumps/kkb.nt.gz",
    "/health",
    "/ready",
    "/metrics",
    "/static/site.css",
    "/static/editor.js",
    "/id/village/99.99.99.9999",
    "/id/nothing",
    "/nowhere",
    "/reconcile",
    "/reconcile?queries=%7B%22q%22%3A%7B%22query%22%3A%22Marga%20Jaya%22%7D%7D",
    "/reconcile?queries=%7B%5B",
    "/reconcile?queries=%7B%22q%22%3A%7B%22type%22%3A%22x%22%7D%7D",
    "/reconcile?extend=%7B%22ids%22%3A1%7D",
    "/reconcile/suggest/entity?prefix=marga&cursor=x",
    "/reconcile/preview?id=62.04.06.2020",
    "/reconcile/view/62.04.06.2020",
    "/reconcile/properties?type=desa&limit=-1",
)
METHODS = (
    "GET",
    "GET",
    "GET",
    "HEAD",
    "POST",
    "OPTIONS",
    "PUT",
    "DELETE",
    "PATCH",
    "TRACE",
    "FROB",
    "PROPFIND",
    "M-SEARCH",
)
BAD_METHODS = ("get", "G\xc9T", "GET\x00", "GE T", "(GET)", "", "GET/", "\x16\x03\x01")
MEDIA = (
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/sparql-results+json",
    "application/json",
    "text/csv",
    "text/tab-separated-values",
    "application/xml",
    "*/*",
    "text/*",
    "image/png",
    "application/*",
    "",
    ";",
    "text/html;level=1",
    "*/html",
)
QVALUES = ("", ";q=0", ";q=0.1", ";q=1", ";q=1.5", ";q=x", ";q=-1", ";q=", ";q=0.0001", ";charset=utf-8")
FORMATS = (
    "",
    "json",
    "xml",
    "csv",
    "tsv",
    "turtle",
    "ttl",
    "html",
    "nt",
    "jsonld",
    "rdfxml",
    "trig",
    "nq",
    "srj",
    "nope",
    "JSON",
    "%ff",
)
ODD_TEXT = (
    "\u200d",
    "\u3001",
    "\ufeff",
    "\u202e",
    "\u0000",
    "\u00e9",
    "\U0001f600",
    "\u2028",
    "\u0085",
    "\\",
    "\\\\",
    "%",
    "%%",
    "'",
    '"',
    "<",
    ">",
    "{",
    "}",
    "#",
    "\t",
    "\r\n",
)
FRAGMENTS = (
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    "*",
    "?s",
    "?p",
    "?o",
    "$x",
    "_:b",
    "[]",
    "a",
    "<urn:x>",
    "<>",
    "<#>",
    "< >",
    "<javascript:alert(1)>",
    "<data:text/html,x>",
    "<file:///etc/passwd>",
    "kkb:village",
    "kkb:",
    ":",
    "::",
    "p:a\\#",
    "p:a\u200d\\#",
    "PREFIX p: <http://example.org/>",
    "PREFIX kkb: <https://w3id.org/kkb/def#>",
    "BASE <http://127.0.0.1/>",
    "FILTER(",
    "BIND(",
    "AS ?n",
    "VALUES ?x { <javascript:alert(1)> }",
    "OPTIONAL {",
    "UNION",
    "MINUS {",
    "GRAPH ?g",
    "SERVICE <http://127.0.0.1:9/sparql>",
    "SERVICE SILENT <http://127.0.0.1:9/>",
    "SERVICE ?x",
    "FROM <urn:g>",
    "FROM NAMED <urn:g>",
    "LIMIT 3",
    "LIMIT 0",
    "OFFSET 999999999999",
    "LIMIT -1",
    "ORDER BY ?s",
    "GROUP BY ?s",
    "HAVING(",
    "COUNT(*)",
    "SUM(?o)",
    'GROUP_CONCAT(?o; SEPARATOR="\\u0000")',
    'regex(?o, "(a+)+$")',
    'regex(?o, "[")',
    'REPLACE(?o, "", "x")',
    'STRDT("1", xsd:integer)',
    'xsd:integer("x")',
    '"x"@id',
    '"x"@-',
    '"x"^^<urn:t>',
    '"""a\nb"""',
    "'''",
    "1e309",
    "-0.0",
    "0x10",
    "99999999999999999999999",
    "\\u0041",
    "\\u00e9",
    "\\u12",
    "\\uD800",
    "\\uzzzz",
    "\\U0001F600",
    "\\U0010FFFF",
    "\\",
    '"\\',
    "# comment\n",
    "#",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <http://127.0.0.1:9/x>",
    "CLEAR ALL",
    "DROP GRAPH <urn:g>",
    "kkb:partOf*",
    "^kkb:partOf",
    "kkb:partOf{2}",
    "!(a)",
    "|",
    "/",
    "?",
    "+",
    "<<( ?s ?p ?o )>>",
    "TRIPLE(?s, ?p, ?o)",
    "LATERAL {",
    "EXISTS {",
    "NOT EXISTS {",
    "IN (1, 2)",
    "COALESCE()",
    "IF(",
    "UUID()",
    "NOW()",
)
EXTRA_QUERIES = (
    "ASK { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/kkb/def#Village> ; ?p ?o } LIMIT 20",
    "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,x> <http://a.example/> } }",
    "PREFIX kkb: <https://w3id.org/kkb/def#>\nSELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }",
    "SELECT ?s (STRLEN(STR(?o)) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o "
    'FILTER(REGEX(?o, "^K", "i")) } ORDER BY DESC(?n) LIMIT 10',
    "DESCRIBE ?v WHERE { ?v a <https://w3id.org/kkb/def#Village> } LIMIT 2",
)


def seeds() -> list[str]:
    """The queries mutations start from: the example queries in both languages, and more."""
    return [e.text(lang) for e in EXAMPLES for lang in ("id", "en")] + list(EXTRA_QUERIES)


def request(
    method: str,
    target: str | bytes,
    headers: list[tuple[str, str | bytes]],
    body: bytes = b"",
    version: str = "HTTP/1.1",
    length: bool = True,
) -> bytes:
    """A request's bytes; ``Content-Length`` added for a body unless ``length`` is false."""
    lines = [_bytes(method) + b" " + _bytes(target) + b" " + _bytes(version)]
    lines += [_bytes(name) + b": " + _bytes(value) for name, value in headers]
    if body and length:
        lines.append(b"Content-Length: %d" % len(body))
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def accept(rng: random.Random) -> str:
    return ", ".join(rng.choice(MEDIA) + rng.choice(QVALUES) for _ in range(rng.randint(0, 4)))


def corrupt(rng: random.Random, text: str) -> bytes:
    """``text`` (a path or a query string) with a few bytes made hostile: invalid or
    incomplete percent-encoding, percent-encoded invalid UTF-8, raw bytes >= 0x80, NUL."""
    data = bytearray(text.encode("utf-8", "surrogateescape"))
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(data))
        data[at:at] = rng.choice(
            (
                b"%",
                b"%z",
                b"%zz",
                b"%f",
                b"%ff%fe",
                b"%c0%af",
                b"%ed%a0%80",
                b"%00",
                b"\xff",
                b"\xc3",
                b"\x80abc",
                b"%e2%80%ae",
                b"/..",
                b"//",
                b"%2e%2e%2f",
                b";",
                b"?",
                b"#",
                b"%25",
                b"+",
                b"&&==",
            )
        )
    return bytes(data)


def chunked(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    """``body`` as a chunked body, well or badly framed (and how)."""
    kind = rng.choice(
        (
            "good",
            "bad-size",
            "no-terminator",
            "truncated",
            "extension",
            "trailer",
            "huge-size",
            "negative",
            "empty-size",
            "long-size-line",
            "good-ext",
        )
    )
    size = b"%x" % len(body)
    framing = {
        "good": size + b"\r\n" + body + b"\r\n0\r\n\r\n",
        "good-ext": size + b";name=value\r\n" + body + b"\r\n0\r\n\r\n",
        "bad-size": rng.choice((b"zz", b"1g", b"0x10", b" ", b"\xff")) + b"\r\n" + body + b"\r\n0\r\n\r\n",
        "no-terminator": size + b"\r\n" + body + b"XX0\r\n\r\n",
        "truncated": size + b"\r\n" + body[: len(body) // 2],
        "extension": size + b";a=\x01\r\n" + body + b"\r\n0\r\n\r\n",
        "trailer": size + b"\r\n" + body + b"\r\n0\r\nBad Trailer\xff\r\n\r\n",
        "huge-size": b"ffffffffffffffffffff\r\n" + body + b"\r\n0\r\n\r\n",
        "negative": b"-5\r\n" + body + b"\r\n0\r\n\r\n",
        "empty-size": b"\r\n" + body + b"\r\n0\r\n\r\n",
        "long-size-line": b"1" * 5000 + b"\r\n" + body,
    }
    return framing[kind], kind


def odd_header(rng: random.Random) -> tuple[str, str | bytes]:
    """A header with an odd value, an invalid name or invalid bytes, or that lies about the body."""
    return rng.choice(
        (
            ("Cookie", b"kkb_lang=\xff; \xfe=\xfd"),
            ("Cookie", "kkb_lang=en; a"),
            ("If-None-Match", rng.choice(('"x"', "*", "W/", '"', "\xff", ",,,"))),
            (
                "If-Modified-Since",
                rng.choice(
                    ("yesterday", "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 2094 08:49:37 GMT", "\xff")
                ),
            ),
            (
                "Range",
                rng.choice(
                    ("bytes=0-10", "bytes=-5", "bytes=9-1", "bytes=\xff-", "lines=1-2", "bytes=0-0,0-0,0-0")
                ),
            ),
            ("If-Range", '"nope"'),
            ("If-Match", '"x"'),
            ("If-Unmodified-Since", "x"),
            ("X-Request-ID", rng.choice(("\xff\xfe", "a" * 100, "ok-1", "<script>"))),
            ("X-Forwarded-For", rng.choice(("\xff", "1.2.3.4, x", ",,", "::1"))),
            ("Accept-Language", "\xff;q=x"),
            ("Accept-Encoding", "gzip;q=\xff"),
            ("Expect", rng.choice(("100-continue", "zzz"))),
            (
                "Content-Type",
                rng.choice(
                    (
                        "\xff/\xfe",
                        'application/sparql-query; charset="',
                        "multipart/form-data; boundary=",
                        "text/plain",
                        "application/x-www-form-urlencoded; charset=latin-1",
                        "application/sparql-query; charset*=UTF-8''%ff",
                    )
                ),
            ),
            ("X-Bad\x00Name", "v"),
            ("X Space", "v"),
            ("X-Nul", "a\x00b"),
            ("X-CR", "a\rb"),
            ("X-Folded", "a\r\n b"),
            ("X-Long", "v" * rng.choice((100, 5000, 9000))),
            ("X-Ctl", "\x01\x7f"),
            ("", "empty name"),
            ("Content-Length", "-1"),
            ("Content-Length", "1e3"),
            ("Content-Length", "99999999999999999999"),
            (
                "Transfer-Encoding",
                rng.choice(("chunked, chunked", "identity, chunked", "gzip", "chunked, gzip")),
            ),
        )
    )


def http_family(rng: random.Random, n: int) -> list[Probe]:
    """Malformed HTTP: every part of a request made hostile, one or several at a time."""
    probes = []
    queries = seeds()
    for _ in range(n):
        method = (
            rng.choice(METHODS + BAD_METHODS) if rng.random() < 0.3 else rng.choice(("GET", "POST", "HEAD"))
        )
        target: str | bytes = (
            "/sparql" if method == "POST" and rng.random() < 0.7 else rng.choice(PATHS)
        )  # the one route that reads bodies
        if rng.random() < 0.2:
            target += "?query=" + urllib.parse.quote(rng.choice(queries))  # type: ignore[operator]
        what = []
        if rng.random() < 0.5:
            target = corrupt(rng, _text(target))
            what.append("target")
        if rng.random() < 0.03:
            target = _bytes(target) + b"a" * rng.choice((4100, 9000))
            what.append("long")
        version = (
            "HTTP/1.1"
            if rng.random() < 0.9
            else rng.choice(
                ("HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1 x", "HTTP/1", "http/1.1", "HTTP/1.10")
            )
        )
        headers: list[tuple[str, str | bytes]] = []
        if rng.random() < 0.9:
            headers.append(
                (
                    "Host",
                    rng.choice(
                        (
                            "127.0.0.1",
                            "localhost:80",
                            "a b",
                            "\xff",
                            "[::1",
                            "exa<mple",
                            "",
                            "x" * 300,
                            "h.example",
                        )
                    )
                    if rng.random() < 0.2
                    else "127.0.0.1",
                )
            )
        headers.append(("Accept", accept(rng)))
        for _ in range(rng.randint(0, 3)):
            headers.append(odd_header(rng))
            what.append(headers[-1][0] or "empty-name")
        if rng.random() < 0.02:
            headers += [(f"X-{i}", "v") for i in range(rng.choice((101, 150)))]
            what.append("many-headers")
        body = b""
        length = True
        if method not in ("GET", "HEAD") or rng.random() < 0.1:
            text = rng.choice(queries)
            kind = rng.choice(("form", "query", "bytes", "bad-utf8"))
            body = {
                "form": b"query=" + urllib.parse.quote(text).encode(),
                "query": text.encode(),
                "bytes": rng.randbytes(rng.randint(1, 200)),
                "bad-utf8": b"query=" + urllib.parse.quote(text).encode() + b"%ff\xfe",
            }[kind]
            if not any(name == "Content-Type" for name, _ in headers):
                headers.append(
                    (
                        "Content-Type",
                        "application/sparql-query"
                        if kind == "query"
                        else "application/x-www-form-urlencoded",
                    )
                )
            framing = rng.random()
            if framing < 0.4:
                body, how = chunked(rng, body)
                headers.append(("Transfer-Encoding", "chunked"))
                length = False
                what.append(f"chunked-{how}")
            elif framing < 0.55:
                headers.append(("Content-Length", str(len(body) + rng.randint(1, 50))))
                length = False
                what.append("short-body")
            else:
                what.append(f"body-{kind}")
        probes.append(
            Probe(
                "http",
                f"{_text(method)} {'+'.join(what) or 'plain'}",
                request(method, target, headers, body, version, length),
            )
        )
    return probes


def pages_family(rng: random.Random, n: int) -> list[Probe]:
    """Well-formed requests to every route: methods, negotiation, conditions, fuzzed paths."""
    segments = (
        "village",
        "district",
        "regency",
        "kkb",
        "org",
        "activity",
        "def",
        "id",
        "..",
        ".",
        "62.04.06.2020",
        "62.04.06.2020.ttl",
        "62.04.06.2020.html",
        "62.04",
        "62.04.06",
        "%2e%2e",
        "dumps",
        "kkb.nt",
        "catalog",
        ".well-known",
        "void",
        "sparql",
        "static",
        "a%2Fb",
        "%C3%A9",
        "%F0%9F%98%80",
        "x.y.z",
        "0" * 80,
        "",
    )
    probes = []
    for _ in range(n):
        if rng.random() < 0.5:
            path = rng.choice(PATHS)
        else:
            path = "/" + "/".join(rng.choice(segments) for _ in range(rng.randint(1, 5)))
        if rng.random() < 0.3:
            path += "?" + rng.choice(
                (
                    "lang=en",
                    "lang=id",
                    "lang=fr",
                    "lang=",
                    "format=ttl",
                    "format=" + rng.choice(FORMATS),
                    "a=1&a=2",
                    "lang=en&x",
                    "query=",
                    "query=ASK%7B%7D&query=ASK%7B%7D",
                )
            )
        method = rng.choice(METHODS)
        headers: list[tuple[str, str | bytes]] = [("Host", "127.0.0.1"), ("Accept", accept(rng))]
        if rng.random() < 0.3:
            headers.append(("If-None-Match", rng.choice(('"x"', "*", 'W/"x"', '"a", "b"'))))
        if rng.random() < 0.2:
            headers.append(
                (
                    "If-Modified-Since",
                    rng.choice(("Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 2094 08:49:37 GMT", "garbage")),
                )
            )
        if rng.random() < 0.2:
            headers.append(("Range", rng.choice(("bytes=0-10", "bytes=-5", "bytes=100-1"))))
        if rng.random() < 0.3:
            headers.append(("Cookie", "kkb_lang=" + rng.choice(("en", "id", "xx", ""))))
        if rng.random() < 0.1:
            headers.append(("Origin", "http://a.example"))
            headers.append(("Access-Control-Request-Headers", "X-Anything"))
        body = b"" if method in ("GET", "HEAD", "OPTIONS") else b"query=ASK%7B%7D"
        if body:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        probes.append(Probe("pages", f"{method} {path}", request(method, path, headers, body)))
    return probes


def mutate(rng: random.Random, query: str) -> str:
    """``query`` with one to four mutations."""
    text = query
    for _ in range(rng.choice((1, 1, 1, 2, 3, 4))):
        at = rng.randint(0, len(text))
        op = rng.random()
        if op < 0.3:
            text = text[:at] + rng.choice(FRAGMENTS) + " " + text[at:]
        elif op < 0.45:
            text = text[:at] + rng.choice(ODD_TEXT) + text[at:]
        elif op < 0.65:
            text = text[:at] + text[at + rng.randint(1, 12) :]
        elif op < 0.75:
            end = min(len(text), at + rng.randint(1, 20))
            text = text[:end] + text[at:end] + text[end:]
        elif op < 0.85:
            other = rng.randint(0, len(text))
            a, b = sorted((at, other))
            size = min(rng.randint(1, 10), b - a)
            text = text[:a] + text[b : b + size] + text[a + size : b] + text[a : a + size] + text[b + size :]
        elif op < 0.95:
            text = text[:at]
        else:
            text = text.upper() if rng.random() < 0.5 else text.lower()
    return text


def queries_family(rng: random.Random, n: int) -> list[Probe]:
    """Mutated SPARQL queries by each protocol way, with random dataset and format."""
    base = seeds()
    probes = []
    for _ in range(n):
        query = mutate(rng, rng.choice(base))
        data = query.encode("utf-8", "surrogatepass")
        if rng.random() < 0.05:  # invalid UTF-8 in the query itself
            at = rng.randint(0, len(data))
            data = data[:at] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf")) + data[at:]
        params = []
        if rng.random() < 0.15:
            params.append(
                (
                    "default-graph-uri",
                    rng.choice(("https://w3id.org/kkb/graph/registry", "urn:x", "not an iri", "")),
                )
            )
        if rng.random() < 0.1:
            params.append(("named-graph-uri", rng.choice(("urn:g", "", "<x>"))))
        if rng.random() < 0.15:
            params.append(("format", rng.choice(FORMATS)))
        extra = urllib.parse.urlencode(params)
        encoded = urllib.parse.quote_from_bytes(data)
        way = rng.choice(("get", "get", "form", "direct"))
        headers: list[tuple[str, str | bytes]] = [
            ("Host", "127.0.0.1"),
            (
                "Accept",
                rng.choice(
                    (
                        "*/*",
                        "",
                        "application/sparql-results+json",
                        "text/turtle",
                        "text/html",
                        "text/csv",
                        "application/sparql-results+xml, application/rdf+xml;q=0.5",
                    )
                )
                if rng.random() < 0.7
                else accept(rng),
            ),
        ]
        if way == "get":
            raw = request(
                rng.choice(("GET", "GET", "HEAD")),
                "/sparql?query=" + encoded + ("&" + extra if extra else ""),
                headers,
            )
        elif way == "form":
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            raw = request(
                "POST", "/sparql" + ("?" + extra if extra else ""), headers, b"query=" + encoded.encode()
            )
        else:
            headers.append(("Content-Type", "application/sparql-query"))
            raw = request("POST", "/sparql" + ("?" + extra if extra else ""), headers, data)
        probes.append(Probe("queries", f"{way} {query[:60]!r}", raw))
    return probes


#: Nesting shapes: (name, text of depth d). The first three are the shapes of issue 14 that
#: crash pyoxigraph 0.5.13 at the depths given there.
NESTING: tuple[tuple[str, Callable[[int], str]], ...] = (
    ("filter-exists", lambda d: "ASK {" + " FILTER EXISTS {" * d + "}" * (d + 1)),
    ("braces", lambda d: "ASK " + "{" * d + "}" * d),
    (
        "flat-optionals",
        lambda d: (
            "SELECT * WHERE { ?s ?p ?o " + " ".join(f"OPTIONAL {{ ?s ?p ?o{i} }}" for i in range(d)) + " }"
        ),
    ),
    ("nested-optionals", lambda d: "SELECT * WHERE {" + " OPTIONAL { ?s ?p ?o" * d + " }" * d + " }"),
    ("parentheses", lambda d: "ASK { FILTER(" + "(" * d + "1" + ")" * d + ") }"),
    ("unions", lambda d: "SELECT * WHERE " + "{ {" * d + " ?s ?p ?o " + "} UNION { ?s ?p ?o } }" * d),
    (
        "subqueries",
        lambda d: "SELECT * WHERE {" + " { SELECT * WHERE {" * d + " ?s ?p ?o" + " } }" * d + " }",
    ),
    ("blank-nodes", lambda d: "ASK { ?s ?p " + "[ ?p " * d + "1" + " ]" * d + " }"),
    ("collections", lambda d: "ASK { ?s ?p " + "( " * d + "1" + " )" * d + " }"),
    ("not-exists", lambda d: "ASK {" + " FILTER NOT EXISTS {" * d + "}" * (d + 1)),
    ("minus", lambda d: "SELECT * WHERE { ?s ?p ?o" + " MINUS { ?s ?p ?o" * d + " }" * d + " }"),
    ("negation", lambda d: "ASK { FILTER(" + "!" * d + "true) }"),
    ("path", lambda d: "ASK { ?s " + "(" * d + "<urn:p>" + ")*" * d + " ?o }"),
)
#: Escapes of code points beyond U+10FFFF, in each place an escape may stand.
OUT_OF_RANGE = ("\\U99999999", "\\U00110000", "\\UFFFFFFFF", "\\U7FFFFFFF", "\\U80000000")
ESCAPE_PLACES = (
    "ASK {{ ?s ?p <{}> }}",
    'ASK {{ ?s ?p "{}" }}',
    "ASK {{ ?s ?p '''{}''' }}",
    "PREFIX p: <urn:{}> ASK {{ ?s ?p p:a }}",
    "SELECT ?{} WHERE {{ }}",
    "ASK {{ ?s <urn:a{}b> ?o }}",
    'ASK {{ FILTER(REGEX("a", "{}")) }}',
)


def hostile_text_family(rng: random.Random, n: int) -> list[Probe]:
    """Deep nesting at depths around and far beyond what crashes the store, and escapes of
    code points out of range, by direct POST (and GET when the URL stays short)."""
    probes = []
    for i in range(n):
        if i % 4 == 3:
            template = rng.choice(ESCAPE_PLACES)
            query = template.format(rng.choice(OUT_OF_RANGE))
            what = f"escape {query!r}"
        else:
            name, shape = NESTING[i % len(NESTING)] if i < 3 * len(NESTING) else rng.choice(NESTING)
            depth = (
                (1000, 5000, 3000)[i]
                if i < 3
                else rng.choice((300, 600, 1000, 2000, 3000, 5000, 10000, 20000))
            )
            query, what = shape(depth), f"{name} x{depth}"
        headers: list[tuple[str, str | bytes]] = [("Host", "127.0.0.1"), ("Accept", "*/*")]
        encoded = urllib.parse.quote(query)
        if len(encoded) < 3000 and rng.random() < 0.5:
            raw = request("GET", "/sparql?query=" + encoded, headers)
        else:
            headers.append(("Content-Type", "application/sparql-query"))
            raw = request("POST", "/sparql", headers, query.encode())
        probes.append(Probe("hostile_text", what, raw))
    return probes


FAMILIES: dict[str, Callable[[random.Random, int], list[Probe]]] = {
    "http": http_family,
    "pages": pages_family,
    "queries": queries_family,
    "hostile_text": hostile_text_family,
}


def corpus(family: str, n: int, seed: int) -> list[Probe]:
    """``n`` probes of ``family``, the same ones for the same seed."""
    return FAMILIES[family](random.Random(f"{seed}-{family}"), n)


def _text(raw: str | bytes) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "surrogateescape")
