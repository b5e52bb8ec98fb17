"""One table of formats: media type ↔ serializer ↔ suffix, read by conneg, SPARQL results and dumps.

A suffix (``/id/village/62.04.06.2020.ttl``) or a ``format`` parameter wins over ``Accept``; Accept is
resolved by werkzeug's ``best_match`` against :func:`media_types` of the kind wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class Format:
    """A serialization: its name, canonical media type, file suffix and what it can carry."""

    name: str
    media_type: str
    suffix: str
    kind: str  # "graph" (triples), "dataset" (quads), "results" (SELECT/ASK), "page" (HTML)
    ox: RdfFormat | QueryResultsFormat | None
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", "graph", RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", "nt", "graph", RdfFormat.N_TRIPLES,
           ("text/plain",)),
    Format("rdfxml", "application/rdf+xml", "rdf", "graph", RdfFormat.RDF_XML,
           ("application/xml", "text/xml")),
    Format("jsonld", "application/ld+json", "jsonld", "graph", RdfFormat.JSON_LD,
           ("application/json",)),
    Format("trig", "application/trig", "trig", "dataset", RdfFormat.TRIG),
    Format("nquads", "application/n-quads", "nq", "dataset", RdfFormat.N_QUADS),
    Format("json", "application/sparql-results+json", "srj", "results", QueryResultsFormat.JSON,
           ("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", "results", QueryResultsFormat.XML,
           ("application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", "results", QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "tsv", "results", QueryResultsFormat.TSV),
    Format("html", "text/html", "html", "page", None, ("application/xhtml+xml",)),
)

#: Kinds a request may be answered in: a graph result can also go out as a dataset format.
ANSWERS: dict[str, tuple[str, ...]] = {
    "graph": ("graph", "dataset"),
    "results": ("results",),
    "page": ("page",),
}


def by_name(name: str) -> Format:
    """The format called ``name`` (``turtle``), or with that suffix (``ttl``) or media type."""
    for fmt in FORMATS:
        if name in (fmt.name, fmt.suffix, fmt.media_type):
            return fmt
    raise KeyError(name)


def for_kind(*kinds: str) -> tuple[Format, ...]:
    """Formats of the given kinds, in table order (the first is the default)."""
    return tuple(f for f in FORMATS if f.kind in kinds)


def media_types(*kinds: str) -> list[str]:
    """Every media type (canonical first, then aliases) of formats of the given kinds."""
    return [m for f in for_kind(*kinds) for m in f.media_types]


def from_media_type(media_type: str, *kinds: str) -> Format:
    """The format of ``kinds`` that a media type (canonical or alias) names."""
    for fmt in for_kind(*kinds):
        if media_type in fmt.media_types:
            return fmt
    raise KeyError(media_type)


def from_suffix(suffix: str, *kinds: str) -> Format | None:
    """The format of ``kinds`` with file suffix ``suffix`` (without the dot), if any."""
    return next((f for f in for_kind(*kinds) if f.suffix == suffix), None)
