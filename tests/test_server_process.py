"""A real ``kkb-lod serve`` process, queried by the clients people use: SPARQLWrapper with its
default settings, rdflib's SPARQLStore, and curl.

The process serves the session build (``--build``), once from memory and once from the on-disk
store; one more test starts it on an empty build folder to check it builds first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from xml.dom.minidom import Document

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import POST, SPARQLWrapper

from kkb_lod.config import Settings

from .server import ROOT, pythonpath, serve_process

KKB = "PREFIX kkb: <https://w3id.org/kkb/def#>\n"
COUNT_KKB = KKB + "SELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }"
KKB_CLASS = URIRef("https://w3id.org/kkb/def#KKBDesignation")
DISTRICT_CLASS = URIRef("https://w3id.org/kkb/def#District")
CURL = shutil.which("curl")


@pytest.fixture(scope="module", params=["memory", "disk"])
def endpoint(request: pytest.FixtureRequest, settings: Settings) -> Iterator[str]:
    """The /sparql URL of a server process serving the session build."""
    with serve_process("--build", str(settings.build_dir), "--store", request.param) as url:
        yield url + "/sparql"


def test_sparqlwrapper_select(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(COUNT_KKB)
    document = client.query().convert()  # default: SPARQL XML results, parsed by minidom
    assert isinstance(document, Document)
    (literal,) = document.getElementsByTagName("literal")
    assert literal.firstChild.data == "15"  # type: ignore[union-attr]


def test_sparqlwrapper_ask(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    for pattern, expected in (("?k a kkb:KKBDesignation", "true"), ("?k a kkb:NoSuch", "false")):
        client.setQuery(KKB + f"ASK {{ {pattern} }}")
        document = client.query().convert()  # default: SPARQL XML results, parsed by minidom
        (boolean,) = document.getElementsByTagName("boolean")  # type: ignore[union-attr]
        assert boolean.firstChild.data == expected


@pytest.mark.filterwarnings(  # SPARQLWrapper 2.0 parses RDF into rdflib's old ConjunctiveGraph
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"
)
def test_sparqlwrapper_construct(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(KKB + "CONSTRUCT { ?d a kkb:District } WHERE { ?d a kkb:District }")
    graph = client.query().convert()  # default: RDF/XML, parsed by rdflib
    assert isinstance(graph, Graph) and len(set(graph.subjects(RDF.type, DISTRICT_CLASS))) == 6


def test_sparqlwrapper_refused_update(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery("CLEAR ALL")  # SPARQLWrapper sends it as an update (update=…)
    client.setMethod(POST)  # which it insists on sending by POST
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    refused.value.close()


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=endpoint))
    rows = list(graph.query(KKB + "SELECT ?d WHERE { ?d a kkb:District }"))
    assert len(rows) == 6
    (row,) = graph.query(COUNT_KKB)
    assert int(row[0]) == 15  # type: ignore[index,arg-type]
    assert len(set(graph.subjects(RDF.type, KKB_CLASS))) == 15
    assert bool(graph.query(KKB + "ASK { ?k a kkb:KKBDesignation }"))


def test_curl_json(endpoint: str) -> None:
    assert CURL, "curl is a test dependency (.ci/run installs it)"
    done = subprocess.run(
        [
            CURL,
            "-sS",
            "--fail-with-body",
            "-H",
            "Accept: application/sparql-results+json",
            "--data-urlencode",
            f"query={COUNT_KKB}",
            endpoint,
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    answer = json.loads(done.stdout)
    assert answer["results"]["bindings"][0]["n"]["value"] == "15"


def test_curl_get_headers(endpoint: str) -> None:
    assert CURL, "curl is a test dependency (.ci/run installs it)"
    done = subprocess.run(
        [
            CURL,
            "-sS",
            "-i",
            "-G",
            "--data-urlencode",
            f"query={COUNT_KKB}",
            "--data-urlencode",
            "format=csv",
            endpoint,
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    head, body = done.stdout.split(b"\r\n\r\n", 1)
    assert b"200 OK" in head.splitlines()[0]
    assert b"access-control-allow-origin: *" in head.lower()
    assert body == b"n\r\n15\r\n"


def test_timeout_in_a_real_process(settings: Settings) -> None:
    """An endless query gets 503 with Retry-After, and the server keeps answering others."""
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with serve_process("--build", str(settings.build_dir), env={"KKB_QUERY_TIMEOUT": "0.5"}) as url:
        request = urllib.request.Request(
            url + "/sparql",
            data=f"query={heavy}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 503 and refused.value.headers["Retry-After"] == "1"
        assert "query_timeout" in refused.value.read().decode()
        refused.value.close()
        with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=10) as answer:
            assert answer.status == 200


def test_serve_builds_first(tmp_path: Path) -> None:
    """On an empty build folder, ``serve`` builds the bundled registry, then serves it."""
    with serve_process("--build", str(tmp_path / "build")) as url:
        with urllib.request.urlopen(
            url + "/sparql?query=" + urllib.request.quote(COUNT_KKB), timeout=10
        ) as answer:
            assert json.load(answer)["results"]["bindings"][0]["n"]["value"] == "15"
    assert (tmp_path / "build" / "current" / "manifest.json").is_file()


def test_server_py(settings: Settings) -> None:
    """``server.py``: imported, a WSGI app over the build; run, the same as ``kkb-lod serve``."""
    done = subprocess.run(
        [sys.executable, "-c", "import server; print(type(server.app).__name__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": pythonpath(), "KKB_BUILD_DIR": str(settings.build_dir)},
    )
    assert done.returncode == 0 and done.stdout.strip() == "Flask", done.stderr
    with serve_process("--build", str(settings.build_dir), command=("server.py",)) as url:
        with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=10) as answer:
            assert json.load(answer)["boolean"] is True
