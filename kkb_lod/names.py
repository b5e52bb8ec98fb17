"""Normalised place names, for comparing a source's spelling with the official one.

Used by ingest (is "Gunung Bintang Awai" the official "Gn. Bintang Awai"?) and by linking. Only
spelling is normalised; a different name stays different.
"""

from __future__ import annotations

import re
import unicodedata

#: Official abbreviations and their long forms (Kemendagri names abbreviate, sources often do not).
ABBREVIATIONS: dict[str, str] = {
    "gn": "gunung",
    "tj": "tanjung",
    "kp": "kampung",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "kab": "kabupaten",
    "ds": "desa",
    "sp": "simpang",
    "pd": "padang",
    "bt": "batu",
    "kt": "kota",
}
#: Words naming the kind of unit, which sources put before the name ("Desa Kalahien").
KIND_PREFIXES = ("desa adat", "desa", "kelurahan", "kecamatan", "distrik", "kabupaten", "kota",
                 "provinsi", "kampung")


def normalise_name(name: str) -> str:
    """Lower-case, accents and punctuation removed, abbreviations expanded, kind prefix dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[^\w]+", " ", text).split()
    words = [ABBREVIATIONS.get(w, w) for w in words]
    joined = " ".join(words)
    for prefix in KIND_PREFIXES:
        if joined.startswith(prefix + " "):
            joined = joined[len(prefix) + 1 :]
            break
    return joined


def same_name(a: str, b: str) -> bool:
    """True if two spellings name the same thing once normalised."""
    return normalise_name(a) == normalise_name(b)
