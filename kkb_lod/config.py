"""Settings, declared once: name, type, default and help.

Precedence (lowest to highest): defaults → a TOML file → ``KKB_*`` environment variables →
explicit overrides passed by the caller (CLI options, tests). The file is the one ``kkb-lod
--config FILE`` names, else ``KKB_CONFIG``, else ``kkb-lod.toml`` in the current folder (what
``kkb-lod init`` writes), so ``cd`` into a registry folder and ``kkb-lod build`` is enough; a
relative path in a file (``data_dir``, ``build_dir``) is relative to the file's folder. A malformed
value stops start-up with a message naming the setting and where it came from; nothing falls back
silently.
``tests/test_docs.py`` checks that the README documents every setting and its variable.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kkb_lod.iris import IriError, check_base

#: The most the query limits may be set to: well below where pyoxigraph 0.5.13 crashes
#: (docs/pyoxigraph-crash.md), so no setting can bring the crash back.
QUERY_MAX_BYTES_CEILING = 262_144
QUERY_MAX_DEPTH_CEILING = 256
QUERY_MAX_OPERATORS_CEILING = 1500
#: Past this, planning alone would outlast the default query_hard_limit (a worker replaced).
QUERY_MAX_PATTERNS_CEILING = 192
QUERY_CEILINGS = {
    "query_max_bytes": QUERY_MAX_BYTES_CEILING,
    "query_max_depth": QUERY_MAX_DEPTH_CEILING,
    "query_max_operators": QUERY_MAX_OPERATORS_CEILING,
    "query_max_patterns": QUERY_MAX_PATTERNS_CEILING,
}


#: The base IRI of the published dataset; a server left at it serves a release under the base the
#: release was built with (:func:`for_release`).
DEFAULT_BASE_IRI = "https://w3id.org/kkb/"


class SettingsError(ValueError):
    """A setting with a missing or malformed value."""


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting of kkb-lod. Environment variable: ``KKB_`` + the upper-cased name."""

    base_iri: str = _setting(
        DEFAULT_BASE_IRI,
        "Base of every data IRI we mint; must end with '/'. A server left at the default serves a "
        "release under the base it was built with.",
    )
    data_dir: Path = _setting(Path("data"), "Registry folder read by build and validate.")
    build_dir: Path = _setting(
        Path("build"), "Build folder: releases/ plus the 'current' link to the last good one."
    )
    reference: str = _setting(
        "covered",
        "Which official units a build publishes: 'covered' (the regencies the registry names, "
        "whole, with their provinces, and the area, in graph 'regions') or 'all' (besides, every unit of the "
        "country's Kemendagri 2025 list in graph 'reference', a dataset of its own).",
    )
    area: str = _setting(
        "",
        "The area the registry covers, published whole even where no row names it: Kemendagri "
        "codes, comma-separated, of regencies/cities (each with its province) and provinces (each "
        "whole: its regencies, kecamatan and villages), or 'all' (the country); empty = only the "
        "regencies the rows name. Checked against the packaged Kemendagri 2025 list.",
    )
    host: str = _setting("127.0.0.1", "Address the server listens on.")
    port: int = _setting(5000, "Port the server listens on.")
    store: str = _setting(
        "memory",
        "How the embedded store serves a build: 'memory' (load the dump into RAM, fastest "
        "queries) or 'disk' (open the on-disk store read-only, least memory).",
    )
    build_store: str = _setting(
        "disk",
        "What a build writes besides the dumps: 'disk' (the release's on-disk store, needed to "
        "serve it with store=disk; ~0.3 KB a triple on disk, the slowest stage of a national "
        "build) or 'none' (for a deployment that serves from memory, which loads the dump).",
    )
    validation_store: str = _setting(
        "memory",
        "Where a build and 'kkb-lod validate' run the SHACL checks: 'memory' (an in-memory copy "
        "of the build, ~0.4 KB a triple while it runs, fastest) or 'disk' (the on-disk store, "
        "least memory, about 2.7 times slower).",
    )
    sparql_url: str = _setting(
        "", "Query URL of a remote SPARQL 1.1 store to serve from instead of the embedded one."
    )
    query_timeout: float = _setting(10.0, "Wall-clock limit of one SPARQL query, in seconds.")
    result_limit: int = _setting(10000, "Most rows (or triples) one query may return.")
    max_queries: int = _setting(
        4,
        "Most SPARQL queries running at once per process (abandoned ones count until they "
        "end); more get 503 with Retry-After.",
    )
    workers: int = _setting(
        2,
        "Worker processes of 'kkb-lod serve' (gunicorn); a worker stuck on a query is replaced "
        "while the others keep serving. With the memory store each holds its own copy.",
    )
    threads: int = _setting(8, "Request threads of each worker process.")
    query_hard_limit: float = _setting(
        30.0,
        "Seconds after which a query that could not be stopped (it runs on after its 503) "
        "gets its worker process replaced; at least query_timeout. Needs worker processes "
        "('kkb-lod serve' or gunicorn).",
    )
    rate_limit: int = _setting(
        0,
        "Most requests per minute from one client address, shared by the worker processes; "
        "0 = no limit. More get 429 with Retry-After.",
    )
    trusted_proxies: int = _setting(
        0,
        "Reverse proxies in front of the server that append the client to X-Forwarded-For "
        "and set X-Forwarded-Proto/-Host/-Prefix; 0 = the client is the TCP peer and links use "
        "the request's own scheme, Host and path. Used by rate_limit, the access log and every "
        "link (a path prefix: README, Deployment).",
    )
    public_url: str = _setting(
        "",
        "The address the server is reached at, ending with '/' (e.g. "
        "'https://data.example.go.id/kkb/'): download and endpoint URLs of the catalog and "
        "every link name it; empty = the request's own scheme and host (behind trusted_proxies: "
        "the ones the client used). The catalog's IRIs come from base_iri whatever it is.",
    )
    publisher: str = _setting(
        "",
        "The organisation publishing the data: an id of the registry's organisations table, "
        "named as publisher of the catalog and its datasets. Empty = the registry's one "
        "organisation; a registry with several must name one (kkb-lod init writes it).",
    )
    cache_max_age: int = _setting(
        300,
        "Seconds a cache (a browser, nginx) may reuse an answer of a release without asking "
        "again (Cache-Control max-age); 0 = no-cache, ask every time.",
    )
    serve_releases: int = _setting(
        3,
        "Releases a server serves: the current one and up to N-1 before it in its lineage, those "
        "read-only under /releases/<id>/ (pages, /sparql, /dumps), each from its on-disk store "
        "when it has one; 0 or 1 = only the current. Pruning keeps at least this many.",
    )
    service_allowlist: str = _setting(
        "https://query.wikidata.org/sparql",
        "Space-separated endpoints a query may call with SERVICE; every other target is refused.",
    )
    query_max_bytes: int = _setting(
        65536,
        "Largest SPARQL query text accepted, in bytes (UTF-8); larger ones get 400. "
        "pyoxigraph crashes its process on some long flat chains (docs/pyoxigraph-crash.md); "
        f"at most {QUERY_MAX_BYTES_CEILING}.",
    )
    query_max_depth: int = _setting(
        64,
        "Deepest nesting a SPARQL query may have (brackets, braces, parentheses, unary "
        "operators in a row); deeper ones get 400. pyoxigraph crashes its process from about "
        f"850 levels (docs/pyoxigraph-crash.md); at most {QUERY_MAX_DEPTH_CEILING}.",
    )
    query_max_operators: int = _setting(
        1000,
        "Most operators and terms a SPARQL query may have: each {, ( and [, each character "
        "of |&=<>+-*/^!, each . ; , and each IRI, name, variable, literal or keyword, all "
        "outside strings and comments and but those in VALUES data; more get 400. "
        "pyoxigraph crashes its process on flat chains of about 4,000 items of a collection, "
        "2,600 MINUS or BIND, 6,600 UNION (docs/pyoxigraph-crash.md); at most "
        f"{QUERY_MAX_OPERATORS_CEILING}.",
    )
    query_max_patterns: int = _setting(
        128,
        "Most triple patterns and OPTIONAL or MINUS groups a SPARQL query may have (each "
        ". ; , and each OPTIONAL or MINUS outside strings and comments); more get 400. "
        "pyoxigraph's planning of a query cannot be interrupted by the time limit and grows "
        "steeply: ~2 s for 100 patterns sharing a subject, ~27 s for 200; ~3 s for 100 "
        f"OPTIONALs, ~17 s for 150 (docs/pyoxigraph-crash.md); at most "
        f"{QUERY_MAX_PATTERNS_CEILING}.",
    )
    refresh_contact: str = _setting(
        "https://w3id.org/kkb/",
        "How the operators of the Wikidata Query Service can reach whoever runs 'kkb-lod link "
        "--refresh' (an e-mail address or a web page), sent in its User-Agent as Wikimedia's "
        "User-Agent policy asks; set it to your own.",
    )
    refresh_delay: float = _setting(
        1.0, "Seconds 'kkb-lod link --refresh' waits between two requests to the query service."
    )
    refresh_timeout: float = _setting(
        65.0,
        "Seconds one request of 'kkb-lod link --refresh' may take (Wikidata stops a query "
        "at 60); a request without an answer by then is retried.",
    )
    refresh_retries: int = _setting(
        5,
        "Times 'kkb-lod link --refresh' retries one request after a timeout, 429 or 5xx before "
        "it stops (its progress kept for the next run).",
    )
    refresh_backoff: float = _setting(
        5.0,
        "Seconds 'kkb-lod link --refresh' waits after a failed request that names no "
        "Retry-After (a 429 without one waits 60); doubled at each retry.",
    )

    def __post_init__(self) -> None:
        try:
            check_base(self.base_iri)
        except IriError as err:
            raise SettingsError(f"base_iri (KKB_BASE_IRI): {err}") from None
        if self.store not in ("memory", "disk"):
            raise SettingsError(f"store (KKB_STORE) must be 'memory' or 'disk', not {self.store!r}")
        if self.build_store not in ("disk", "none"):
            raise SettingsError(
                f"build_store (KKB_BUILD_STORE) must be 'disk' or 'none', not {self.build_store!r}"
            )
        if self.reference not in ("covered", "all"):
            raise SettingsError(
                f"reference (KKB_REFERENCE) must be 'covered' or 'all', not {self.reference!r}"
            )
        area_codes(self.area)  # checks the codes (the reference is read only when one is set)
        if self.validation_store not in ("memory", "disk"):
            raise SettingsError(
                "validation_store (KKB_VALIDATION_STORE) must be 'memory' or "
                f"'disk', not {self.validation_store!r}"
            )
        if not 0 < self.port < 65536:
            raise SettingsError(f"port (KKB_PORT) must be 1-65535, not {self.port}")
        if self.query_timeout <= 0 or self.result_limit <= 0 or self.max_queries <= 0:
            raise SettingsError("query_timeout, result_limit and max_queries must be positive")
        if self.workers <= 0 or self.threads <= 0 or self.query_hard_limit <= 0:
            raise SettingsError("workers, threads and query_hard_limit must be positive")
        if self.rate_limit < 0 or self.trusted_proxies < 0:
            raise SettingsError("rate_limit and trusted_proxies must be 0 or more")
        if self.public_url and (
            not re.fullmatch(r"https?://[^\s/?#]+/[^\s?#]*", self.public_url)
            or not self.public_url.endswith("/")
        ):
            raise SettingsError(
                "public_url (KKB_PUBLIC_URL) must be an http(s) address ending "
                f"with '/', e.g. https://data.example.go.id/kkb/, not "
                f"{self.public_url!r}"
            )
        if self.publisher and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.publisher):
            raise SettingsError(
                "publisher (KKB_PUBLISHER) must be an id of the organisations "
                f"table (lower-case letters, digits, '-'), not {self.publisher!r}"
            )
        if self.serve_releases < 0:
            raise SettingsError("serve_releases (KKB_SERVE_RELEASES) must be 0 or more")
        if self.cache_max_age < 0:
            raise SettingsError("cache_max_age (KKB_CACHE_MAX_AGE) must be 0 or more seconds")
        for name, ceiling in QUERY_CEILINGS.items():
            if not 0 < getattr(self, name) <= ceiling:
                raise SettingsError(
                    f"{name} ({env_name(name)}) must be 1-{ceiling}, not {getattr(self, name)}"
                )
        if (
            min(self.refresh_delay, self.refresh_retries, self.refresh_backoff) < 0
            or self.refresh_timeout <= 0
        ):
            raise SettingsError(
                "refresh_delay, refresh_retries and refresh_backoff must be 0 or "
                "more, refresh_timeout positive"
            )
        if not self.refresh_contact.strip() or not self.refresh_contact.isprintable():
            raise SettingsError(
                "refresh_contact (KKB_REFRESH_CONTACT) must be an e-mail address or a web page, on one line"
            )

    @property
    def area_codes(self) -> tuple[str, ...]:
        """The codes of ``area`` (``("all",)`` for the country), each checked to be a province or
        regency/city of the packaged reference."""
        return area_codes(self.area)

    @property
    def services(self) -> tuple[str, ...]:
        """The SERVICE allowlist as a tuple."""
        return tuple(self.service_allowlist.split())


def area_codes(area: str, named: str = "area (KKB_AREA)") -> tuple[str, ...]:
    """The codes of an ``area`` setting; SettingsError naming a code that is not a province or
    regency/city of the Kemendagri 2025 list (a kecamatan or village: its regency is named).
    ``named`` is how the message names the setting (``--area`` for ``kkb-lod init``)."""
    codes = tuple(dict.fromkeys(c.strip() for c in area.split(",") if c.strip()))
    if codes == ("all",) or not codes:
        return codes
    if "all" in codes:
        raise SettingsError(f"{named}: 'all' is the whole country; give it alone, not with codes ({area!r})")
    from kkb_lod.reference import units_by_code  # read only when an area is set

    units = units_by_code()
    for code in codes:
        unit = units.get(code)
        if unit is None:
            raise SettingsError(
                f"{named}: {code!r} is not a province or regency/city code "
                "of the Kemendagri 2025 list (codes look like 62 or 62.04)"
            )
        if unit.level in ("district", "village"):
            regency = ".".join(code.split(".")[:2])
            what = "a kecamatan" if unit.level == "district" else "a desa/kelurahan"
            raise SettingsError(
                f"{named}: {code} ({unit.name}) is {what}; an area is a "
                f"whole regency/city or province: give its regency/city {regency} "
                f"({units[regency].name})"
            )
    return codes


def choose_publisher(setting: str, organisations: Mapping[str, str]) -> str:
    """The publisher's id: ``setting`` (an id of ``organisations``: id → name), or the one
    organisation when it is unset; SettingsError listing the ids when it names none of them or
    several could be meant. No organisation at all: "" (nobody to name)."""
    ids = ", ".join(sorted(organisations)) or "(none)"
    if setting:
        if setting not in organisations:
            raise SettingsError(
                f"publisher (KKB_PUBLISHER) {setting!r} is not an organisation of "
                f"the registry; its organisations are: {ids}"
            )
        return setting
    if len(organisations) > 1:
        raise SettingsError(
            "publisher (KKB_PUBLISHER) is not set and the registry has several "
            f"organisations: set it to the id of the one publishing the data: {ids}"
        )
    return next(iter(organisations), "")


def for_release(settings: Settings, manifest: Mapping[str, Any]) -> Settings:
    """``settings`` for serving the release of ``manifest`` (its ``manifest.json``). Its IRIs are
    under the base it was built with, so a server whose ``base_iri`` is left at the default takes
    the release's (else every page would be a 404); a different base set on purpose is refused
    (SettingsError naming both): serving a release under a base it was not built with answers
    nothing. A base given equal to the default counts as left at it."""
    built = manifest.get("base_iri")
    if not built or built == settings.base_iri:
        return settings
    if settings.base_iri == DEFAULT_BASE_IRI:
        return dataclasses.replace(settings, base_iri=built)
    raise SettingsError(
        f"base_iri (KKB_BASE_IRI) is {settings.base_iri}, but the release "
        f"{manifest.get('id', '')} was built with base_iri {built}: leave base_iri unset to serve "
        f"it under {built}, or build again with {settings.base_iri}"
    )


#: The settings file ``kkb-lod init`` writes and a command finds in the current folder.
CONFIG_FILE = "kkb-lod.toml"


def config_file(environ: Mapping[str, str], given: Path | None = None) -> Path | None:
    """The settings file to read: ``given`` (``--config``), else ``KKB_CONFIG``, else
    ``kkb-lod.toml`` in the current folder when there is one."""
    if given is not None:
        return given
    if environ.get("KKB_CONFIG"):
        return Path(environ["KKB_CONFIG"])
    found = Path(CONFIG_FILE)
    return found if found.is_file() else None


def env_name(name: str) -> str:
    """The environment variable of a setting."""
    return "KKB_" + name.upper()


def describe() -> list[tuple[str, str, Any, str]]:
    """(name, environment variable, default, help) for every setting, for docs and ``--help``."""
    return [(f.name, env_name(f.name), f.default, f.metadata["help"]) for f in fields(Settings)]


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> Settings:
    """Settings from defaults, the TOML file (:func:`config_file`: ``config``, ``KKB_CONFIG`` or
    ``./kkb-lod.toml``), ``KKB_*`` variables and overrides."""
    environ = os.environ if environ is None else environ
    raw: dict[str, tuple[Any, str]] = {}
    file = config_file(environ, config)
    if file is not None:
        named = (
            f"--config {file}"
            if config is not None
            else (f"KKB_CONFIG={file}" if environ.get("KKB_CONFIG") else str(file))
        )
        try:
            table = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise SettingsError(f"{named}: {err}") from None
        for k, v in table.items():
            if k in PATH_SETTINGS and isinstance(v, str):
                v = str(file.parent / v)  # relative to the file; an absolute path stays itself
            raw[k] = (v, f"{file}: {k}")
    for f in fields(Settings):
        if env_name(f.name) in environ:
            raw[f.name] = (environ[env_name(f.name)], env_name(f.name))
    for k, v in (overrides or {}).items():
        if v is not None:
            raw[k] = (v, f"option {k}")
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name, (value, origin) in raw.items():
        if name not in known:
            raise SettingsError(f"unknown setting {name!r} ({origin})")
        values[name] = _coerce(known[name], value, origin)
    return Settings(**values)


#: Settings that are paths (relative ones in a settings file are relative to its folder).
PATH_SETTINGS = frozenset(f.name for f in fields(Settings) if isinstance(f.default, Path))


def _coerce(f: dataclasses.Field, value: Any, origin: str) -> Any:
    kind = type(f.default)
    if f.name == "area" and not isinstance(value, str):
        # a TOML number loses a code's trailing zero: 62.10 would be read as 62.1
        raise SettingsError(
            f'area ({origin}): write the codes as text in quotes, e.g. area = "62.04", not {value!r}'
        )
    try:
        if isinstance(f.default, Path):
            return Path(value)
        if kind in (int, float):
            return kind(value)
        return str(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{f.name} ({origin}): expected {kind.__name__}, got {value!r}") from None
