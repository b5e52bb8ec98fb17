"""``kkb-lod link --refresh`` at national size: batched, polite, resumable, against a stand-in
for the Wikidata Query Service on loopback (``tests/wdqs.py``; its Q-ids are synthetic).

The national runs are real ``kkb-lod link --refresh --reference all`` processes over the whole
official list (91,599 units, the 83,762 villages among them), one killed with SIGKILL and one
stopped with Ctrl-C halfway; the small ones run in-process over the bundled registry's units
(Barito Selatan's 101), with a recorded ``sleep``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kkb_lod.config import SettingsError, load_settings
from kkb_lod.ingest import read_registry
from kkb_lod.linking import match_units, read_snapshot
from kkb_lod.linking.refresh import CODES_PER_REQUEST, PARENTS_PER_REQUEST, PROGRESS, refresh_snapshot
from kkb_lod.linking.wdqs import WAIT_AFTER_429, Client, Politeness, RefreshError
from kkb_lod.names import name_key
from kkb_lod.reference import national_units
from kkb_lod.rows import UnitRow

from .conftest import DATA
from .wdqs import Fault, StandIn, World, serve

SNAPSHOT, META = "links/wikidata-snapshot.csv", "links/wikidata-snapshot.json"
CONTACT = "refresh-tests@example.org"
#: What the tests lower: no pause between requests, a short back-off and timeout.
FAST = {
    "KKB_REFRESH_DELAY": "0",
    "KKB_REFRESH_BACKOFF": "0.01",
    "KKB_REFRESH_TIMEOUT": "2",
    "KKB_REFRESH_CONTACT": CONTACT,
}


def fast(**changes: float) -> Politeness:
    return replace(Politeness(CONTACT, delay=0, timeout=2, retries=3, backoff=0.01), **changes)


# --- the whole country, through real processes ---------------------------------------------------


@pytest.fixture(scope="module")
def units() -> tuple[UnitRow, ...]:
    found = national_units()
    assert Counter(u.level for u in found) == {
        "province": 38,
        "regency": 514,
        "district": 7285,
        "village": 83762,
    }
    return found


@pytest.fixture(scope="module")
def standin(units: tuple[UnitRow, ...]) -> Iterator[StandIn]:
    with serve(World(units)) as server:
        yield server


def command(registry: Path, endpoint: str, out: Path, reference: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kkb_lod",
        "link",
        "--refresh",
        "--data",
        str(registry),
        "--out",
        str(out),
        "--endpoint",
        endpoint,
        "--reference",
        reference,
    ]


def link(registry: Path, endpoint: str, out: Path, reference: str = "all") -> subprocess.CompletedProcess:
    """``kkb-lod link --refresh`` as its own process, to its end."""
    return subprocess.run(
        command(registry, endpoint, out, reference),
        env={**os.environ, **FAST},
        capture_output=True,
        text=True,
        timeout=600,
    )


def start(registry: Path, endpoint: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command(registry, endpoint, out, "all"),
        env={**os.environ, **FAST},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def uninterrupted(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One refresh of the whole country from start to end, as the reference for the others."""
    registry = tmp_path_factory.mktemp("whole") / "registry"
    shutil.copytree(DATA, registry)
    standin.reset()
    process = link(registry, standin.url, registry.parent / "build")
    assert process.returncode == 0, process.stderr
    return {
        "registry": registry,
        "log": list(standin.log),
        "stderr": process.stderr,
        "csv": (registry / SNAPSHOT).read_bytes(),
        "meta": json.loads((registry / META).read_text(encoding="utf-8")),
    }


def test_a_national_refresh_asks_in_bounded_batches_and_finds_every_item(
    uninterrupted: dict, units: tuple[UnitRow, ...], standin: StandIn
) -> None:
    log = uninterrupted["log"]
    asked = [re.findall(r'"([0-9.]+)"', e["query"]) for e in log if "wdt:P2588 ?code ." in e["query"]]
    # every code asked exactly once, never more than CODES_PER_REQUEST at a time
    assert sorted(c for batch in asked for c in batch) == sorted(u.code for u in units)
    assert len(asked) == -(-len(units) // CODES_PER_REQUEST) == 458
    assert max(len(batch) for batch in asked) == CODES_PER_REQUEST
    parents = [re.search(r"VALUES \?parent \{([^}]*)\}", e["query"]) for e in log]
    assert max(len(p.group(1).split()) for p in parents if p) <= PARENTS_PER_REQUEST
    assert {e["method"] for e in log} == {"POST"} and all(CONTACT in e["agent"] for e in log)
    assert uninterrupted["meta"]["requests"] == len(log) and not uninterrupted["meta"]["refused"]
    assert "resuming" not in uninterrupted["stderr"] and "requests answered" in uninterrupted["stderr"]

    world = standin.world
    snapshot = read_snapshot(uninterrupted["registry"])  # the build reads what was written
    by_qid = {e.qid: e for e in snapshot.entities}
    assert all(by_qid[item.qid].code == code for code, item in world.by_code.items())
    assert "Sintetis Bukan Unit" not in {e.label_id for e in snapshot.entities}  # the decoys
    decisions = {d.unit.code: d for d in match_units(units, snapshot, {})}
    # precision: nothing is linked to another unit's item
    assert all(d.qid == world.items[c].qid for c, d in decisions.items() if d.status == "linked")
    assert all(decisions[c].method == "code" for c in world.by_code)
    # found by name under the parent: every hidden unit whose parent is linked, whose item's label
    # is its name and which no other sibling without a code shares its name with (one with a code
    # is that other unit: Tounelet Satu is 71.02.11.2003 and 71.02.11.2018)
    siblings = Counter((u.parent_code, name_key(u.name, u.level)) for u in units if u.code in world.hidden)
    expected = {
        u.code
        for u in units
        if u.code in world.hidden
        and decisions[u.parent_code].status == "linked"
        and name_key(world.items[u.code].label, u.level) == name_key(u.name, u.level)
        and siblings[(u.parent_code, name_key(u.name, u.level))] == 1
    }
    by_label = {c for c, d in decisions.items() if d.method == "label"}
    assert by_label == expected and len(expected) > 8000
    # and a village found by name under a district found by name
    assert any(u.level == "village" and u.parent_code in by_label for u in units if u.code in by_label)


def _digests(path: Path, seen: set[str], stop: threading.Event) -> None:
    """Every state of the snapshot a reader could have seen while the runs went on."""
    while not stop.is_set():
        try:
            seen.add(hashlib.sha256(path.read_bytes()).hexdigest())
        except FileNotFoundError:
            seen.add("absent")
        stop.wait(0.2)


def _held(standin: StandIn, process: subprocess.Popen) -> None:
    """Wait until the process's request is held open by the stand-in."""
    deadline = time.monotonic() + 300
    while not standin.held.wait(0.5):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline


def test_a_refresh_killed_and_stopped_halfway_ends_as_an_uninterrupted_one(
    standin: StandIn, uninterrupted: dict, tmp_path: Path
) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(DATA, registry)
    old = (registry / SNAPSHOT).read_bytes()
    seen: set[str] = set()
    stop = threading.Event()
    watcher = threading.Thread(target=_digests, args=(registry / SNAPSHOT, seen, stop))
    watcher.start()
    try:
        # run 1: a 429, a 503, a stall past the timeout and a non-JSON answer, then killed (SIGKILL)
        # while request 230 (of the codes) waits for its answer
        standin.reset()
        standin.faults = {
            3: Fault(429, {"Retry-After": "1"}),
            5: Fault(503, {"Retry-After": "0"}),
            7: Fault(stall=3),
            9: Fault(garbage=True),
            230: Fault(hold=True),
        }
        first = start(registry, standin.url, tmp_path / "build")
        _held(standin, first)
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
        answered = {e["query"] for e in standin.log[:-1]}
        assert (registry / SNAPSHOT).read_bytes() == old  # no partial snapshot
        kept = (registry / PROGRESS).read_text(encoding="utf-8").splitlines()
        # the header, then one line per query answered: the 4 failures were asked again (229 - 4
        # unless a slow machine made a request time out too)
        assert len(kept) - 1 == len(answered) >= 200
        assert [standin.log[n]["query"] == standin.log[n - 1]["query"] for n in (3, 5, 7, 9)] == [True] * 4
        assert standin.log[3]["start"] - standin.log[2]["end"] >= 1  # Retry-After: 1 after the 429

        # run 2: resumes, then stopped with Ctrl-C while a request of the village names waits
        standin.reset()
        standin.faults = {300: Fault(hold=True)}
        second = start(registry, standin.url, tmp_path / "build")
        _held(standin, second)
        second.send_signal(signal.SIGINT)
        stderr = second.communicate(timeout=60)[1]
        assert second.returncode == 130 and "Traceback" not in stderr
        assert f"resuming: {len(answered)} answers kept" in stderr
        assert "Stopped: the old snapshot is unchanged" in stderr
        assert "wd:Q26211545" in standin.log[-1]["query"]  # held: a request for village names
        assert not answered & {e["query"] for e in standin.log}  # nothing asked twice
        answered |= {e["query"] for e in standin.log[:-1]}
        assert (registry / SNAPSHOT).read_bytes() == old

        # run 3: to the end
        standin.reset()
        third = link(registry, standin.url, tmp_path / "build")
        assert third.returncode == 0, third.stderr
        assert not answered & {e["query"] for e in standin.log}
    finally:
        stop.set()
        watcher.join()
    assert (registry / SNAPSHOT).read_bytes() == uninterrupted["csv"]
    meta = json.loads((registry / META).read_text(encoding="utf-8"))
    dates = ("retrieved", "started")
    assert {k: v for k, v in meta.items() if k not in dates} == {
        k: v for k, v in uninterrupted["meta"].items() if k not in dates
    }
    assert not (registry / PROGRESS).exists()
    assert seen <= {hashlib.sha256(old).hexdigest(), hashlib.sha256(uninterrupted["csv"]).hexdigest()}
    assert len(answered) + len(standin.log) == len(uninterrupted["log"])


# --- politeness, one request at a time -----------------------------------------------------------


@pytest.fixture(scope="module")
def regency() -> tuple[UnitRow, ...]:
    return read_registry(DATA).units


@pytest.fixture
def small(regency: tuple[UnitRow, ...]) -> Iterator[StandIn]:
    with serve(World(regency)) as server:
        yield server


def test_the_stand_in_speaks_the_protocol(small: StandIn) -> None:
    """GET, POST form and POST application/sparql-query get the same SPARQL JSON results."""
    query = 'SELECT ?item ?code WHERE { VALUES ?code { "62" "62.04" } ?item wdt:P2588 ?code . }'
    accept = {"Accept": "application/sparql-results+json"}
    answers = []
    for request in (
        urllib.request.Request(f"{small.url}?{urllib.parse.urlencode({'query': query})}", headers=accept),
        urllib.request.Request(
            small.url,
            urllib.parse.urlencode({"query": query}).encode(),
            {**accept, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        urllib.request.Request(
            small.url, query.encode(), {**accept, "Content-Type": "application/sparql-query"}
        ),
    ):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Type"] == "application/sparql-results+json"
            answers.append(json.load(response))
    assert answers[0] == answers[1] == answers[2]
    assert len(answers[0]["results"]["bindings"]) == 2


def test_requests_are_spaced_and_name_us(
    small: StandIn, regency: tuple[UnitRow, ...], tmp_path: Path
) -> None:
    """Between the end of one request and the start of the next the client waits ``delay``: on a
    clock of its own that only its waits move (requests take no time on it), so each wait is
    exactly the delay, whatever the machine's load."""
    now, waits = [0.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    client = Client(small.url, fast(delay=0.1), sleep=sleep, clock=lambda: now[0])
    refresh_snapshot(regency, tmp_path, small.url, client=client)
    assert len(small.log) >= 2 and waits == [0.1] * (len(small.log) - 1)
    agent = small.log[0]["agent"]
    assert agent.startswith("kkb-lod/") and f"(Kampung Keluarga Berkualitas linked data; {CONTACT})" in agent


def waits_of(small: StandIn, faults: dict[int, Fault], **politeness: float) -> list[float]:
    small.faults = faults
    waits: list[float] = []
    Client(small.url, fast(**politeness), sleep=waits.append).select(
        'SELECT * WHERE { VALUES ?code { "62" } ?item wdt:P2588 ?code . }'
    )
    return waits


def test_retry_after_is_honoured_on_429_and_503(small: StandIn) -> None:
    assert waits_of(small, {1: Fault(429, {"Retry-After": "7"}), 2: Fault(503, {"Retry-After": "3"})}) == [
        7.0,
        3.0,
    ]
    small.reset()
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
    [wait] = waits_of(small, {1: Fault(503, {"Retry-After": later})})
    assert 100 < wait <= 120  # an HTTP date, as the protocol allows


def test_a_429_without_retry_after_waits_a_minute_and_a_5xx_backs_off(small: StandIn) -> None:
    assert waits_of(small, {1: Fault(429), 2: Fault(502), 3: Fault(500)}, backoff=2) == [
        WAIT_AFTER_429,
        4.0,
        8.0,
    ]


def test_a_stalled_server_is_retried_then_given_up(small: StandIn) -> None:
    assert waits_of(small, {1: Fault(stall=1.0)}, timeout=0.3, backoff=0.5) == [0.5]
    small.reset()
    small.faults = {n: Fault(stall=1.0) for n in range(1, 10)}
    waits: list[float] = []
    with pytest.raises(RefreshError, match="no answer within the timeout, 3 times"):
        Client(small.url, fast(timeout=0.3, retries=2), sleep=waits.append).select(
            'SELECT * WHERE { VALUES ?code { "62" } ?item wdt:P2588 ?code . }'
        )
    assert waits == [0.01, 0.02] and len(small.log) == 3


def test_a_bad_answer_is_retried_and_our_own_errors_are_not(small: StandIn) -> None:
    assert waits_of(small, {1: Fault(garbage=True)}) == [0.01]
    small.reset()
    with pytest.raises(RefreshError, match="HTTP 400: a query the stand-in does not know"):
        Client(small.url, fast()).select("SELECT * {}")
    assert len(small.log) == 1
    small.reset()
    small.faults = {1: Fault(429, {"Retry-After": "86400"})}
    with pytest.raises(RefreshError, match="asks to wait 86400 s"):
        Client(small.url, fast(), sleep=lambda s: pytest.fail("waited")).select("SELECT * {}")


# --- resuming, in-process ------------------------------------------------------------------------


def test_a_failed_refresh_keeps_the_snapshot_and_resumes(
    small: StandIn, regency: tuple[UnitRow, ...], tmp_path: Path
) -> None:
    whole = tmp_path / "whole"
    refresh_snapshot(regency, whole, small.url, fast())
    asked = len(small.log)
    assert asked == 2  # 101 codes in 1 request, then the names of the 10 villages without one
    small.reset()
    folder = tmp_path / "resumed"
    shutil.copytree(DATA / "links", folder / "links")
    old = (folder / SNAPSHOT).read_bytes()
    small.faults = {2: Fault(403)}
    with pytest.raises(RefreshError, match="HTTP 403"):
        refresh_snapshot(regency, folder, small.url, fast())
    assert (folder / SNAPSHOT).read_bytes() == old
    with open(folder / PROGRESS, "ab") as f:
        f.write(b'{"query": "0f3a", "rows": [{"item": "htt')  # a line cut short by a kill
    small.reset()
    messages: list[str] = []
    refresh_snapshot(regency, folder, small.url, fast(), progress=messages.append)
    assert len(small.log) == asked - 1 and "resuming: 1 answers kept" in messages[0]
    assert (folder / SNAPSHOT).read_bytes() == (whole / SNAPSHOT).read_bytes()
    assert not (folder / PROGRESS).exists()


def test_progress_of_another_refresh_is_not_used(
    small: StandIn, regency: tuple[UnitRow, ...], tmp_path: Path
) -> None:
    small.faults = {1: Fault(403)}
    with pytest.raises(RefreshError):
        refresh_snapshot(regency[:50], tmp_path, small.url, fast())
    small.reset()
    messages: list[str] = []
    refresh_snapshot(regency, tmp_path, small.url, fast(), progress=messages.append)
    assert "starting over" in messages[0] and len(small.log) == 2


def test_a_second_refresh_of_the_same_folder_is_refused(
    small: StandIn, regency: tuple[UnitRow, ...], tmp_path: Path
) -> None:
    small.faults = {1: Fault(hold=True)}
    ended: list[BaseException] = []

    def first() -> None:
        try:
            refresh_snapshot(regency, tmp_path, small.url, fast(timeout=30, retries=0))
        except RefreshError as err:  # its request is cut off when the stand-in lets go
            ended.append(err)

    thread = threading.Thread(target=first)
    thread.start()
    assert small.held.wait(30)
    with pytest.raises(RefreshError, match="another refresh is writing wikidata-refresh.progress"):
        refresh_snapshot(regency, tmp_path, small.url, fast())
    small.release.set()
    thread.join(30)
    assert len(ended) == 1 and len(small.log) == 1 and not (tmp_path / SNAPSHOT).exists()
    assert (tmp_path / PROGRESS).read_bytes().count(b"\n") == 1  # the first run's header, intact


def test_refresh_settings_are_checked() -> None:
    assert Politeness.of(load_settings(environ={"KKB_REFRESH_DELAY": "2.5"})).delay == 2.5
    for variable, value in (
        ("KKB_REFRESH_CONTACT", ""),
        ("KKB_REFRESH_CONTACT", "a\nb"),
        ("KKB_REFRESH_DELAY", "-1"),
        ("KKB_REFRESH_TIMEOUT", "0"),
        ("KKB_REFRESH_RETRIES", "many"),
    ):
        with pytest.raises(SettingsError, match="refresh_"):
            load_settings(environ={variable: value})


def test_values_the_snapshot_cannot_hold_are_refused_and_listed(
    small: StandIn, regency: tuple[UnitRow, ...], tmp_path: Path
) -> None:
    world = small.world
    world.by_code["62.04"] = replace(world.by_code["62.04"], label="=HYPERLINK(1)")
    world.by_code["62"] = replace(world.by_code["62"], label="Kalimantan\x07Tengah", coord="Point(x y)")
    entities = refresh_snapshot(regency, tmp_path, small.url, fast())
    assert read_snapshot(tmp_path).entities == tuple(entities)  # a build can read it
    meta = json.loads((tmp_path / META).read_text(encoding="utf-8"))
    refused = meta["refused"]
    assert len(refused) == meta["refused_total"] == 4 and all(r.startswith("Q9000000000") for r in refused)
    assert {r.split()[1] for r in refused} == {"label_id", "latitude", "longitude"}


def test_link_says_in_one_line_why_a_refresh_stopped(small: StandIn, tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(DATA, registry)
    small.faults = {n: Fault(503) for n in range(1, 20)}
    done = link(registry, small.url, tmp_path / "build", "registry")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (
        f"HTTP 503, 6 times; the old snapshot is unchanged; the answers so far are kept in {PROGRESS}"
        in done.stderr
    )
    assert (registry / SNAPSHOT).read_bytes() == (DATA / SNAPSHOT).read_bytes()
