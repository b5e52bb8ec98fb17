"""Who stated what: passages of a source attributed to who stated them, in PROV-O (issue #20).

A row of ``registry/statements.csv`` names a passage of a source (quoted verbatim), the post or
person that stated it and, where the source says so, on whose behalf (a post or an organisation).
Each row is published as a :data:`KKB.Statement` (a ``prov:Entity``) with ``dcterms:source`` the
document, ``kkb:sourceExcerpt`` the passage, ``prov:wasAttributedTo`` the person and a
``prov:qualifiedAttribution`` whose ``prov:hadRole`` is the post; the speaker
``prov:actedOnBehalfOf`` the post's holder (qualified, with that post as role), who acts on behalf
of the post's organisation. Every resource whose own quotation lies *inside* a statement's passage,
at the same place of the same document, has that statement as ``prov:hadPrimarySource`` (the
document, which reports it, stays its ``prov:wasDerivedFrom``), so the rows of the other tables are
attributed without naming anyone twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef

from kkb_lod.ingest import Problem, Registry
from kkb_lod.iris import Minter
from kkb_lod.rows import PostRow, Record, StatementRow
from kkb_lod.vocab import DCTERMS, KKB, PROV, RDF, RDFS

if TYPE_CHECKING:
    from kkb_lod.mapping import Context, Triple

#: The tables whose rows quote a source, with the kind and id column of the resource each row is.
QUOTING_TABLES = (
    ("kkb", "kkb", "village_code"),
    ("activities", "activity", "activity_id"),
    ("objectives", "objective", "objective_id"),
    ("programmes", "programme", "programme_id"),
    ("organisations", "org", "org_id"),
    ("posts", "post", "post_id"),
)
#: How many characters of a passage a statement's label shows.
LABEL_CHARS = 60


@dataclass(frozen=True)
class Agent:
    """Who a ``stated_by`` / ``on_behalf_of`` cell names: a person (with the post held in it), or
    an organisation."""

    person: str | None = None
    name: str | None = None
    post: PostRow | None = None
    org: str | None = None


def spans(text: str, excerpt: str) -> list[tuple[int, int]]:
    """Where ``excerpt`` occurs in ``text``: (start, end) of every occurrence."""
    found, start = [], text.find(excerpt)
    while start >= 0 and excerpt:
        found.append((start, start + len(excerpt)))
        start = text.find(excerpt, start + 1)
    return found


def within(text: str, inner: str, passages: tuple[str, ...]) -> bool:
    """True if an occurrence of ``inner`` in ``text`` lies inside an occurrence of a passage."""
    outer = [span for p in passages for span in spans(text, p)]
    return any(a <= b and d <= e for b, d in spans(text, inner) for a, e in outer)


def resolve(r: Registry, value: str, organisations: bool) -> Agent | str:
    """The agent a cell names, or why it names none: a post (its holder, in that post), a person
    (a ``holder_id`` of posts.csv) or, with ``organisations``, an organisation."""
    posts = [p for p in r.posts if p.post_id == value]
    held = [p for p in r.posts if p.holder_id == value]
    orgs = [o for o in r.organisations if o.org_id == value] if organisations else []
    kinds = [k for k, found in (("a post_id", posts), ("a person", held), ("an org_id", orgs)) if found]
    if len(kinds) > 1:
        return f"is both {' and '.join(kinds)}; give ids that name one thing"
    if posts:
        post = posts[0]
        if not post.holder_id and not organisations:
            return (
                f"names the post {value}, which has no holder_id in posts.csv: a statement is "
                "attributed to the person who made it; give the post's holder"
            )
        return Agent(post.holder_id, post.holder_name or post.holder_id, post, post.org_id)
    if held:
        return Agent(value, held[0].holder_name or value, held[0] if len(held) == 1 else None)
    if orgs:
        return Agent(org=value)
    known = "a post_id of posts.csv or a person (a holder_id there)"
    return f"is not {known}{' or an org_id of organisations.csv' if organisations else ''}"


def check_statements(r: Registry) -> Iterator[Problem]:
    """Every problem of the statements table, naming file, row and column."""
    seen: dict[str, int] = {}
    sources = {s.source_id for s in r.sources}
    for st in r.statements:
        if st.statement_id in seen:
            yield _p(st, "statement_id", st.statement_id, f"is already the id of row {seen[st.statement_id]}")
        seen.setdefault(st.statement_id, st.row)
        text = r.texts.get(st.source)
        if st.source not in sources:
            yield _p(st, "source", st.source, "is not an id in sources.csv")
        elif text is None:
            yield _p(st, "source", st.source, "has no document: a statement quotes a passage of its text")
        if not st.source_excerpt:
            yield _p(st, "source_excerpt", "", "is required: quote the passage that was stated, verbatim")
        for excerpt in st.source_excerpt if text is not None else ():
            if text is not None and excerpt not in text:
                yield _p(st, "source_excerpt", excerpt, "does not occur verbatim in the source document")
        speaker = resolve(r, st.stated_by, organisations=False)
        if isinstance(speaker, str):
            yield _p(st, "stated_by", st.stated_by, speaker)
        if st.on_behalf_of:
            principal = resolve(r, st.on_behalf_of, organisations=True)
            if isinstance(principal, str):
                yield _p(st, "on_behalf_of", st.on_behalf_of, principal)
            elif isinstance(speaker, Agent) and principal.person and principal.person == speaker.person:
                yield _p(
                    st, "on_behalf_of", st.on_behalf_of, "names the person who stated it: leave it empty"
                )


def _p(record: Record, column: str, value: str, message: str) -> Problem:
    """A problem of ``record``, naming the column by its header as written (a sheet's Indonesian)."""
    written = record.written.get(column, column) if record.written else column
    return Problem(record.file, record.row, written, value, message, record.sheet)


def statement_iri(mint: Minter, st: StatementRow) -> URIRef:
    return mint.mint("statement", st.statement_id)


def attributed(r: Registry, mint: Minter) -> Iterator[tuple[URIRef, URIRef]]:
    """(resource, statement): each resource whose quotation lies inside a statement's passage."""
    by_source: dict[str, list[StatementRow]] = {}
    for st in r.statements:
        by_source.setdefault(st.source, []).append(st)
    for table, kind, column in QUOTING_TABLES:
        for row in getattr(r, table):
            text = r.texts.get(row.source) if row.source else None
            if text is None:
                continue
            for st in by_source.get(row.source, ()):
                if any(within(text, e, st.source_excerpt) for e in row.source_excerpt):
                    key = getattr(row, column)
                    s = mint.kkb(key) if kind == "kkb" else mint.mint(kind, key)
                    yield s, statement_iri(mint, st)


def attribution_triples(ctx: Context) -> Iterator[Triple]:
    """Each statement, its attribution and delegation, and what is derived from it."""
    r, mint = ctx.registry, ctx.mint
    delegations: set[tuple[URIRef, URIRef]] = set()
    for st in r.statements:
        speaker = resolve(r, st.stated_by, organisations=False)
        assert isinstance(speaker, Agent) and speaker.person  # checked by check_statements
        s, person = statement_iri(mint, st), mint.mint("person", speaker.person)
        yield s, RDF.type, KKB.Statement
        yield s, RDF.type, PROV.Entity
        first = st.source_excerpt[0]
        shown = first if len(first) <= LABEL_CHARS else first[:LABEL_CHARS].rsplit(" ", 1)[0] + " …"
        yield s, RDFS.label, Literal(f"Pernyataan {speaker.name}: “{shown}”", lang="id")
        yield s, RDFS.label, Literal(f"Statement by {speaker.name}: “{shown}”", lang="en")
        yield s, DCTERMS.source, ctx.source(st.source)
        yield s, PROV.wasDerivedFrom, ctx.source(st.source)
        for excerpt in st.source_excerpt:
            yield s, KKB.sourceExcerpt, Literal(excerpt)
        if st.note:
            yield s, RDFS.comment, Literal(st.note)
        yield s, PROV.wasAttributedTo, person
        attribution = BNode()
        yield s, PROV.qualifiedAttribution, attribution
        yield attribution, RDF.type, PROV.Attribution
        yield attribution, PROV.agent, person
        if speaker.post is not None:
            yield attribution, PROV.hadRole, mint.mint("post", speaker.post.post_id)
        if st.on_behalf_of:
            principal = resolve(r, st.on_behalf_of, organisations=True)
            assert isinstance(principal, Agent)
            yield from _delegations(mint, person, principal, delegations)
    for resource, statement in attributed(r, mint):
        yield resource, PROV.hadPrimarySource, statement


def _delegations(
    mint: Minter, delegate: URIRef, principal: Agent, done: set[tuple[URIRef, URIRef]]
) -> Iterator[Triple]:
    """``delegate`` acts on behalf of the principal's person (in the principal's post) and that
    person on behalf of the post's organisation; or of an organisation named directly. Once each."""
    chain: list[tuple[URIRef, URIRef, PostRow | None]] = []
    org = mint.mint("org", principal.org) if principal.org else None
    if principal.person:
        head = mint.mint("person", principal.person)
        chain.append((delegate, head, principal.post))
        if org is not None:
            chain.append((head, org, None))
    elif org is not None:
        chain.append((delegate, org, None))
    for agent, responsible, post in chain:
        if (agent, responsible) in done:
            continue
        done.add((agent, responsible))
        delegation = BNode()
        yield agent, PROV.actedOnBehalfOf, responsible
        yield agent, PROV.qualifiedDelegation, delegation
        yield delegation, RDF.type, PROV.Delegation
        yield delegation, PROV.agent, responsible
        if post is not None:
            yield delegation, PROV.hadRole, mint.mint("post", post.post_id)
