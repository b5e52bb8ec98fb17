"""Sorted N-Quads / N-Triples lines → the other dump formats, by text operations only.

Parsing a national dump into Python objects and serialising it again took minutes; these
rewritings read each line once and build no object per statement. They rely on what our lines are
(written by :mod:`kkb_lod.ntriples` or pyoxigraph, sorted by :func:`kkb_lod.dumps.sort_unique`):

* one statement per line, ``s p o [g] .``; a subject, predicate or graph holds no space (an IRI
  or a blank node), so the subject ends at the first space and the graph starts at the last `` <``;
* lines of one subject are adjacent, and within them lines of one predicate;
* a literal's quoted text uses only the escapes ``\\b \\t \\n \\f \\r \\" \\\\ \\uXXXX``, which are
  JSON escapes too, and an IRI holds no ``"`` or ``\\``: both go into JSON strings unchanged.

Module-level functions, so :mod:`kkb_lod.dumps` can run them in worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

CHUNK = 1 << 16  # lines written per ``writelines`` call


def _lines(path: str) -> Iterator[bytes]:
    with open(path, "rb", buffering=1 << 20) as f:
        yield from f


def ntriples_and_trig(nquads: str, nt: str, trig: str) -> tuple[dict[str, int], int]:
    """``kkb.nt`` and ``kkb.trig`` from sorted ``kkb.nq``, in one pass. Returns the quads per
    graph IRI and the triples written.

    N-Triples: each line without its graph, repeats (one triple in two graphs, adjacent once
    sorted) written once. TriG: a graph block per run of lines of one graph (TriG merges blocks of
    the same graph), holding those lines as N-Triples statements.
    """
    counts: dict[bytes, int] = {}
    nt_out: list[bytes] = []
    trig_out: list[bytes] = []
    graph, run, prev, triples = None, 0, b"", 0
    with open(nt, "wb") as nt_file, open(trig, "wb") as trig_file:
        for line in _lines(nquads):
            cut = line.rindex(b" <")
            triple = line[:cut] + b" .\n"
            g = line[cut + 1 : -3]
            if g != graph:
                if graph is not None:
                    trig_out.append(b"}\n")
                    counts[graph] = counts.get(graph, 0) + run
                trig_out.append(g + b" {\n")
                graph, run = g, 0
            run += 1
            trig_out.append(triple)
            if triple != prev:
                nt_out.append(triple)
                prev = triple
            if len(trig_out) >= CHUNK:
                triples += len(nt_out)
                nt_file.writelines(nt_out)
                trig_file.writelines(trig_out)
                nt_out.clear()
                trig_out.clear()
        if graph is not None:
            trig_out.append(b"}\n")
            counts[graph] = counts.get(graph, 0) + run
        triples += len(nt_out)
        nt_file.writelines(nt_out)
        trig_file.writelines(trig_out)
    return {g.decode("utf-8")[1:-1]: n for g, n in counts.items()}, triples


#: A local name written after a prefix: a plain subset of Turtle's PN_LOCAL (ASCII letters,
#: digits, ``_``, and ``-``/``.`` inside; a leading digit is allowed, as in ``62.04.06.2020``).
_LOCAL = re.compile(rb"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?\Z")
_RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class _Names:
    """N-Triples IRIs → Turtle: an IRI in one of ``prefixes`` whose local part is a plain name
    as ``prefix:local``, anything else as it was.

    Every namespace ends with ``/`` or ``#`` and a plain local part holds neither, so an IRI's
    namespace can only be what precedes its last ``/`` or ``#``: one dictionary lookup."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        if any(iri[-1:] not in "/#" for iri in prefixes.values()):
            raise ValueError("every namespace must end with '/' or '#'")
        self.spaces = {iri.encode(): name.encode() + b":" for name, iri in prefixes.items()}
        self.known: dict[bytes, bytes] = {}  # repeated objects and datatypes

    def name(self, term: bytes) -> bytes:
        """``<iri>`` as a prefixed name if it can be one, else as it is."""
        at = max(term.rfind(b"/"), term.rfind(b"#")) + 1
        prefix = self.spaces.get(term[1:at])
        if prefix is not None and _LOCAL.match(term, at, len(term) - 1):
            return prefix + term[at:-1]
        return term

    def iri(self, term: bytes) -> bytes:
        """:meth:`name`, remembered (objects and datatypes repeat)."""
        name = self.known.get(term)
        if name is None:
            if len(self.known) >= 1 << 18:
                self.known.clear()
            name = self.known[term] = self.name(term)
        return name


def turtle_and_jsonld(nquads: str, ttl: str, jsonld: str, prefixes: dict[str, str]) -> None:
    """``kkb.ttl`` and ``kkb.jsonld`` from sorted ``kkb.nq`` (graphs dropped, repeats once), in
    one pass. Turtle: ``@prefix`` lines for ``prefixes``, then the statements grouped by subject,
    IRIs written as prefixed names where their local part allows it, ``a`` for ``rdf:type``.
    JSON-LD: expanded, a node object per subject with one array per predicate."""
    names = _Names(prefixes)
    known, iri = names.known, names.iri  # the hot loop looks up, and calls only on a miss
    verbs: dict[bytes, bytes] = {_RDF_TYPE: b"a"}
    ttl_out: list[bytes] = [
        b"@prefix %s: <%s> .\n" % (name.encode(), space.encode()) for name, space in sorted(prefixes.items())
    ]
    ttl_out.append(b"\n")
    json_out: list[bytes] = [b"["]
    subject = predicate = None
    prev = b""
    with open(ttl, "wb") as ttl_file, open(jsonld, "wb") as json_file:
        for line in _lines(nquads):
            triple = line[: line.rindex(b" <")]
            if triple == prev:
                continue
            prev = triple
            cut = triple.index(b" ")
            s = triple[:cut]
            cut2 = triple.index(b" ", cut + 1)
            p = triple[cut + 2 : cut2 - 1]
            o = triple[cut2 + 1 :]
            verb = verbs.get(triple[cut + 1 : cut2])
            if verb is None:
                verb = verbs[triple[cut + 1 : cut2]] = iri(triple[cut + 1 : cut2])
            first = o[:1]  # the object: an IRI, a typed literal's datatype, or as it is
            if first == b"<":
                name = known.get(o) or iri(o)
            elif first == b'"' and o[-1:] == b">":  # "…"^^<datatype>
                at = o.rindex(b'"^^<') + 3  # no unescaped quote inside the lexical form
                name = o[:at] + (known.get(o[at:]) or iri(o[at:]))
            else:
                name = o
            if s != subject:
                if subject is not None:
                    ttl_out.append(b" .\n")
                    json_out.append(b"]},\n")
                ttl_out.append((names.name(s) if s[:1] == b"<" else s) + b" " + verb + b" " + name)
                json_out.append(b'{"@id":"' + (s[1:-1] if s[:1] == b"<" else s) + b'","' + p + b'":[')
                subject, predicate = s, p
            else:
                ttl_out.append(b" ;\n    " + verb + b" " + name)
                if p != predicate:
                    json_out.append(b'],"' + p + b'":[')
                    predicate = p
                else:
                    json_out.append(b",")
            json_out.append(_json_object(o))
            if len(json_out) >= CHUNK:
                ttl_file.writelines(ttl_out)
                json_file.writelines(json_out)
                ttl_out.clear()
                json_out.clear()
        if subject is not None:
            ttl_out.append(b" .\n")
            json_out.append(b"]}\n")
        json_out.append(b"]\n")
        ttl_file.writelines(ttl_out)
        json_file.writelines(json_out)


def _json_object(o: bytes) -> bytes:
    first = o[:1]
    if first == b"<":
        return b'{"@id":"' + o[1:-1] + b'"}'
    if first == b"_":
        return b'{"@id":"' + o + b'"}'
    end = o.rindex(b'"')
    value = b'{"@value":' + o[: end + 1]
    if end + 1 == len(o):
        return value + b"}"
    if o[end + 1 : end + 2] == b"@":
        return value + b',"@language":"' + o[end + 2 :] + b'"}'
    return value + b',"@type":"' + o[end + 4 : -1] + b'"}'
