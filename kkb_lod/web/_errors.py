"""Error texts for people in Indonesian and English: the status's name and what went wrong.

Views raise werkzeug errors with an English description, which programs get as plain text
(:func:`kkb_lod.web.plain_error`) and keep. The page says it in the reader's language: each
message the code raises is listed here once, as its English template and its Indonesian one
(``{name}`` stands for the part that varies), and :func:`error_text` translates a description by
the first template it matches. A description no template matches (a store's own words) is shown
with the status's Indonesian explanation before it. ``tests/test_web_language.py`` reads every
``raise`` of ``kkb_lod/web`` and fails on a message missing here.
"""

from __future__ import annotations

import re
from functools import cache

from werkzeug.exceptions import HTTPException, default_exceptions

#: Status names (English: werkzeug's) and what each status means, in Indonesian.
NAMES: dict[int, tuple[str, str]] = {
    400: ("Permintaan tidak valid", "Permintaan ini tidak dapat dipahami server."),
    403: ("Tidak diizinkan", "Permintaan ini tidak diizinkan di sini."),
    404: ("Tidak ditemukan", "Alamat yang diminta tidak ada di server ini."),
    405: ("Metode tidak diizinkan", "Metode ini tidak diizinkan untuk alamat yang diminta."),
    406: ("Format tidak tersedia", "Format yang diminta tidak dapat dibuat di sini."),
    413: ("Permintaan terlalu besar", "Permintaan ini melebihi batas ukuran server."),
    414: ("Alamat terlalu panjang", "Alamat yang diminta terlalu panjang untuk diproses server."),
    415: ("Jenis media tidak didukung", "Jenis isi permintaan ini tidak didukung di sini."),
    422: ("Tidak dapat diproses", "Permintaan ini dapat dibaca, tetapi tidak dapat diproses."),
    429: ("Terlalu banyak permintaan", "Terlalu banyak permintaan dalam waktu singkat."),
    431: ("Kepala permintaan terlalu besar", "Kepala (header) permintaan ini terlalu besar."),
    500: ("Kesalahan server", "Terjadi kesalahan di server; permintaan tidak dapat diselesaikan."),
    502: ("Kesalahan gerbang", "Layanan di belakang server ini gagal menjawab."),
    503: ("Layanan tidak tersedia", "Layanan ini sedang tidak dapat menjawab; coba lagi nanti."),
    504: ("Gerbang kehabisan waktu", "Layanan di belakang server ini terlalu lambat menjawab."),
}

_READ_ONLY = (
    "This is a read-only SPARQL endpoint: SPARQL Update ({what}) is not accepted here. "
    "The data is published by rebuilding a release (kkb-lod build).",
    "Ini titik akhir SPARQL baca-saja: SPARQL Update ({what}) tidak diterima di sini. "
    "Data diterbitkan dengan membangun ulang rilis (kkb-lod build).",
)
_SERVICE = "This query mentions SERVICE, and SERVICE queries run only when "
_LAYANAN = "Kueri ini menyebut SERVICE, dan kueri SERVICE hanya dijalankan bila "

#: (English template, Indonesian template) of every message the web layer raises.
MESSAGES: tuple[tuple[str, str], ...] = (
    # pages, documents, dumps, catalog
    ("{path} is not an IRI of this dataset", "{path} bukan IRI dataset ini"),
    ("nothing is known about <{iri}>", "Tidak ada yang diketahui tentang <{iri}>"),
    ("the ontology is not in the store", "Ontologi tidak ada di penyimpanan data"),
    ("that address is not a named graph of this dataset", "Alamat itu bukan graf bernama dataset ini"),
    ("no named graph <{iri}> in this release", "Tidak ada graf bernama <{iri}> dalam rilis ini"),
    ("no format .{suffix}", "Tidak ada format .{suffix}"),
    (
        "release {asked} is not served here; the current release is {served}: {path}",
        "Rilis {asked} tidak dilayani di sini; rilis terkini adalah {served}: {path}",
    ),
    (
        "release {asked} is not served here; the release served is {served}: {path}",
        "Rilis {asked} tidak dilayani di sini; rilis yang dilayani adalah {served}: {path}",
    ),
    (
        "this server answers from a store that may change (sparql_url): it serves no release of its own",
        "Server ini menjawab dari penyimpanan data yang dapat berubah (sparql_url): "
        "server ini tidak melayani rilis sendiri",
    ),
    ("no dump called {name}", "Tidak ada berkas dump bernama {name}"),
    ("no sitemap part {part}", "Tidak ada bagian peta situs {part}"),
    ("page must be a whole number from 1, not {value}", "page harus bilangan bulat mulai 1, bukan {value}"),
    ("iris must be compact or full, not {value}", "iris harus compact atau full, bukan {value}"),
    (
        "modified_since must be an ISO 8601 date or date-time, e.g. 2025-01-31 or "
        "2025-01-31T08:00:00Z, not {value}",
        "modified_since harus tanggal atau tanggal-waktu ISO 8601, mis. 2025-01-31 atau "
        "2025-01-31T08:00:00Z, bukan {value}",
    ),
    (
        "no page {page} of the catalog: it has {last} ({count} datasets, {per} a page)",
        "Tidak ada halaman {page} katalog: katalog punya {last} halaman ({count} dataset, {per} per halaman)",
    ),
    (
        "this server's publisher is not configured: publisher (KKB_PUBLISHER) {given} is not an "
        "organisation of the registry; its organisations are: {ids}",
        "Penerbit server ini belum diatur: publisher (KKB_PUBLISHER) {given} bukan organisasi "
        "dalam registri; organisasinya: {ids}",
    ),
    (
        "this server's publisher is not configured: publisher (KKB_PUBLISHER) is not set and the "
        "registry has several organisations: set it to the id of the one publishing the data: {ids}",
        "Penerbit server ini belum diatur: publisher (KKB_PUBLISHER) belum diisi dan registri "
        "punya beberapa organisasi: isi dengan id organisasi yang menerbitkan data: {ids}",
    ),
    # formats
    ("no {kinds} format with suffix .{suffix}", "Tidak ada format {kinds} dengan akhiran .{suffix}"),
    (
        "format {asked} is not offered here; offered: {offered}",
        "format {asked} tidak tersedia di sini; yang tersedia: {offered}",
    ),
    (
        "none of the accepted media types can be produced; offered: {offered}",
        "tidak satu pun jenis media yang diterima dapat dibuat; yang tersedia: {offered}",
    ),
    # the server, the store, the rate limit
    ("The data store failed: {error}. Try again later.", "Penyimpanan data gagal: {error}. Coba lagi nanti."),
    (
        "The data store is too slow: {error}. Try again later.",
        "Penyimpanan data terlalu lambat: {error}. Coba lagi nanti.",
    ),
    ("The request body is malformed: {error}", "Isi permintaan rusak: {error}"),
    (
        "The Host header is not a host name this server can answer for (each label between dots "
        "1 to 63 characters).",
        "Kepala Host bukan nama host yang dapat dijawab server ini (setiap label di antara titik "
        "1 sampai 63 karakter).",
    ),
    (
        "Too many requests from {client}: this endpoint answers at most {n} requests a minute from "
        "one client (rate_limit). Try again in {wait} s; for bulk use, download a dump from "
        "/catalog instead.",
        "Terlalu banyak permintaan dari {client}: layanan ini menjawab paling banyak {n} permintaan "
        "per menit dari satu klien (rate_limit). Coba lagi dalam {wait} detik; untuk pemakaian "
        "massal, unduh berkas dump dari /catalog.",
    ),
    # SPARQL: the protocol
    (
        "The request has no query: send query=… or a SPARQL query body.",
        "Permintaan tidak berisi kueri: kirim query=… atau kueri SPARQL sebagai isi.",
    ),
    (
        "The request URL {base} cannot serve as a base IRI; check Host.",
        "URL permintaan {base} tidak dapat menjadi IRI dasar; periksa Host.",
    ),
    ("The request has {n} queries; send exactly one.", "Permintaan berisi {n} kueri; kirim tepat satu."),
    ("{key} must be an absolute IRI, not {iri}.", "{key} harus IRI absolut, bukan {iri}."),
    (
        "A POST needs a Content-Type: {form} (query=… in the body) or {sparql} (the query as the body).",
        "POST memerlukan Content-Type: {form} (query=… dalam isi) atau {sparql} (kueri sebagai isi).",
    ),
    (
        "The request is encoded as {charset}; SPARQL requests must be UTF-8.",
        "Permintaan dikodekan sebagai {charset}; permintaan SPARQL harus UTF-8.",
    ),
    (
        "The query is both in the body and in the URL; send it once.",
        "Kueri ada di isi dan di URL sekaligus; kirim sekali saja.",
    ),
    ("The query is not valid UTF-8 ({error}).", "Kueri bukan UTF-8 yang sah ({error})."),
    (
        "A query POST must be {form} or {sparql}, not {given}.",
        "POST kueri harus {form} atau {sparql}, bukan {given}.",
    ),
    (
        "The parameters in {where} are not valid UTF-8 ({error}).",
        "Parameter di {where} bukan UTF-8 yang sah ({error}).",
    ),
    _READ_ONLY,
    # SPARQL: the query's limits and policy
    ("Query syntax error: error at {at}: {error}.", "Kesalahan sintaks kueri: kesalahan di {at}: {error}."),
    ("Query syntax error: {error}", "Kesalahan sintaks kueri: {error}"),
    (
        "The query is larger than {n} bytes, the most this endpoint accepts (query_max_bytes).",
        "Kueri lebih besar dari {n} bita, batas terbesar yang diterima layanan ini (query_max_bytes).",
    ),
    (
        "The query nests deeper than {n} levels (brackets, braces, parentheses and unary operators), "
        "the most this endpoint accepts (query_max_depth).",
        "Kueri bersarang lebih dalam dari {n} tingkat (kurung siku, kurung kurawal, kurung biasa dan "
        "operator uner), batas terdalam yang diterima layanan ini (query_max_depth).",
    ),
    (
        "The query has more than {n} operators and terms (VALUES data aside), the most this endpoint "
        "accepts (query_max_operators); a long chain of them is as hard on the engine as deep nesting.",
        "Kueri berisi lebih dari {n} operator dan suku (di luar data VALUES), batas yang diterima "
        "layanan ini (query_max_operators); rantai panjang operator sama beratnya bagi mesin seperti "
        "sarang yang dalam.",
    ),
    (
        "The query has more than {n} triple patterns and OPTIONAL or MINUS groups (each '.', ';' and "
        "',' counts), the most this endpoint accepts (query_max_patterns): the engine's planning time "
        "grows steeply with them and cannot be interrupted. Split the query.",
        "Kueri berisi lebih dari {n} pola tripel dan grup OPTIONAL atau MINUS (setiap '.', ';' dan "
        "',' dihitung), batas yang diterima layanan ini (query_max_patterns): waktu perencanaan mesin "
        "naik tajam karenanya dan tidak dapat dihentikan. Pecah kueri ini.",
    ),
    (
        "The escape {escape} at {at} (line:column) stands for {character}: in a query that mentions "
        "SERVICE, escapes may only stand for letters, digits or non-ASCII characters (others are read "
        "differently by the SPARQL specification and by this endpoint's engine). Write the character "
        "itself.",
        "Escape {escape} di {at} (baris:kolom) mewakili {character}: dalam kueri yang menyebut "
        "SERVICE, escape hanya boleh mewakili huruf, angka atau karakter non-ASCII (yang lain dibaca "
        "berbeda oleh spesifikasi SPARQL dan oleh mesin layanan ini). Tulis karakternya langsung.",
    ),
    (
        _SERVICE + "they can be read in full; this one has {bad}, which is no SPARQL 1.1 token.",
        _LAYANAN + "dapat dibaca seluruhnya; kueri ini berisi {bad}, yang bukan token SPARQL 1.1.",
    ),
    (
        "This query mentions SERVICE, and its two readings (the SPARQL 1.1 grammar, the engine's "
        "tokens) do not find the same SERVICE calls: it is refused rather than guessed at.",
        "Kueri ini menyebut SERVICE, dan dua pembacaannya (tata bahasa SPARQL 1.1, token mesin) tidak "
        "menemukan panggilan SERVICE yang sama: kueri ditolak alih-alih ditebak.",
    ),
    (
        "SERVICE needs an IRI (or a prefixed name of a declared prefix) on this endpoint's allowlist: "
        "a variable, an undeclared prefix or an invalid IRI cannot be checked before running; "
        "allowed: {allowed}.",
        "SERVICE memerlukan IRI (atau nama berawalan dari awalan yang dideklarasikan) yang ada di "
        "daftar izin layanan ini: variabel, awalan yang tidak dideklarasikan atau IRI yang tidak sah "
        "tidak dapat diperiksa sebelum dijalankan; yang diizinkan: {allowed}.",
    ),
    (
        "SERVICE <{target}> is not allowed: this endpoint calls only the endpoints on its allowlist "
        "(service_allowlist); allowed: {allowed}.",
        "SERVICE <{target}> tidak diizinkan: layanan ini hanya memanggil titik akhir di daftar "
        "izinnya (service_allowlist); yang diizinkan: {allowed}.",
    ),
    (
        _SERVICE + "the SPARQL 1.1 grammar can read them in full within {steps} steps; this one needs "
        "more. Make it shorter (or split it).",
        _LAYANAN + "tata bahasa SPARQL 1.1 dapat membacanya seluruhnya dalam {steps} langkah; kueri "
        "ini memerlukan lebih. Persingkat (atau pecah) kueri ini.",
    ),
    (
        _SERVICE + "the SPARQL 1.1 grammar can read them in full; this one nests too deeply for it "
        "(about 20 levels of parentheses or 25 of braces is the most).",
        _LAYANAN + "tata bahasa SPARQL 1.1 dapat membacanya seluruhnya; kueri ini bersarang terlalu "
        "dalam (paling banyak sekitar 20 tingkat kurung biasa atau 25 kurung kurawal).",
    ),
    (
        _SERVICE + "the SPARQL 1.1 grammar can read them in full; it cannot: {error}",
        _LAYANAN + "tata bahasa SPARQL 1.1 dapat membacanya seluruhnya; kueri ini tidak: {error}",
    ),
    # SPARQL: running the query
    (
        "{n} queries are already running (max_queries); try again in a moment.",
        "{n} kueri sedang berjalan (max_queries); coba lagi sebentar lagi.",
    ),
    (
        "The query did not finish within {timeout} s (query_timeout) and was abandoned. Make it "
        "cheaper (a narrower pattern, LIMIT) and try again.",
        "Kueri tidak selesai dalam {timeout} detik (query_timeout) dan dihentikan. Buat lebih ringan "
        "(pola lebih sempit, LIMIT) lalu coba lagi.",
    ),
    (
        "The answer has more than {limit} rows or triples, the most this endpoint returns "
        "(result_limit). Page through it: add ORDER BY plus LIMIT {limit2} and OFFSET 0, then OFFSET "
        "{limit3}, and so on; or count first with COUNT(*).",
        "Jawaban berisi lebih dari {limit} baris atau tripel, batas yang dikembalikan layanan ini "
        "(result_limit). Ambil per halaman: tambahkan ORDER BY serta LIMIT {limit2} dan OFFSET 0, lalu "
        "OFFSET {limit3}, dan seterusnya; atau hitung dulu dengan COUNT(*).",
    ),
    ("A SERVICE call failed: {error}", "Panggilan SERVICE gagal: {error}"),
    (
        "The query uses something this endpoint does not support: {error}",
        "Kueri memakai sesuatu yang tidak didukung layanan ini: {error}",
    ),
    ("The query failed: {error}", "Kueri gagal: {error}"),
    # reconciliation (OpenRefine's API; a person may open its URLs too)
    (
        "unknown parameter(s) {names}: give 'queries' (a JSON batch of queries) or 'extend' (a JSON "
        "extension query), or nothing for the manifest",
        "Parameter tidak dikenal {names}: berikan 'queries' (kumpulan kueri JSON) atau 'extend' "
        "(kueri perluasan JSON), atau tidak sama sekali untuk manifes",
    ),
    ("'{what}' is not valid JSON: {error}", "'{what}' bukan JSON yang sah: {error}"),
    ("'{what}' nests too deeply to be a query", "'{what}' bersarang terlalu dalam untuk sebuah kueri"),
    ("'{what}' must be a JSON object, not {kind}", "'{what}' harus objek JSON, bukan {kind}"),
    (
        "the batch holds {n} queries; this service answers at most {most} a request (the manifest's "
        "batchSize)",
        "Kumpulan berisi {n} kueri; layanan ini menjawab paling banyak {most} per permintaan "
        "(batchSize di manifes)",
    ),
    ("{where} must be a string, not {kind}", "{where} harus teks, bukan {kind}"),
    (
        "{where} is {n} characters long; at most {most} are accepted (a place name is far shorter)",
        "{where} panjangnya {n} karakter; paling banyak {most} diterima (nama tempat jauh lebih pendek)",
    ),
    (
        "{where} holds a control character or a lone surrogate",
        "{where} berisi karakter kendali atau surrogate tunggal",
    ),
    (
        "{where} must be an object with 'query' or 'properties'",
        "{where} harus objek dengan 'query' atau 'properties'",
    ),
    ("{where}: unknown field(s) {names}", "{where}: kolom tidak dikenal {names}"),
    (
        "{where}: 'limit' must be an integer from 1 to {most}",
        "{where}: 'limit' harus bilangan bulat 1 sampai {most}",
    ),
    (
        "{where}: 'type_strict' must be 'should', 'all' or 'any'",
        "{where}: 'type_strict' harus 'should', 'all' atau 'any'",
    ),
    (
        "{where}: 'properties' must be a list of at most 20 {{pid, v}}",
        "{where}: 'properties' harus daftar berisi paling banyak 20 {{pid, v}}",
    ),
    (
        "{where}: property {n} must be an object with 'pid' and 'v'",
        "{where}: properti {n} harus objek dengan 'pid' dan 'v'",
    ),
    (
        "{where}: unknown property {pid}; the properties are {names}",
        "{where}: properti tidak dikenal {pid}; propertinya: {names}",
    ),
    (
        "{where} gives neither a 'query' text nor a 'bps_code' property",
        "{where} tidak memberi teks 'query' maupun properti 'bps_code'",
    ),
    (
        "{where}: unknown kind {kind}; the kinds are {names}",
        "{where}: jenis tidak dikenal {kind}; jenisnya: {names}",
    ),
    (
        "{where}unknown type {given}; the types are {names}",
        "{where}tipe tidak dikenal {given}; tipenya: {names}",
    ),
    (
        "no suggest service for {kind}: entity, type or property",
        "Tidak ada layanan saran untuk {kind}: entity, type atau property",
    ),
    ("'{name}' must be a whole number from 0 to {most}", "'{name}' harus bilangan bulat 0 sampai {most}"),
    (
        "{entity} is not the id of a unit of the national reference",
        "{entity} bukan id wilayah dalam rujukan nasional",
    ),
    (
        "'extend' must give 'ids', a list of entity ids (strings)",
        "'extend' harus memberi 'ids', daftar id entitas (teks)",
    ),
    (
        "'extend' gives {n} ids; at most {most} a request",
        "'extend' memberi {n} id; paling banyak {most} per permintaan",
    ),
    (
        "'extend' must give 'properties', a list of objects with an 'id'",
        "'extend' harus memberi 'properties', daftar objek dengan 'id'",
    ),
    (
        "unknown extension property {names}; the properties are {known}",
        "Properti perluasan tidak dikenal {names}; propertinya: {known}",
    ),
    # the query editor's data routes
    (
        "give q=, the start of a label (1 to {max} characters).",
        "Berikan q=, awal sebuah label (1 sampai {max} karakter).",
    ),
    # the editor's syntax check as you type (/sparql/check)
    (
        "give query=, the text of a SPARQL query to check.",
        "Berikan query=, teks kueri SPARQL yang akan diperiksa.",
    ),
    ("lang must be id or en, not {given}.", "lang harus id atau en, bukan {given}."),
    # older releases under /releases/<id>/
    (
        "the metrics are not served under a release's path: /metrics",
        "Metrik tidak dilayani di bawah alamat sebuah rilis: /metrics",
    ),
    (
        "an older release has no sitemap (its pages are noindex): /sitemap.xml",
        "Rilis lama tidak punya peta situs (halamannya noindex): /sitemap.xml",
    ),
    # the event stream (/ldes)
    (
        "unknown format {asked}; the stream comes as {formats} (?format=)",
        "Format {asked} tidak dikenal; aliran tersedia sebagai {formats} (?format=)",
    ),
    ("the stream comes as {media}", "Aliran tersedia sebagai {media}"),
    (
        "this server answers from a store that may change (sparql_url): it serves no event stream",
        "Server ini menjawab dari penyimpanan data yang dapat berubah (sparql_url): "
        "server ini tidak melayani aliran peristiwa",
    ),
    (
        "release {id} was built without event stream pages: rebuild it",
        "Rilis {id} dibangun tanpa halaman aliran peristiwa: bangun ulang rilis itu",
    ),
    (
        "no page segment {segment}; a release's pages are {segments}",
        "Tidak ada segmen halaman {segment}; halaman sebuah rilis adalah {segments}",
    ),
    (
        "release {id} is not in the event stream; its releases are {kept}",
        "Rilis {id} tidak ada di aliran peristiwa; rilisnya adalah {kept}",
    ),
    (
        "release {id} has {count} {segment} pages, not a page {number}",
        "Rilis {id} punya {count} halaman {segment}, bukan halaman {number}",
    ),
    (
        "release {id} has just left the event stream: start again at /ldes",
        "Rilis {id} baru saja keluar dari aliran peristiwa: mulai lagi dari /ldes",
    ),
)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English template as a regular expression whose groups are its ``{name}`` parts."""

    def regex(template: str) -> re.Pattern[str]:
        parts = re.split(r"(\{\w+\})", template.replace("{{", "\0").replace("}}", "\1"))
        body = "".join(
            f"(?P<{p[1:-1]}>.*?)"
            if re.fullmatch(r"\{\w+\}", p)
            else re.escape(p.replace("\0", "{").replace("\1", "}"))
            for p in parts
        )
        return re.compile(body, re.DOTALL)

    return tuple((regex(en), id_) for en, id_ in MESSAGES)


def translate(description: str) -> str | None:
    """``description`` in Indonesian, if it is one of :data:`MESSAGES` (else None)."""
    for pattern, indonesian in _patterns():
        found = pattern.fullmatch(description)
        if found:
            return (
                indonesian.replace("{{", "\0")
                .replace("}}", "\1")
                .format(**found.groupdict())
                .replace("\0", "{")
                .replace("\1", "}")
            )
    return None


def error_text(error: HTTPException, lang: str) -> dict[str, str]:
    """What an error page says in ``lang``: ``name`` (the status), ``text`` (what went wrong) and,
    when the description has no translation, ``detail``: the description as it was raised (to be
    marked as English on the page)."""
    code = error.code or 500
    description = error.description or ""
    if lang != "id":
        return {"name": error.name, "text": description, "detail": ""}
    name, meaning = NAMES.get(code, (error.name, ""))
    stock = default_exceptions.get(code)
    if stock is not None and description == stock.description:  # werkzeug's own words
        return {"name": name, "text": meaning, "detail": ""}
    indonesian = translate(description)
    if indonesian is not None:
        return {"name": name, "text": indonesian, "detail": ""}
    return {"name": name, "text": meaning, "detail": description}
