"""Normalised place names: the one place where two spellings are judged the same name.

Used by ingest (is "Gunung Bintang Awai" the official "Gn. Bintang Awai"?), by the matcher
(:mod:`kkb_lod.matching`, which resolves names without codes and serves the Wikidata linker) and by
the history script. Only spelling is normalised — case, accents, punctuation, spacing, the
official abbreviations, Roman numerals and a leading word naming the kind of unit — so a different
name stays different.
"""

from __future__ import annotations

import re
import unicodedata

#: Official abbreviations and their long forms (Kemendagri names abbreviate, sources often do not).
ABBREVIATIONS: dict[str, str] = {
    "gn": "gunung",
    "gng": "gunung",
    "tj": "tanjung",
    "tg": "tanjung",
    "kp": "kampung",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "kab": "kabupaten",
    "adm": "administrasi",
    "prov": "provinsi",
    "ds": "desa",
    "sp": "simpang",
    "pd": "padang",
    "bt": "batu",
    "kt": "kota",
    "sei": "sungai",
    "sng": "sungai",
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}
#: Words naming the kind of unit, which sources put before the name ("Desa Kalahien"), per level
#: of the unit named (a village may be called "Kota Baru": "kota" is a kind word for regencies only).
KIND_PREFIXES: dict[str, tuple[str, ...]] = {
    "province": ("provinsi",),
    "regency": ("kabupaten administrasi", "kota administrasi", "kabupaten", "kota"),
    "district": ("kecamatan", "distrik"),
    "village": ("desa adat", "desa", "kelurahan", "kampung"),
}
#: Every kind word, for a name whose level is not known (longest first, so "desa adat" wins).
ALL_PREFIXES = tuple(sorted({p for ps in KIND_PREFIXES.values() for p in ps}, key=len, reverse=True))


_NOT_WORD = re.compile(r"[\W_]+")


def normalise_name(name: str, level: str | None = None) -> str:
    """Lower-case words without accents or punctuation, abbreviations expanded, and the kind word
    of ``level`` (any kind word when the level is not known) dropped from the front."""
    text = name.casefold()
    if not text.isascii():  # most official names are ASCII: skip the decomposition for them
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    abbreviations = ABBREVIATIONS
    joined = " ".join([abbreviations.get(w, w) for w in _NOT_WORD.sub(" ", text).split()])
    for prefix in KIND_PREFIXES.get(level or "", ALL_PREFIXES):
        if joined.startswith(prefix + " "):
            return joined[len(prefix) + 1 :]
    return joined


def name_key(name: str, level: str | None = None) -> str:
    """The normalised name without its spaces, so "Tanjungbalai" and "Tanjung Balai" meet."""
    return normalise_name(name, level).replace(" ", "")


def same_name(a: str, b: str, level: str | None = None) -> bool:
    """True if two spellings name the same thing once normalised."""
    return name_key(a, level) == name_key(b, level)


def tokens(name: str, level: str | None = None) -> list[str]:
    """The words of the normalised name (the matcher's token index)."""
    return normalise_name(name, level).split()


#: How English names an Indonesian regency or city: "Kabupaten Katingan" is "Katingan Regency".
_ENGLISH_KINDS = {"Kabupaten": "Regency", "Kota": "City"}


def english_name(official: str) -> str:
    """The official name of a regency or city as English writes it; any other name unchanged
    (provinces, kecamatan and villages keep their official names in English text)."""
    kind, _, rest = official.partition(" ")
    english = _ENGLISH_KINDS.get(kind)
    return f"{rest} {english}" if english and rest else official


def bare_name(official: str) -> str:
    """The name without its kind word ("Kabupaten Barito Selatan" → "Barito Selatan")."""
    kind, _, rest = official.partition(" ")
    return rest if kind in _ENGLISH_KINDS and rest else official
