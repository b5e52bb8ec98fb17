"""The query page for people: editor, examples (each run for real), chart, downloads, links."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kkb_lod.config import Settings
from kkb_lod.store import OxigraphStore
from kkb_lod.web import create_app
from kkb_lod.web._examples import EXAMPLES, PREFIXES, WIKIDATA_SPARQL, Example, prologue_for

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
WDT = "http://www.wikidata.org/prop/direct/"
#: Stand-ins for Wikidata items, in a test namespace: no identifier is invented for Wikidata.
ITEM = "http://wikidata.test/entity/"


def page(client: FlaskClient, **params: str) -> str:
    response = client.get("/sparql", query_string=params, headers={"Accept": BROWSER})
    assert response.status_code == 200, response.get_data(True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(True)


def rows(html: str) -> list[str]:
    body = html.split('<table class="results">')[1].split("</table>")[0]
    return re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], flags=re.S)


def test_the_page_has_the_editor_the_examples_and_no_answer_yet(client: FlaskClient) -> None:
    html = page(client, lang="en")
    assert re.search(r'<textarea id="query" name="query"[^>]*>', html)
    assert '<label for="query"' in html  # the editor has a name for screen readers
    assert "PREFIX kkb: &lt;https://w3id.org/kkb/def#&gt;" in html  # prefixes pre-filled
    assert html.count("data-example=") == len(EXAMPLES)
    for example in EXAMPLES:
        assert f'data-example="{example.name}"' in html and example.title_en in html
    assert '<script src="/static/editor.js" defer>' in html
    assert "Answer" not in re.sub(r"<(select|form|option)[^>]*>|Answer as", "", html.split("</nav>")[1])


def test_titles_follow_the_page_language(client: FlaskClient) -> None:
    html = page(client, lang="id")
    assert "Contoh kueri" in html and all(e.title_id in html for e in EXAMPLES)


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.name != "federated-wikidata"], ids=lambda e: e.name
)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_example_answers_with_rows(client: FlaskClient, example: Example, lang: str) -> None:
    html = page(client, query=example.text(lang), format="html", lang=lang)
    assert len(rows(html)) > 0, example.name
    assert f'data-example="{example.name}" aria-current="true"' in html  # marked as the one shown


def test_example_answers_are_right(client: FlaskClient) -> None:
    by_name = {e.name: e for e in EXAMPLES}
    per_kecamatan = rows(page(client, query=by_name["kkb-per-kecamatan"].text("en"), format="html"))
    counts = [int(re.findall(r'data-num="(\d+)"', r)[0]) for r in per_kecamatan]
    assert len(per_kecamatan) == 6 and sum(counts) == 15 and counts == sorted(counts, reverse=True)
    functions = rows(page(client, query=by_name["villages-by-function"].text("en"), format="html"))
    assert len(functions) == 8 and all('data-num="15"' in r for r in functions)
    assert "Religious function" in functions[0]  # ordered by notation, in the page language
    years = rows(page(client, query=by_name["activities-per-year"].text("id"), format="html"))
    assert len(years) == 2 and "2021" in years[0] and "Dilaksanakan" in years[0]
    assert "2022" in years[1] and "Direncanakan" in years[1]


def test_the_who_said_it_example_names_the_speaker_her_post_and_on_whose_behalf(client: FlaskClient) -> None:
    """docs/model.md "Who stated what": every statement is Sunawati's, as Kabid Pengendalian
    Penduduk, on behalf of Mario and his office; the list of KKB is the source of the 15 KKB."""
    example = {e.name: e for e in EXAMPLES}["who-said-it"]
    for lang, post in (
        ("id", "Kepala Bidang Pengendalian Penduduk"),
        ("en", "Head of the Population Control"),
    ):
        found = rows(page(client, query=example.text(lang), format="html", lang=lang))
        assert len(found) >= 8, lang  # the statements of the source (data/registry/statements.csv)
        assert all("Sunawati" in r and post in r and "Mario" in r and "Barito Selatan" in r for r in found)
        assert "/id/statement/antara-buntok-kkb-daftar" in found[0] and 'data-num="15"' in found[0]


def test_numeric_answers_get_a_chart_and_others_do_not(client: FlaskClient) -> None:
    example = EXAMPLES[0]
    html = page(client, query=example.text("en"), format="html")
    chart = html.split('<svg class="bars"')[1].split("</svg>")[0]
    assert chart.count('<rect class="bar"') == 6
    assert 'href="/id/district/62.04.06"' in chart and "Dusun Selatan" in chart
    html = page(client, query="SELECT ?s WHERE { ?s a <https://w3id.org/kkb/def#District> }", format="html")
    assert '<svg class="bars"' not in html and len(rows(html)) == 6


def test_downloads_and_the_link_run_the_same_query(client: FlaskClient) -> None:
    query = EXAMPLES[0].text("en")
    html = page(client, query=query, format="html")
    links = dict(re.findall(r'<a href="([^"]+)" download="kkb-query\.(\w+)"', html))
    by_suffix = {suffix: href.replace("&amp;", "&") for href, suffix in links.items()}
    assert set(by_suffix) == {"csv", "tsv", "srj", "srx"}
    csv = client.get(by_suffix["csv"])
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(True).strip().splitlines()
    assert lines[0] == "kecamatan,name,kkbs" and len(lines) == 7
    json_answer = client.get(by_suffix["srj"]).get_json()
    assert len(json_answer["results"]["bindings"]) == 6
    permalink = re.search(r'<a href="([^"]+)" class="permalink"', html)
    assert permalink is not None
    shared = urlsplit(permalink.group(1).replace("&amp;", "&"))
    assert parse_qs(shared.query)["query"] == [query]  # the address carries the query
    assert len(rows(page(client, **{k: v[0] for k, v in parse_qs(shared.query).items()}))) == 6


def test_graph_answers_download_as_rdf(client: FlaskClient) -> None:
    html = page(client, query=EXAMPLES[-1].text("en"), format="html")
    suffixes = set(re.findall(r'download="kkb-query\.(\w+)"', html))
    assert {"ttl", "nt", "jsonld", "rdf"} <= suffixes and "csv" not in suffixes


def test_prologue_declares_just_the_prefixes_used() -> None:
    body = 'SELECT * { ?s a kkb:X ; rdfs:label "a:b" . <http://x/#c> skos:note ?o } # owl:Thing'
    text = prologue_for(body)
    assert set(re.findall(r"PREFIX (\w+):", text)) == {"kkb", "rdfs", "skos"}
    assert prologue_for("PREFIX kkb: <urn:x> SELECT * { ?s a kkb:X }") == ""
    assert all(
        p in PREFIXES
        for p in re.findall(r"PREFIX (\w+):", prologue_for(" ".join(f"{p}:x" for p in PREFIXES)))
    )


# --- the federated example, against a local SPARQL server standing in for Wikidata -------------


@pytest.fixture
def fake_wikidata() -> Iterator[str]:
    """A loopback SPARQL endpoint (POST application/sparql-query, as pyoxigraph sends SERVICE
    calls) that evaluates what it receives over a few items shaped like Wikidata's."""
    data = ox.Store()
    regency = ox.NamedNode("http://www.wikidata.org/entity/Q14391")
    for n, code in enumerate(("62.04.06.2020", "62.04.05.2020", "62.04.99.9999"), start=1):
        item = ox.NamedNode(f"{ITEM}village-{n}")
        data.add(ox.Quad(item, ox.NamedNode(WDT + "P2588"), ox.Literal(code)))
        data.add(ox.Quad(item, ox.NamedNode(WDT + "P131"), regency))
        data.add(
            ox.Quad(
                item,
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal(f"Desa uji {n}", language="id"),
            )
        )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            query = self.rfile.read(int(self.headers["Content-Length"])).decode()
            body = data.query(query).serialize(format=ox.QueryResultsFormat.JSON)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_federated_example_joins_our_kkb_with_wikidata_items(
    settings: Settings, store: OxigraphStore, release: dict, fake_wikidata: str
) -> None:
    example = next(e for e in EXAMPLES if e.name == "federated-wikidata")
    assert f"SERVICE <{WIKIDATA_SPARQL}>" in example.query
    assert WIKIDATA_SPARQL in Settings().services  # the default allowlist lets it through
    local = replace(settings, service_allowlist=fake_wikidata)
    client = create_app(local, store, release).test_client()
    query = example.text("en").replace(WIKIDATA_SPARQL, fake_wikidata)
    found = rows(page(client, query=query, format="html"))
    assert len(found) == 2  # two KKB codes are in the fake; the third code is no KKB
    assert "62.04.05.2020" in found[0] and "Desa uji 2" in found[0]
    assert "62.04.06.2020" in found[1] and f"{ITEM}village-1" in found[1]


def test_a_failing_query_comes_back_in_the_editor_with_the_reason(client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s ?p "
    response = client.get(
        "/sparql", query_string={"query": query, "format": "html"}, headers={"Accept": BROWSER}
    )
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(True)
    assert f">{query}</textarea>" in html  # kept, to be fixed where it was written
    assert '<section class="problem" role="alert"' in html and "syntax" in html.lower()
    refused = client.get("/sparql", query_string={"query": "CLEAR ALL"}, headers={"Accept": BROWSER})
    assert refused.status_code == 403 and ">CLEAR ALL</textarea>" in refused.get_data(True)
    program = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert program.status_code == 400 and program.mimetype == "text/plain"  # programs: as before
