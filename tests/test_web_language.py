"""The page language: ``?lang=`` beats the cookie, the cookie beats ``Accept-Language``, which
beats the Indonesian default; on every kind of page, error pages and 404s included, each saying
``Vary: Accept-Language, Cookie``; and every error text in both languages (programs keep English
plain text). Mirrors :mod:`kkb_lod.web._pages` (``page_lang``) and :mod:`kkb_lod.web._errors`."""

from __future__ import annotations

import ast
import re

import pytest
from flask.testing import FlaskClient
from werkzeug import exceptions

from kkb_lod.web._errors import MESSAGES, NAMES, error_text, translate

from .conftest import ROOT

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: One page of each kind a person reaches, with the status it answers.
PAGES = [
    ("/", 200),
    ("/id/kkb/62.04.06.2020", 200),
    ("/id/district/62.04.06", 200),
    ("/id/regency/62.04", 200),
    ("/reconcile/preview?id=62.04.05.2020", 200),
    ("/def", 200),
    ("/catalog", 200),
    ("/.well-known/void", 200),
    ("/sparql", 200),
    ("/changes", 200),
    ("/no/such/page", 404),
    ("/id/village/62.04.06.2099", 404),
    ("/dumps/nothing.nt", 404),
    ("/catalog?page=0", 400),
    ("/catalog.ttl2", 404),
]
#: Accept-Language as browsers send it → the page language it must give.
ACCEPTED = [
    (None, "id"),
    ("en", "en"),
    ("en-GB,en;q=0.9", "en"),
    ("en-US", "en"),
    ("id-ID,id;q=0.9,en;q=0.8", "id"),
    ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
    ("en;q=0.2, id;q=0.9", "id"),
    ("ms-MY,ms;q=0.9", "id"),  # neither: Indonesian
]


def page(client: FlaskClient, path: str, language: str | None = None, **headers: str):  # noqa: ANN201
    sent = {"Accept": BROWSER, **headers}
    if language:
        sent["Accept-Language"] = language
    return client.get(path, headers=sent)


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="(\w+)">', html)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize(("path", "status"), PAGES)
@pytest.mark.parametrize(("language", "expected"), ACCEPTED)
def test_accept_language_picks_the_language_of_every_kind_of_page(
    client: FlaskClient, path: str, status: int, language: str | None, expected: str
) -> None:
    response = page(client, path, language)
    assert response.status_code == status and response.mimetype == "text/html"
    assert lang_of(response.get_data(True)) == expected
    assert {"Accept-Language", "Cookie"} <= set(response.vary), response.vary
    assert "Set-Cookie" not in response.headers  # only an explicit choice is remembered


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_the_choice_and_the_cookie_win_over_accept_language(
    client: FlaskClient, path: str, status: int
) -> None:
    joined = "&" if "?" in path else "?"
    chosen = page(client, f"{path}{joined}lang=en", "id-ID,id")
    assert chosen.status_code == status and lang_of(chosen.get_data(True)) == "en"
    assert "kkb_lang=en" in chosen.headers["Set-Cookie"]
    client.set_cookie("kkb_lang", "en")
    assert lang_of(page(client, path, "id-ID,id").get_data(True)) == "en"  # the cookie, not the header
    assert lang_of(page(client, f"{path}{joined}lang=id", "en").get_data(True)) == "id"
    client.set_cookie("kkb_lang", "xx")  # a cookie we never set: Accept-Language decides
    assert lang_of(page(client, f"{path}{joined}lang=zz", "en").get_data(True)) == "en"


def test_a_page_cached_in_one_language_is_not_served_in_the_other(client: FlaskClient) -> None:
    """The page cache and the ETag are per language: the same URL, two answers."""
    english, indonesian = page(client, "/catalog", "en"), page(client, "/catalog", "id")
    assert english.headers["ETag"] != indonesian.headers["ETag"]
    assert "Distributions: files to download" in english.get_data(True)
    assert "Distribusi: berkas unduhan" in indonesian.get_data(True)
    again = page(client, "/catalog", "id", **{"If-None-Match": english.headers["ETag"]})
    assert again.status_code == 200  # the English ETag does not validate the Indonesian page


@pytest.mark.parametrize(
    ("path", "english", "indonesian"),
    [
        ("/no/such/page", "The requested URL was not found", "Alamat yang diminta tidak ada"),
        ("/id/village/62.04.06.2099", "nothing is known about", "Tidak ada yang diketahui tentang"),
        (
            "/dumps/nothing.nt",
            "no dump called &#39;nothing.nt&#39;",
            "Tidak ada berkas dump bernama &#39;nothing.nt&#39;",
        ),
        ("/catalog?page=0", "page must be a whole number from 1", "page harus bilangan bulat mulai 1"),
        ("/catalog?page=9", "no page 9 of the catalog", "Tidak ada halaman 9 katalog"),
        (
            "/catalog?modified_since=soon",
            "modified_since must be an ISO 8601",
            "modified_since harus tanggal",
        ),
        ("/id/kkb/62.04.06.2020.exe", "is not an IRI of this dataset", "bukan IRI dataset ini"),
        ("/releases/nonsense", "is not served here", "tidak dilayani di sini"),
        ("/sitemap-9.xml", "no sitemap part 9", "Tidak ada bagian peta situs 9"),
        ("/def?format=csv", "is not offered here", "tidak tersedia di sini"),
    ],
)
def test_error_pages_speak_both_languages(
    client: FlaskClient, path: str, english: str, indonesian: str
) -> None:
    en, id_ = page(client, path, "en").get_data(True), page(client, path, "id").get_data(True)
    assert english in en and indonesian not in en
    assert indonesian in id_ and english not in id_
    heading = re.search(r"<h1>(\d+) ", en)
    assert heading is not None
    assert f"<h1>{heading.group(1)} {NAMES[int(heading.group(1))][0]}</h1>" in id_
    assert "Kembali ke beranda" in id_ and "Back to the home page" in en


def test_a_method_not_allowed_page_too(client: FlaskClient) -> None:
    response = client.post("/def", headers={"Accept": BROWSER, "Accept-Language": "id"})
    assert response.status_code == 405 and "Metode tidak diizinkan" in response.get_data(True)
    assert "Allow" in response.headers  # the error's own headers are kept


def test_programs_get_english_plain_text_that_varies_on_accept_only(client: FlaskClient) -> None:
    for accept in (None, "text/plain", "*/*", "text/turtle"):
        headers = {"Accept-Language": "id"} | ({"Accept": accept} if accept else {})
        response = client.get("/dumps/nothing.nt", headers=headers)
        assert response.status_code == 404 and response.mimetype == "text/plain"
        assert response.get_data(True) == "404 Not Found: no dump called 'nothing.nt'\n"
        assert "Accept" in response.vary and "Accept-Language" not in response.vary


def test_rdf_answers_do_not_vary_on_language(client: FlaskClient) -> None:
    for path in ("/catalog", "/.well-known/void", "/id/kkb/62.04.06.2020", "/def"):
        response = client.get(path, headers={"Accept": "text/turtle", "Accept-Language": "en"})
        assert response.mimetype == "text/turtle" and "Accept-Language" not in response.vary


def test_an_untranslated_description_is_shown_marked_as_english() -> None:
    """A store's own words (a 502's cause) have no template: the page explains the status in
    Indonesian and shows the words as English (``lang="en"`` in error.html)."""
    said = error_text(exceptions.BadGateway("connection refused by 10.0.0.1:7878"), "id")
    assert said == {
        "name": "Kesalahan gerbang",
        "text": NAMES[502][1],
        "detail": "connection refused by 10.0.0.1:7878",
    }
    assert error_text(exceptions.NotFound(), "id")["text"] == NAMES[404][1]  # werkzeug's words
    assert error_text(exceptions.NotFound("no dump called 'x'"), "en")["text"] == "no dump called 'x'"


# --- every message raised has its Indonesian -------------------------------------------------

WEB = ROOT / "kkb_lod" / "web"
HTTP_ERRORS = {
    name
    for name in dir(exceptions)
    if isinstance(getattr(exceptions, name), type)
    and issubclass(getattr(exceptions, name), exceptions.HTTPException)
}


def raised_messages() -> list[tuple[str, str]]:
    """(where, a sample) of each message ``kkb_lod/web`` raises as a werkzeug error: a string,
    an f-string (each ``{…}`` part replaced by a sample value) or the read-only template."""
    found = []
    for path in sorted(WEB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            if node.func.id not in HTTP_ERRORS:
                continue
            message, where = node.args[0], f"{path.name}:{node.lineno}"
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                found.append((where, message.value))
            elif isinstance(message, ast.JoinedStr):
                found.append((where, "".join(_sample(v) for v in message.values)))
            elif isinstance(message, ast.Call) and ast.unparse(message.func) == "READ_ONLY.format":
                from kkb_lod.web._query import READ_ONLY

                found.append((where, READ_ONLY.format("INSERT")))
            else:  # str(err) of an error raised elsewhere: listed in FROM_ELSEWHERE
                found.append((where, ""))
    return found


def _sample(part: ast.expr) -> str:
    return part.value if isinstance(part, ast.Constant) else "'x1'"


def test_the_scan_finds_the_messages() -> None:
    found = raised_messages()
    assert len(found) >= 70
    assert "nothing is known about <'x1'>" in [m for _, m in found]
    assert "Query syntax error: 'x1'" in [m for _, m in found]


@pytest.mark.parametrize(("where", "sample"), [m for m in raised_messages() if m[1]])
def test_every_message_raised_has_its_indonesian(where: str, sample: str) -> None:
    indonesian = translate(sample)
    assert indonesian is not None, f"{where}: no Indonesian for {sample!r}: add it to _errors.MESSAGES"
    assert indonesian != sample and indonesian.count("'x1'") == sample.count("'x1'")


#: Messages the web layer passes on from elsewhere (``str(err)``), as they are raised.
FROM_ELSEWHERE = [
    "page must be a whole number from 1, not '0'",
    "modified_since must be an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T08:00:00Z, not 'x'",
    "no page 3 of the catalog: it has 1 (1 datasets, 100 a page)",
    "this server's publisher is not configured: publisher (KKB_PUBLISHER) 'nobody' is not an organisation "
    "of the registry; its organisations are: a, b",
    "this server's publisher is not configured: publisher (KKB_PUBLISHER) is not set and the registry has "
    "several organisations: set it to the id of the one publishing the data: a, b",
]


@pytest.mark.parametrize("message", FROM_ELSEWHERE)
def test_messages_from_elsewhere_have_their_indonesian(message: str) -> None:
    assert translate(message) not in (None, message)


def test_every_template_is_used_once_and_fills_its_parts() -> None:
    english = [en for en, _ in MESSAGES]
    assert len(english) == len(set(english))
    for en, indonesian in MESSAGES:
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", indonesian)), en


def test_every_status_a_page_can_show_has_its_name() -> None:
    raised = {getattr(exceptions, n).code for n in HTTP_ERRORS if getattr(exceptions, n).code}
    assert {400, 403, 404, 405, 406, 413, 415, 422, 429, 500, 502, 503, 504} <= set(NAMES) & raised


# --- the templates' own texts ----------------------------------------------------------------

PAIR = re.compile(r"'([^'{}]+)' if (?:id|lang == 'id') else '([^'{}]+)'")


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("layout.html", "/catalog"),
        ("catalog.html", "/catalog"),
        ("void.html", "/.well-known/void"),
        ("error.html", "/no/such/page"),
        ("ontology.html", "/def"),
        ("index.html", "/"),
        ("resource.html", "/id/kkb/62.04.06.2020"),
        ("changes.html", "/changes"),
        ("reconcile_preview.html", "/reconcile/preview?id=62.04.05.2020"),
    ],
)
def test_a_page_in_one_language_has_none_of_the_others_texts(
    client: FlaskClient, template: str, path: str
) -> None:
    """Each ``'…' if id else '…'`` of the template: the Indonesian page never shows the English
    text and the English page never the Indonesian one."""
    source = (WEB / "templates" / template).read_text(encoding="utf-8")
    pairs = [(i, e) for i, e in PAIR.findall(source) if i != e and len(i) > 2 and len(e) > 2]
    assert pairs
    indonesian, english = page(client, path, "id").get_data(True), page(client, path, "en").get_data(True)

    def shows(html: str, text: str) -> bool:  # as a whole text node or attribute value
        return re.search(rf'[>"]\s*{re.escape(text)}\s*[<"]', html) is not None

    for i, e in pairs:
        assert not shows(indonesian, e), (template, e)
        assert not shows(english, i), (template, i)


def test_the_release_page_follows_accept_language_too(client: FlaskClient, release: dict) -> None:
    path = f"/releases/{release['id']}"
    for language, expected, said in (("en-GB,en", "en", "First issued"), ("id-ID", "id", "Pertama terbit")):
        response = page(client, path, language)
        assert response.status_code == 200 and lang_of(response.get_data(True)) == expected
        assert said in response.get_data(True) and "Accept-Language" in response.vary
