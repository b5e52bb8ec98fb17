"""One matcher for place names: a name (with optional parents and kind) → ranked candidates.

Three callers use it: the registry's name resolution (a ``kkb.csv`` row that names its village and
kecamatan but gives no code, :mod:`kkb_lod.resolve`), the Wikidata linker (a unit's name against
the labels of a snapshot, :mod:`kkb_lod.linking`) and a W3C Reconciliation service
(:meth:`Candidate.reconciliation` gives the API's candidate object). All compare names through
:func:`kkb_lod.names.name_key`, so they agree on what "the same name" is.

Each candidate carries its *features* — name similarity (1 for the name itself, 0.95 for an
earlier or other name, less for a near spelling), parent agreement (the share of the given parents,
codes or names at any level, that are among its ancestors) and kind agreement — and a score made of
them. Exactly one candidate is :attr:`Result.certain` only when it is the one entry of the level
(and kind, if asked) whose name matches after normalising, every given parent agrees, and the name
is not a homonym asked without a parent: "Marga Jaya" names 12 villages and is never certain alone.
Nor is a name asked alone that another entry spells all but the same ("Sari Bakti", "Sari Bhakti").
Nothing is guessed: a near spelling is a suggestion, never an answer.

Indexed by normalised name and by word, so a lookup touches only the entries sharing a word with
the name (and, for suggestions within a parent, that parent's children).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from kkb_lod.history import EDITION_SOURCES, History
from kkb_lod.names import name_key, normalise_name, tokens
from kkb_lod.rows import UnitRow

#: Name similarity of an exact match on another name than the current one (an earlier edition's).
OTHER_NAME = 0.95
#: From this similarity on, another entry's spelling makes a name asked without parent uncertain.
NEAR_NAMESAKE = 0.9
#: Below this similarity a near spelling is not even suggested.
SUGGEST_FROM = 0.6
#: A word shared by more entries than this is too common to find near spellings by (jaya, baru).
COMMON_WORD = 3000


@dataclass(frozen=True)
class Entry:
    """Something a name can be matched to: a unit of the reference, a Wikidata item…"""

    id: str  # a Kemendagri code, a Q-id
    name: str
    level: str  # province, regency, district, village (or another level of the caller's)
    kind: str | None = None  # kabupaten/kota, desa/kelurahan/desa_adat
    parent: str | None = None  # id of the entry one level up
    other_names: tuple[tuple[str, str], ...] = ()  # (name, where it comes from)


@dataclass(frozen=True)
class Candidate:
    """One entry found for a query, with why: the name that matched and the features."""

    entry: Entry
    score: float
    name_similarity: float
    parent_agreement: float | None  # None when no parent was given
    kind_agreement: float | None  # None when no kind was asked
    matched_name: str
    matched_as: str  # "name", or where the other name comes from ("Kemendagri 2016")
    ancestors: tuple[Entry, ...] = ()
    match: bool = False
    checks: tuple[tuple[str, float], ...] = ()  # (feature id, agreement) of the caller's checks

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def exact(self) -> bool:
        """The name matched after normalising (not a near spelling)."""
        return self.name_similarity >= OTHER_NAME

    def describe(self) -> str:
        """``62.04.05.2020 Marga Jaya (desa; Gn. Bintang Awai 62.04.05, …)`` for messages."""
        via = "" if self.matched_as == "name" else f", named {self.matched_name!r} in {self.matched_as}"
        where = ", ".join(f"{a.name} {a.id}" for a in self.ancestors[:2])
        kind = self.entry.kind or self.entry.level
        return f"{self.entry.id} {self.entry.name} ({kind}{'; ' + where if where else ''}{via})"

    def reconciliation(self) -> dict:
        """The candidate as the W3C Reconciliation Service API (0.2) describes one."""
        kind = self.entry.kind or self.entry.level
        features = [{"id": "name", "value": round(self.name_similarity, 3)}]
        if self.parent_agreement is not None:
            features.append({"id": "parent", "value": round(self.parent_agreement, 3)})
        if self.kind_agreement is not None:
            features.append({"id": "kind", "value": round(self.kind_agreement, 3)})
        features += [{"id": check, "value": value} for check, value in self.checks]
        where = ", ".join(f"{a.name} {a.id}" for a in self.ancestors)
        return {
            "id": self.entry.id,
            "name": self.entry.name,
            "description": where,
            "type": [{"id": kind, "name": kind}],
            "score": round(self.score * 100, 1),
            "match": self.match,
            "features": features,
        }


@dataclass(frozen=True)
class Result:
    """The ranked candidates of one query (best first); :attr:`certain` the one sure answer."""

    name: str
    candidates: tuple[Candidate, ...]
    homonyms: int = 0  # entries of the level with this very name, wherever they are

    @property
    def certain(self) -> Candidate | None:
        return next((c for c in self.candidates if c.match), None)


@dataclass
class Matcher:
    """An index of entries by normalised name and by word; :meth:`match` looks names up."""

    entries: dict[str, Entry] = field(default_factory=dict)
    by_key: dict[tuple[str, str], list[tuple[Entry, str, str]]] = field(default_factory=dict)
    by_word: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)
    children: dict[str, list[Entry]] = field(default_factory=dict)
    keys: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    spellings: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # key, name, source
    _keys_sorted: list[tuple[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Matcher:
        matcher = cls()
        for entry in entries:
            matcher.add(entry)
        return matcher

    def add(self, entry: Entry) -> None:
        self.entries[entry.id] = entry
        if entry.parent:
            self.children.setdefault(entry.parent, []).append(entry)
        names = [(entry.name, "name"), *entry.other_names]
        own = self.keys.setdefault(entry.id, set())
        spellings = self.spellings.setdefault(entry.id, [])
        for name, source in names:
            words = normalise_name(name, entry.level)
            key = words.replace(" ", "")
            if not key or (entry.level, key) in own:
                continue
            own.add((entry.level, key))
            spellings.append((key, name, source))
            self.by_key.setdefault((entry.level, key), []).append((entry, name, source))
            for word in set(words.split()):
                self.by_word.setdefault((entry.level, word), []).append(entry)

    def prefixed(self, prefix: str, *, offset: int = 0, limit: int = 10) -> list[Entry]:
        """Entries with a name (or earlier name) whose normalised key starts with ``prefix``'s,
        shortest key first then by id; ``offset`` skips as many (a suggest cursor). A binary
        search in the sorted keys, so a prefix costs the hits, not the index."""
        key = name_key(prefix)
        if not key:
            return []
        keys = self._sorted_keys()
        found: dict[str, Entry] = {}
        start = bisect_left(keys, (key,))
        hits = []
        for k, level in keys[start:]:
            if not k.startswith(key):
                break
            hits.append((len(k), k, level))
        for _, k, level in sorted(hits):
            for entry, _, _ in sorted(self.by_key[(level, k)], key=lambda t: t[0].id):
                found.setdefault(entry.id, entry)
            if len(found) >= offset + limit:
                break
        return list(found.values())[offset : offset + limit]

    def _sorted_keys(self) -> list[tuple[str, str]]:
        if self._keys_sorted is None or len(self._keys_sorted) != len(self.by_key):
            self._keys_sorted = sorted((k, level) for level, k in self.by_key)
        return self._keys_sorted

    def ancestors(self, entry: Entry) -> tuple[Entry, ...]:
        """The entries above ``entry``, nearest first (as far as the index knows them)."""
        found: list[Entry] = []
        parent = entry.parent
        while parent and parent in self.entries and len(found) < 8:
            found.append(self.entries[parent])
            parent = self.entries[parent].parent
        return tuple(found)

    def agrees(self, entry: Entry, parent: str) -> bool:
        """``parent`` (an id or a name) is ``entry``'s parent or one of its ancestors."""
        if parent == entry.parent:
            return True
        return any(
            parent == a.id or (a.level, name_key(parent, a.level)) in self.keys.get(a.id, ())
            for a in self.ancestors(entry)
        )

    def match(
        self,
        name: str,
        *,
        level: str | None = None,
        kind: str | Collection[str] | None = None,
        parents: Sequence[str] = (),
        limit: int | None = 5,
        suggest: bool = True,
        checks: Mapping[str, Callable[[Entry], bool]] | None = None,
        among: Container[str] | None = None,
    ) -> Result:
        """Candidates for ``name`` at ``level`` (any level when None), best first.

        ``parents`` are codes or names of any ancestors (kecamatan, regency, province); ``kind``
        the kind (or kinds) asked for. ``checks`` are the caller's other facts (a postal code, a
        BPS code), each a feature that must agree for a certain answer, as a parent must;
        ``among`` keeps only the entries whose ids it holds. With ``suggest``, near spellings fill
        the list up to ``limit`` (within the given parents when they are found, else among entries
        sharing a word with the name); ``limit`` None keeps every exact match (and up to 10 near
        spellings).
        """
        parents = [p for p in parents if p and p.strip()]
        kinds = (kind,) if isinstance(kind, str) else None if kind is None else tuple(kind)
        how = _How(kinds, parents, dict(checks or {}), among)
        levels = [level] if level else sorted({lv for lv, _ in self.by_key})
        exact: dict[tuple[str, str, str | None], Candidate] = {}  # one entry per id, level, parent
        homonyms = 0
        for lv in levels:
            hits = self.by_key.get((lv, name_key(name, lv)), [])
            homonyms += len({e.id for e, _, source in hits if source == "name"})
            for entry, matched, source in hits:
                if among is not None and entry.id not in among:
                    continue
                similarity = 1.0 if source == "name" else OTHER_NAME
                at = (entry.id, entry.level, entry.parent)
                if at not in exact or exact[at].name_similarity < similarity:
                    exact[at] = self._candidate(entry, similarity, matched, source, how)
        ranked = sorted(exact.values(), key=_rank)
        sure = [
            c
            for c in ranked
            if c.parent_agreement in (None, 1.0)
            and c.kind_agreement != 0.0
            and all(value == 1.0 for _, value in c.checks)
        ]
        pinned = bool(parents) or any(v for _, v in sure[0].checks) if sure else False
        if (
            len(sure) == 1
            and (pinned or homonyms <= 1)
            and (pinned or not self._near_namesake(name, levels, how, {c.id for c in ranked}))
        ):
            ranked[ranked.index(sure[0])] = _certain(sure[0])
        room = 10 if limit is None else limit - len(ranked)
        if suggest and room > 0:
            ranked += self._near(name, levels, how, {c.id for c in ranked}, room)
        return Result(name, tuple(ranked if limit is None else ranked[:limit]), homonyms)

    def _candidate(self, entry: Entry, similarity: float, matched: str, source: str, how: _How) -> Candidate:
        parents = how.parents
        parent = sum(self.agrees(entry, p) for p in parents) / len(parents) if parents else None
        kind_ok = None if how.kinds is None else float(entry.kind in how.kinds)
        checks = tuple((check, float(agrees(entry))) for check, agrees in how.checks.items())
        score = (
            similarity
            * (1.0 if parent is None else 0.5 + 0.5 * parent)
            * (1.0 if kind_ok is None else 0.8 + 0.2 * kind_ok)
        )
        for _, value in checks:
            score *= 0.5 + 0.5 * value
        return Candidate(
            entry,
            round(score, 4),
            similarity,
            parent,
            kind_ok,
            matched,
            source,
            self.ancestors(entry),
            checks=checks,
        )

    def _near_namesake(self, name: str, levels: list[str], how: _How, seen: set[str]) -> bool:
        """Another entry is spelt all but the same (one letter apart: "Sari Bakti", "Sari
        Bhakti"): asked without a parent, the spelling alone cannot tell which is meant."""
        return any(c.name_similarity >= NEAR_NAMESAKE for c in self._near(name, levels, how, seen, 3))

    def _near(self, name: str, levels: list[str], how: _How, seen: set[str], limit: int) -> list[Candidate]:
        """Near spellings, for "did you mean": within the given parents when found, else among the
        entries that share a (not too common) word with ``name``."""
        pool: dict[str, Entry] = {}
        for lv in levels:
            for scope in self._scopes(how.parents):
                pool.update((e.id, e) for e in self._below(scope, lv))
        if not pool:
            for lv in levels:
                for word in tokens(name, lv):
                    hits = self.by_word.get((lv, word), [])
                    if len(hits) <= COMMON_WORD:
                        pool.update((e.id, e) for e in hits)
        found = []
        compare: dict[str, SequenceMatcher] = {}  # the query's key, per level, held as seq1
        for entry in pool.values():
            if entry.id in seen or (how.among is not None and entry.id not in how.among):
                continue
            if entry.level not in compare:
                compare[entry.level] = SequenceMatcher(None, name_key(name, entry.level), "")
            best = max(
                ((_similarity(compare[entry.level], key), n, s) for key, n, s in self.spellings[entry.id]),
                key=lambda t: t[0],
            )
            if best[0] >= SUGGEST_FROM:
                found.append(self._candidate(entry, round(min(best[0], 0.94), 4), best[1], best[2], how))
        return sorted(found, key=_rank)[:limit]

    def _scopes(self, parents: Sequence[str]) -> list[Entry]:
        """The entries the given parents name (by id, else by name at any level), but those
        above another of them: a kecamatan given with its regency narrows to the kecamatan."""
        found: dict[str, Entry] = {}
        for p in parents:
            if p in self.entries:
                found[p] = self.entries[p]
                continue
            for lv in ("district", "regency", "province"):
                found.update((e.id, e) for e, _, _ in self.by_key.get((lv, name_key(p, lv)), []))
        above = {a.id for e in found.values() for a in self.ancestors(e)}
        return [e for e in found.values() if e.id not in above]

    def _below(self, scope: Entry, level: str) -> list[Entry]:
        out, todo = [], list(self.children.get(scope.id, ()))
        while todo:
            entry = todo.pop()
            if entry.level == level:
                out.append(entry)
            else:
                todo += self.children.get(entry.id, ())
        return out


@dataclass(frozen=True)
class _How:
    """What a query asks besides the name: kinds, parents, the caller's checks, the allowed ids."""

    kinds: tuple[str, ...] | None
    parents: Sequence[str]
    checks: dict[str, Callable[[Entry], bool]]
    among: Container[str] | None


def unit_entries(units: Iterable[UnitRow], history: History | None = None) -> Iterable[Entry]:
    """Entries for units of the official list, with their earlier names when ``history`` is given."""
    for u in units:
        earlier = (
            ()
            if history is None
            else tuple((n.name, EDITION_SOURCES[n.editions[-1]].label) for n in history.earlier_names(u.code))
        )
        yield Entry(u.code, u.name, u.level, u.kind, u.parent_code, earlier)


def _similarity(compare: SequenceMatcher, key: str) -> float:
    """``compare``'s ratio against ``key`` (0 when its cheap upper bounds already fall short of
    :data:`SUGGEST_FROM`: most of a parent's entries are nowhere near the name)."""
    compare.set_seq2(key)
    if compare.real_quick_ratio() < SUGGEST_FROM or compare.quick_ratio() < SUGGEST_FROM:
        return 0.0
    return compare.ratio()


def _rank(c: Candidate) -> tuple[float, str]:
    return -c.score, c.id


def _certain(c: Candidate) -> Candidate:
    return replace(c, match=True)


__all__ = ["Candidate", "Entry", "Matcher", "Result", "unit_entries"]
