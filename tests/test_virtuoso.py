"""The Virtuoso recipe (scripts/virtuoso.sh): load a build into Virtuoso, serve our site from it.

Runs for real: Debian's ``virtuoso-t`` (package virtuoso-opensource-7-bin, installed by
``.ci/run``) on loopback, the session build bulk-loaded by the script, then the store contract
through :class:`RemoteSparqlStore` and a real ``kkb-lod serve`` process with KKB_SPARQL_URL.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kkb_lod.pipeline import BuildResult
from kkb_lod.store import RemoteSparqlStore

from .conftest import BASE, ROOT
from .server import free_port, serve_process

SCRIPT = ROOT / "scripts" / "virtuoso.sh"
KALAHIEN = BASE + "id/village/62.04.06.2020"
REGISTRY = BASE + "graph/registry"


@pytest.fixture(scope="module")
def virtuoso(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert shutil.which("virtuoso-t"), "Virtuoso is a test dependency: bash .ci/run installs it"
    db = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    try:
        done = subprocess.run(
            ["bash", str(SCRIPT), "start", str(db), str(built.release), str(http_port), str(sql_port)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr + (db / "virtuoso.log").read_text()
        url = f"http://127.0.0.1:{http_port}/sparql"
        assert f"loaded {built.quads} quads" in done.stdout
        assert f"export KKB_SPARQL_URL={url}" in done.stdout
        yield url
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(db)], timeout=60, check=True)


@pytest.fixture(scope="module")
def remote(virtuoso: str) -> RemoteSparqlStore:
    return RemoteSparqlStore(virtuoso, graphs_under=BASE + "graph/")


def test_contract_select_ask_count(remote: RemoteSparqlStore, built: BuildResult) -> None:
    rows = list(
        remote.query(
            "SELECT ?name WHERE { ?kkb <https://w3id.org/kkb/def#village> ?v . "
            "?v <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name"
        )
    )
    assert len(rows) == 15 and rows[0]["name"] == ox.Literal("Babai", language="id")
    assert bool(remote.query(f"ASK {{ <{KALAHIEN}> ?p ?o }}"))
    assert not bool(remote.query("ASK { <urn:x:nothing> ?p ?o }"))
    assert not bool(remote.query(f"ASK {{ <{KALAHIEN}> ?p ?o }}", default_graphs=[REGISTRY]))
    assert remote.count() == built.quads


def test_contract_construct_describe_and_errors(remote: RemoteSparqlStore) -> None:
    construct = set(remote.query(f"CONSTRUCT {{ <{KALAHIEN}> ?p ?o }} WHERE {{ <{KALAHIEN}> ?p ?o }}"))
    assert (
        ox.Triple(
            ox.NamedNode(KALAHIEN),
            ox.NamedNode("https://w3id.org/kkb/def#kemendagriCode"),
            ox.Literal("62.04.06.2020"),
        )
        in construct
    )
    # DESCRIBE is the engine's choice: Virtuoso adds the statements pointing at the resource
    assert construct <= set(remote.query(f"DESCRIBE <{KALAHIEN}>"))
    with pytest.raises(SyntaxError):
        remote.query("SELECT WHERE {")


def test_our_endpoint_and_pages_served_from_virtuoso(virtuoso: str, tmp_path: Path) -> None:
    env = {"KKB_SPARQL_URL": virtuoso, "KKB_BUILD_DIR": str(tmp_path / "no-build")}
    with serve_process(env=env) as url:
        query = urllib.parse.urlencode(
            {"query": ("SELECT (COUNT(?k) AS ?n) WHERE { ?k a <https://w3id.org/kkb/def#KKBDesignation> }")}
        )
        request = urllib.request.Request(
            f"{url}/sparql?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert answer["results"]["bindings"][0]["n"]["value"] == "15"
        page = urllib.request.Request(f"{url}/id/village/62.04.06.2020", headers={"Accept": "text/html"})
        with urllib.request.urlopen(page, timeout=30) as response:
            html = response.read().decode("utf-8")
        assert response.status == 200 and "Kalahien" in html and "62.04.06.2020" in html
        # the map's queries run on Virtuoso too: the 93 villages' boundaries
        assert len(re.findall(r'<path class="area (?:other|kkb|inside)"', html)) == 93
        for path, expected in (
            ("/", 'class="area kkb"'),
            ("/id/kkb/62.04.06.2020", 'class="worked"'),
            ("/id/province/62", 'class="area inside"'),
        ):
            with urllib.request.urlopen(
                urllib.request.Request(url + path, headers={"Accept": "text/html"}), timeout=30
            ) as response:
                assert expected in response.read().decode("utf-8"), path
        turtle = urllib.request.Request(f"{url}/id/village/62.04.06.2020", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(turtle, timeout=30) as response:
            triples = list(ox.parse(response.read(), ox.RdfFormat.TURTLE))
        assert ox.Literal("62.04.06.2020") in {t.object for t in triples}
    assert not (tmp_path / "no-build").exists(), "with KKB_SPARQL_URL nothing is built locally"
