"""``/reconcile`` as OpenRefine drives it, over real HTTP to a real ``kkb-lod serve`` process.

OpenRefine reads the manifest, POSTs form-encoded ``queries`` batches (the JSON in a form field,
``charset=UTF-8``), asks suggest with ``prefix`` then ``cursor`` for more, proposes properties for
the column's type and POSTs ``extend``. The README's worked example (a CSV of names → codes) runs
here against the same process, and its printed output must be the README's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kkb_lod.config import Settings

from .server import ROOT, serve_process
from .test_reconcile import check

FORM = "application/x-www-form-urlencoded; charset=UTF-8"  # what OpenRefine sends


@pytest.fixture(scope="module")
def service(settings: Settings) -> Iterator[str]:
    """The /reconcile URL of a 2-worker server process serving the session build."""
    with serve_process("--build", str(settings.build_dir), env={"KKB_WORKERS": "2"}) as url:
        yield url + "/reconcile"


def get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.load(err)


def post(url: str, **fields: str) -> tuple[int, dict, dict]:
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, body, {"Content-Type": FORM})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.load(err)


def test_the_openrefine_flow(service: str) -> None:
    status, headers, manifest = get(service)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    check("manifest.json", manifest)
    desa = next(t["id"] for t in manifest["defaultTypes"] if t["id"].endswith("#Desa"))
    queries = {
        f"q{n}": {
            "query": name,
            "type": desa,
            "type_strict": "should",
            "limit": 3,
            "properties": [{"pid": "district", "v": district}],
        }
        for n, (name, district) in enumerate(
            [
                ("MARGA JAYA", "GUNUNG BINTANG AWAI"),
                ("TAMPULANG", "JENAMAS"),
                ("Tumbang Ngahan", "Dusun Hilir"),
            ]
        )
    }
    status, headers, body = post(service, queries=json.dumps(queries))
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    check("reconciliation-result-batch.json", body)
    assert [body[q]["result"][0]["id"] for q in ("q0", "q1")] == ["62.04.05.2020", "62.04.01.2001"]
    assert body["q0"]["result"][0]["match"] and body["q1"]["result"][0]["match"]
    assert not any(c["match"] for c in body["q2"]["result"])  # no such village there

    suggest = manifest["suggest"]["entity"]
    url = suggest["service_url"] + suggest["service_path"]
    first = get(url + "?" + urllib.parse.urlencode({"prefix": "bintang"}))[2]
    more = get(url + "?" + urllib.parse.urlencode({"prefix": "bintang", "cursor": 10}))[2]
    for answer in (first, more):
        check("suggest-entities-response.json", answer)
    assert first["result"] and not {r["id"] for r in first["result"]} & {r["id"] for r in more["result"]}

    propose = manifest["extend"]["propose_properties"]
    status, _, proposed = get(
        propose["service_url"]
        + propose["service_path"]
        + "?"
        + urllib.parse.urlencode({"type": desa, "limit": 20})
    )
    check("data-extension-property-proposal.json", proposed)
    wanted = [p["id"] for p in proposed["properties"] if p["id"] in ("bps_code", "district", "kkb_status")]
    status, headers, extended = post(
        service,
        extend=json.dumps(
            {"ids": ["62.04.05.2020", "62.04.01.2001"], "properties": [{"id": p} for p in wanted]}
        ),
    )
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    check("data-extension-response.json", extended)
    assert extended["rows"]["62.04.05.2020"]["bps_code"] == [{"str": "6204060010"}]
    assert extended["rows"]["62.04.01.2001"]["district"] == [{"id": "62.04.01", "name": "Jenamas"}]

    preview = manifest["preview"]["url"].replace("{{id}}", "62.04.05.2020")
    with urllib.request.urlopen(preview, timeout=60) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Marga Jaya" in response.read().decode()


def test_errors_over_the_wire_are_json_4xx(service: str) -> None:
    too_many = {f"q{n}": {"query": "Jaya"} for n in range(101)}
    status, _, body = post(service, queries=json.dumps(too_many))
    assert status == 413 and "batchSize" in body["message"]
    status, _, body = post(service, queries='{"q0": {"query": ')
    assert status == 400 and "not valid JSON" in body["message"]


def _block(readme: str, name: str) -> str:
    found = re.search(rf"<!-- {name} -->\n```\w+\n(.*?)```", readme, re.S)
    assert found, f"README.md has no block after <!-- {name} -->"
    return found.group(1)


def test_the_readme_worked_example(service: str, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (tmp_path / "names.csv").write_text(_block(readme, "worked-example-csv"), encoding="utf-8")
    (tmp_path / "reconcile.py").write_text(_block(readme, "worked-example-script"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(tmp_path / "reconcile.py"), service, str(tmp_path / "names.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == _block(readme, "worked-example-output")
