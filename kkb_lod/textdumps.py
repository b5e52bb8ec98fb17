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

from collections.abc import Iterator

CHUNK = 1 << 16  # lines written per ``writelines`` call


def _lines(path: str) -> Iterator[bytes]:
    with open(path, "rb", buffering=1 << 20) as f:
        yield from f


def ntriples(nquads: str, target: str) -> int:
    """``kkb.nt`` from sorted ``kkb.nq``: the graph dropped, repeats (one triple in two graphs,
    adjacent once sorted) written once. Returns the triples written."""
    n, prev, out = 0, b"", []
    with open(target, "wb") as f:
        for line in _lines(nquads):
            triple = line[:line.rindex(b" <")] + b" .\n"
            if triple != prev:
                out.append(triple)
                prev = triple
                if len(out) == CHUNK:
                    f.writelines(out)
                    n += len(out)
                    out.clear()
        f.writelines(out)
    return n + len(out)


def _grouped(lines: Iterator[bytes], out: list[bytes]) -> Iterator[None]:
    """Append the Turtle of N-Triples ``lines`` (``s p o .``) to ``out``, one subject per
    statement; yields after each line so the caller can flush ``out``."""
    prev = None
    for line in lines:
        cut = line.index(b" ")
        subject = line[:cut]
        if subject == prev:
            out.append(b" ;\n    " + line[cut + 1:-3])
        else:
            if prev is not None:
                out.append(b" .\n")
            out.append(line[:-3])
            prev = subject
        yield
    if prev is not None:
        out.append(b" .\n")


def turtle(nt: str, target: str) -> None:
    """``kkb.ttl`` from sorted ``kkb.nt``: the same lines, grouped by subject."""
    out: list[bytes] = []
    with open(target, "wb") as f:
        for _ in _grouped(_lines(nt), out):
            if len(out) >= CHUNK:
                f.writelines(out)
                out.clear()
        f.writelines(out)


def trig(nquads: str, target: str) -> dict[str, int]:
    """``kkb.trig`` from sorted ``kkb.nq``: a graph block per run of lines of one graph (TriG
    merges blocks of the same graph), grouped by subject inside. Returns quads per graph IRI."""
    counts: dict[bytes, int] = {}
    out: list[bytes] = []
    graph = None
    with open(target, "wb") as f:
        run: list[bytes] = []
        for line in _lines(nquads):
            cut = line.rindex(b" <")
            g = line[cut + 1:-3]
            if g != graph:
                _block(graph, run, out)
                run.clear()
                graph = g
                if len(out) >= CHUNK:
                    f.writelines(out)
                    out.clear()
            counts[g] = counts.get(g, 0) + 1
            run.append(line[:cut] + b" .\n")
            if len(run) >= CHUNK:  # a long run: write its first part as a block of its own
                _block(graph, run, out)
                run.clear()
                f.writelines(out)
                out.clear()
        _block(graph, run, out)
        f.writelines(out)
    return {g.decode("utf-8")[1:-1]: n for g, n in counts.items()}


def _block(graph: bytes | None, run: list[bytes], out: list[bytes]) -> None:
    if graph is None or not run:
        return
    out.append(graph + b" {\n")
    for _ in _grouped(iter(run), out):
        pass
    out.append(b"}\n")


def jsonld(nt: str, target: str) -> None:
    """``kkb.jsonld`` from sorted ``kkb.nt``: expanded JSON-LD, a node object per subject with
    one array per predicate."""
    out: list[bytes] = [b"["]
    subject = predicate = None
    with open(target, "wb") as f:
        for line in _lines(nt):
            cut = line.index(b" ")
            s = line[:cut]
            cut2 = line.index(b" ", cut + 1)
            p = line[cut + 2:cut2 - 1]
            o = line[cut2 + 1:-3]
            if s != subject:
                if subject is not None:
                    out.append(b"]},\n")
                out.append(b'{"@id":"' + (s[1:-1] if s[:1] == b"<" else s) + b'","' + p + b'":[')
                subject, predicate = s, p
            elif p != predicate:
                out.append(b'],"' + p + b'":[')
                predicate = p
            else:
                out.append(b",")
            out.append(_json_object(o))
            if len(out) >= CHUNK:
                f.writelines(out)
                out.clear()
        if subject is not None:
            out.append(b"]}\n")
        out.append(b"]\n")
        f.writelines(out)


def _json_object(o: bytes) -> bytes:
    first = o[:1]
    if first == b"<":
        return b'{"@id":"' + o[1:-1] + b'"}'
    if first == b"_":
        return b'{"@id":"' + o + b'"}'
    end = o.rindex(b'"')
    value = b'{"@value":' + o[:end + 1]
    if end + 1 == len(o):
        return value + b"}"
    if o[end + 1:end + 2] == b"@":
        return value + b',"@language":"' + o[end + 2:] + b'"}'
    return value + b',"@type":"' + o[end + 4:-1] + b'"}'
