"""Wikidata linking: precision first, reviewable, deterministic, refreshable without the internet."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from kkb_lod.ingest import InputError
from kkb_lod.iris import Minter
from kkb_lod.linking import (
    Decision,
    Entity,
    Snapshot,
    match_units,
    read_overrides,
    read_snapshot,
)
from kkb_lod.linking.publish import link_triples, quickstatements, review_csv, review_html
from kkb_lod.linking.refresh import refresh_snapshot
from kkb_lod.linking.wdqs import Politeness
from kkb_lod.rows import UnitRow
from kkb_lod.vocab import OWL, WD

RECORDED = Path(__file__).parent / "data" / "wikidata"


def unit(code: str, name: str, level: str, parent: str | None, kind: str | None = None) -> UnitRow:
    return UnitRow("regions/units.csv", 0, code, name, level, parent, kind, None, None, None)


def entity(
    qid: str, label: str, level: str, code: str = "", parent: str = "", source: str = "P2588"
) -> Entity:
    return Entity(qid, label, "", level, code, source if code else "", "", parent, "", "")


# Look-alikes from the official list: Bangkuang (kelurahan in Karau Kuala, desa in Katingan —
# same province), Bintang Ara (a desa and the kecamatan it lies in, in Tabalong), Marga Jaya.
UNITS = (
    unit("62", "Kalimantan Tengah", "province", None),
    unit("62.04", "Kabupaten Barito Selatan", "regency", "62", "kabupaten"),
    unit("62.06", "Kabupaten Katingan", "regency", "62", "kabupaten"),
    unit("62.04.03", "Karau Kuala", "district", "62.04"),
    unit("62.06.03", "Tewang Sanggalang Garing", "district", "62.06"),
    unit("62.04.03.1002", "Bangkuang", "village", "62.04.03", "kelurahan"),
    unit("62.06.03.2004", "Bangkuang", "village", "62.06.03", "desa"),
    unit("62.04.05", "Gn. Bintang Awai", "district", "62.04"),
    unit("62.04.05.2011", "Bintang Ara", "village", "62.04.05", "desa"),
    unit("62.04.05.2020", "Marga Jaya", "village", "62.04.05", "desa"),
)
# Synthetic item numbers (Q9000…): test fixtures only, never published.
SNAPSHOT = Snapshot(
    (
        entity("Q3891", "Kalimantan Tengah", "province", "62"),
        entity("Q14391", "Barito Selatan", "regency", "62.04"),
        entity("Q9001", "Katingan", "regency", "62.06"),
        entity("Q9002", "Karau Kuala", "district", parent="Q14391"),
        entity("Q9003", "Bangkuang", "village", parent="Q9002"),  # the right one, by name + parent
        entity("Q9004", "Bangkuang", "village", parent="Q9005"),  # Katingan's, parent unknown to us
        entity("Q9006", "Gunung Bintang Awai", "district", parent="Q14391"),
        entity("Q9007", "Bintang Ara", "district", parent="Q9999"),  # a kecamatan elsewhere
        entity("Q9008", "Marga Jaya", "village", parent="Q9006"),
        entity("Q9009", "Marga Jaya", "village", parent="Q9006"),  # two of them: ambiguous
    ),
    {"retrieved": "2026-11-01", "source": "test fixture"},
)


@pytest.fixture
def decisions() -> dict[str, Decision]:
    return {d.unit.code: d for d in match_units(UNITS, SNAPSHOT, {})}


def test_links_by_code_then_by_name_within_parent(decisions: dict[str, Decision]) -> None:
    linked = {c: (d.qid, d.method) for c, d in decisions.items() if d.status == "linked"}
    assert linked == {
        "62": ("Q3891", "code"),
        "62.04": ("Q14391", "code"),
        "62.06": ("Q9001", "code"),
        "62.04.03": ("Q9002", "label"),
        "62.04.05": ("Q9006", "label"),
        "62.04.03.1002": ("Q9003", "label"),
    }


def test_no_look_alike_is_mislinked(decisions: dict[str, Decision]) -> None:
    assert decisions["62.06.03.2004"].status != "linked"  # Katingan's Bangkuang
    assert decisions["62.06.03"].status == "unmatched"
    assert decisions["62.04.05.2011"].status == "unmatched"  # only a district is named so
    assert decisions["62.04.05.2020"].status == "ambiguous"  # two same-name villages
    assert {q for q, _, _ in decisions["62.04.05.2020"].candidates} == {"Q9008", "Q9009"}


def test_a_code_of_another_level_is_not_a_link() -> None:
    snapshot = Snapshot((entity("Q9100", "Karau Kuala", "village", "62.04.03"),))
    [decision] = match_units((UNITS[3],), snapshot, {})
    assert decision.status == "ambiguous" and decision.qid == ""


def test_overrides_win(tmp_path: Path) -> None:
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "overrides.csv").write_text(
        "unit_code,qid,decision,reviewer_note\n62.04.05.2020,Q9009,accept,checked by hand\n"
        "62.04.03.1002,Q9003,reject,wrong village\n"
    )
    result = {d.unit.code: d for d in match_units(UNITS, SNAPSHOT, read_overrides(tmp_path))}
    assert (result["62.04.05.2020"].qid, result["62.04.05.2020"].method) == ("Q9009", "override")
    assert result["62.04.03.1002"].status != "linked"


def test_bad_override_is_named(tmp_path: Path) -> None:
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "overrides.csv").write_text("unit_code,qid,decision,reviewer_note\n62,Q1,maybe,\n")
    with pytest.raises(InputError, match="overrides.csv, row 2, column decision"):
        read_overrides(tmp_path)


def test_same_snapshot_same_links() -> None:
    first = review_csv(match_units(UNITS, SNAPSHOT, {}))
    assert first == review_csv(match_units(tuple(reversed(UNITS)), SNAPSHOT, {}))


def test_published_links(decisions: dict[str, Decision]) -> None:
    mint = Minter("https://w3id.org/kkb/")
    triples = set(link_triples(list(decisions.values()), SNAPSHOT, mint))
    same = {
        (s, o)
        for s, p, o in triples
        if p == OWL.sameAs and str(s).startswith(mint.base + "id/") and "/link/" not in str(s)
    }
    assert (mint.unit("62.04"), WD.Q14391) in same and len(same) == 6
    text = review_html(list(decisions.values()), SNAPSHOT)
    assert "Q9008" in text and "6 linked, 2 ambiguous" in text


def test_quickstatements_only_where_the_code_is_missing(decisions: dict[str, Decision]) -> None:
    lines = quickstatements(list(decisions.values()), SNAPSHOT).splitlines()
    assert 'Q9002\tP2588\t"62.04.03"' in lines
    assert not any(line.startswith("Q14391\t") for line in lines)


def test_bundled_snapshot_links_province_and_regency(built) -> None:  # noqa: ANN001
    nt = (built.release / "dumps" / "kkb.nt").read_text(encoding="utf-8")
    assert (
        "<https://w3id.org/kkb/id/regency/62.04> <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://www.wikidata.org/entity/Q14391> ."
    ) in nt
    assert nt.count("<http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/") == 2


# --- refresh against a local server that speaks the SPARQL protocol -----------------------------


class FakeWikidata(BaseHTTPRequestHandler):
    """Answers POSTed SPARQL queries from recordings; scripted failures come first."""

    failures: list[tuple[int, dict[str, str]]] = []
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeWikidata.seen.append({"agent": self.headers["User-Agent"], "query": parse_qs(body)})
        if FakeWikidata.failures:
            status, headers = FakeWikidata.failures.pop(0)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        query = parse_qs(body)["query"][0]
        name = "code" if "wdt:P2588 ?code ." in query else "name"
        payload = (RECORDED / f"{name}-response.json").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_wikidata() -> Iterator[str]:
    FakeWikidata.failures, FakeWikidata.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWikidata)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_refresh_writes_a_snapshot_with_provenance(fake_wikidata: str, tmp_path: Path) -> None:
    FakeWikidata.failures = [(429, {"Retry-After": "0"}), (503, {})]
    politeness = Politeness("linking-tests@example.org", delay=0, backoff=0)
    entities = refresh_snapshot(UNITS[:2], tmp_path, fake_wikidata, politeness)
    assert [(e.qid, e.code, e.level) for e in entities] == [
        ("Q3891", "62", "province"),
        ("Q14391", "62.04", "regency"),
    ]
    assert entities[1].latitude == "-1.8" and entities[1].longitude == "114.9"
    assert read_snapshot(tmp_path).entities == tuple(entities)  # the build reads what it wrote
    meta = json.loads((tmp_path / "links" / "wikidata-snapshot.json").read_text())
    assert meta["endpoint"] == fake_wikidata and "P2588" in meta["queries"][0]
    assert all(seen["agent"] == politeness.user_agent for seen in FakeWikidata.seen)
    assert len(FakeWikidata.seen) == 3 + 0  # two failures retried, then the code query


def test_refresh_by_name_keeps_items_named_like_an_unmatched_unit_under_its_parent(
    fake_wikidata: str, tmp_path: Path
) -> None:
    units = (*UNITS[:2], unit("62.04.01", "Jenamas", "district", "62.04"))
    entities = refresh_snapshot(units, tmp_path, fake_wikidata, Politeness("t@example.org", delay=0))
    assert read_snapshot(tmp_path).entities == tuple(entities)
    assert {e.qid: e.level for e in entities}.get("Q9000101") == "district"
    assert "Q9000102" not in {e.qid for e in entities}  # in Barito Selatan, but another name
    query = FakeWikidata.seen[-1]["query"]["query"][0]
    assert "VALUES ?parent { wd:Q14391 }" in query and "VALUES ?class { wd:Q3700011 }" in query
    decisions = {d.unit.code: d for d in match_units(units, Snapshot(tuple(entities)), {})}
    assert (decisions["62.04.01"].qid, decisions["62.04.01"].method) == ("Q9000101", "label")
