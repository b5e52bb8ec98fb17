"""THE table of formats: media type ↔ serializer (pyoxigraph, rdflib) ↔ suffix ↔ kind ↔ EU file
type ↔ readable label. Conneg, SPARQL results, the dumps and the catalog all look formats up here,
so adding or renaming one is one line.

A suffix (``/id/village/62.04.06.2020.ttl``) or a ``format`` parameter wins over ``Accept``; Accept is
resolved by werkzeug's ``best_match`` against :func:`media_types` of the kind wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

#: The EU file-type authority table (``dcterms:format`` of a DCAT-AP distribution).
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"


@dataclass(frozen=True)
class Format:
    """A serialization: its name, canonical media type, file suffix, what it can carry, its
    pyoxigraph and rdflib serializers, its label for people (and CKAN) and its EU file type."""

    name: str
    media_type: str
    suffix: str
    kind: str  # "graph" (triples), "dataset" (quads), "results" (SELECT/ASK), "page" (HTML)
    ox: RdfFormat | QueryResultsFormat | None
    label: str
    rdflib: str = ""  # rdflib's serializer name ("" where rdflib is not used for it)
    file_type: str = ""  # code in the EU file-type table ("" where it has none)
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def w3c_iri(self) -> str | None:
        """The W3C format IRI (``http://www.w3.org/ns/formats/…``), for ``void:feature`` and the
        service description. pyoxigraph names JSON-LD ``https://www.w3.org/ns/formats/data/JSON-LD``;
        the registry's IRI is ``http://www.w3.org/ns/formats/JSON-LD``."""
        if self.ox is None:
            return None
        return self.ox.iri.replace("https://www.w3.org/ns/formats/data/", "http://www.w3.org/ns/formats/")

    @property
    def file_type_iri(self) -> str | None:
        """The EU file-type IRI (``…/authority/file-type/RDF_TURTLE``), if it has one."""
        return FILE_TYPES + self.file_type if self.file_type else None


FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        "text/turtle",
        "ttl",
        "graph",
        RdfFormat.TURTLE,
        "Turtle",
        "turtle",
        "RDF_TURTLE",
        ("application/x-turtle",),
    ),
    Format(
        "ntriples",
        "application/n-triples",
        "nt",
        "graph",
        RdfFormat.N_TRIPLES,
        "N-Triples",
        "nt11",
        "RDF_N_TRIPLES",
        ("text/plain",),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        "graph",
        RdfFormat.RDF_XML,
        "RDF/XML",
        "xml",
        "RDF_XML",
        ("application/xml", "text/xml"),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        "graph",
        RdfFormat.JSON_LD,
        "JSON-LD",
        "json-ld",
        "JSON_LD",
        ("application/json",),
    ),
    Format("trig", "application/trig", "trig", "dataset", RdfFormat.TRIG, "TriG", "trig", "RDF_TRIG"),
    Format(
        "nquads",
        "application/n-quads",
        "nq",
        "dataset",
        RdfFormat.N_QUADS,
        "N-Quads",
        "nquads",
        "RDF_N_QUADS",
    ),
    Format(
        "json",
        "application/sparql-results+json",
        "srj",
        "results",
        QueryResultsFormat.JSON,
        "SPARQL JSON",
        aliases=("application/json",),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "srx",
        "results",
        QueryResultsFormat.XML,
        "SPARQL XML",
        aliases=("application/xml", "text/xml"),
    ),
    Format("csv", "text/csv", "csv", "results", QueryResultsFormat.CSV, "CSV", file_type="CSV"),
    Format(
        "tsv", "text/tab-separated-values", "tsv", "results", QueryResultsFormat.TSV, "TSV", file_type="TSV"
    ),
    Format(
        "html",
        "text/html",
        "html",
        "page",
        None,
        "HTML",
        file_type="HTML",
        aliases=("application/xhtml+xml",),
    ),
)

#: Kinds a request may be answered in: a graph result can also go out as a dataset format.
ANSWERS: dict[str, tuple[str, ...]] = {
    "graph": ("graph", "dataset"),
    "results": ("results",),
    "page": ("page",),
}


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


def find_media_type(media_type: str, *kinds: str) -> Format | None:
    """The format of ``kinds`` that a media type names, if any."""
    return next((f for f in for_kind(*kinds) if media_type in f.media_types), None)


def from_suffix(suffix: str, *kinds: str) -> Format | None:
    """The format of ``kinds`` with file suffix ``suffix`` (without the dot), if any."""
    return next((f for f in for_kind(*kinds) if f.suffix == suffix), None)
