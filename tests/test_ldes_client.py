"""Replicated as a harvester replicates: the real npm ``ldes-client`` (``tests/ldes/``, installed by
``.ci/run`` with ``npm ci``, run by Debian's Node) follows the event stream of a real
``kkb-lod serve`` process on loopback. Its replica, the latest version of each member with the
deleted ones dropped, equals the served release's descriptions of those members; a client that
kept its state sees only what a new release changed, and nothing at all when nothing changed."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kkb_lod.config import Settings
from kkb_lod.pipeline import build

from .conftest import BASE, DATA, ROOT
from .server import serve_process
from .test_changes import CHANGED_ACTIVITY, DROPPED_KKB, changed_registry

NODE = shutil.which("node") or "/usr/bin/node"
CLIENT = ROOT / "tests" / "ldes"
DCT = "http://purl.org/dc/terms/"
DELETE = "https://www.w3.org/ns/activitystreams#Delete"
#: What the stream's members are: units, KKB designations (their parts in them), activities.
MEMBER = re.compile(
    rf"^({re.escape(BASE)}id/(?:province|regency|district|village|kkb|activity)/[^/#]+)(?:/[^#]*)?$"
)

Replica = dict[str, tuple[dt.datetime, Graph | None]]


def replicate(url: str, state: Path | None = None) -> list[dict[str, Any]]:
    """The members ``ldes-client`` emits replicating the stream at ``url`` (keeping its state in
    ``state``, resuming from it if there is one)."""
    if not Path(NODE).is_file():
        pytest.fail("Node is missing: apt-get install nodejs npm (Debian's), as `bash .ci/run` does")
    if not (CLIENT / "node_modules" / "ldes-client").is_dir():
        pytest.fail(
            f"the npm ldes-client is missing ({CLIENT / 'node_modules'}): run `bash .ci/run`, or "
            f"cd {CLIENT} && npm ci"
        )
    done = subprocess.run(
        [NODE, "replicate.mjs", url, *([str(state)] if state else [])],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def apply(replica: Replica, members: list[dict[str, Any]]) -> Replica:
    """``replica`` with the versions ``members`` bring: per member, its latest version's graph,
    or None when that version is a deletion."""
    for member in members:
        found = Dataset()
        found.parse(data=member["quads"], format="nquads")
        version = URIRef(member["id"])
        [created] = found.objects(version, URIRef(DCT + "created"))
        [of] = found.objects(version, URIRef(DCT + "isVersionOf"))
        assert str(of) == member["isVersionOf"]
        when = Literal(created).toPython()
        assert isinstance(when, dt.datetime)
        if str(of) in replica and replica[str(of)][0] >= when:
            continue
        deleted = member["type"] == DELETE
        replica[str(of)] = (when, None if deleted else _triples(found.graph(version)))
    return replica


def _triples(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


def described(release: Path) -> dict[str, Graph]:
    """The release's description of each member: its statements, and its parts' for a KKB."""
    found = Dataset()
    found.parse(release / "dumps" / "kkb.nq", format="nquads")
    members: dict[str, Graph] = {}
    for s, p, o, _ in found.quads((None, None, None, None)):
        match = MEMBER.match(str(s))
        if match:
            members.setdefault(match.group(1), Graph()).add((s, p, o))
    return members


def assert_equal(replica: Replica, release: Path | dict[str, Graph]) -> None:
    """The replica's living members are the release's, each described the same."""
    alive = {iri: graph for iri, (_, graph) in replica.items() if graph is not None}
    expected = described(release) if isinstance(release, Path) else release
    assert set(alive) == set(expected)
    for iri, graph in expected.items():
        assert isomorphic(alive[iri], graph), iri
    everything, wanted = Graph(), Graph()
    for graph in alive.values():
        everything += graph
    for graph in expected.values():
        wanted += graph
    assert isomorphic(everything, wanted)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ldes-client")


@pytest.fixture(scope="module")
def first(folder: Path) -> tuple[Path, list[dict[str, Any]], dict[str, Graph]]:
    """The bundled registry's release, replicated from scratch with state kept, and its
    descriptions (its server stopped: it no longer pins the release, which a later test prunes)."""
    release = build(Settings(data_dir=DATA, build_dir=folder / "build", base_iri=BASE)).release
    with serve_process("--build", str(folder / "build"), env={"KKB_WORKERS": "1"}) as url:
        return release, replicate(url + "/ldes", folder / "state"), described(release)


@pytest.fixture(scope="module")
def second(folder: Path, first: Any) -> Iterator[tuple[Path, str]]:
    """The changed copy's release (a KKB dropped, an activity carried out), served alone (with
    the default serve_releases its server would pin the first release, which a later test
    prunes)."""
    data = changed_registry(folder / "data")
    release = build(Settings(data_dir=data, build_dir=folder / "build", base_iri=BASE)).release
    alone = {"KKB_WORKERS": "1", "KKB_SERVE_RELEASES": "1"}
    with serve_process("--build", str(folder / "build"), env=alone) as url:
        yield release, url + "/ldes"


def test_a_replica_from_scratch_equals_the_release(first: tuple[Path, list[dict[str, Any]], Any]) -> None:
    _, members, expected = first
    assert members and all(m["isVersionOf"] and m["type"] != DELETE for m in members)
    assert len({m["id"] for m in members}) == len(members)
    assert_equal(apply({}, members), expected)


def test_a_client_with_state_gets_only_what_the_new_release_changed(
    folder: Path, first: tuple[Path, list[dict[str, Any]], Any], second: tuple[Path, str]
) -> None:
    release, url = second
    new = replicate(url, folder / "state")
    of = {m["isVersionOf"]: m for m in new}
    assert of[f"{BASE}id/kkb/{DROPPED_KKB}"]["type"] == DELETE
    assert f"{BASE}id/activity/{CHANGED_ACTIVITY}" in of
    assert len(new) < len(first[1]) / 4  # not the whole release again
    replica = apply(apply({}, first[1]), new)
    assert replica[f"{BASE}id/kkb/{DROPPED_KKB}"][1] is None
    assert_equal(replica, release)
    assert replicate(url, folder / "state") == []  # and then nothing new


def test_a_replica_from_scratch_of_the_new_release_equals_it(second: tuple[Path, str]) -> None:
    release, url = second
    members = replicate(url)
    replica = apply({}, members)
    assert f"{BASE}id/kkb/{DROPPED_KKB}" in replica  # known, as deleted
    assert_equal(replica, release)


def test_a_client_with_state_follows_the_stream_across_a_pruning(
    folder: Path, first: tuple[Path, list[dict[str, Any]], Any], second: tuple[Path, str]
) -> None:
    """Synced at the second release, then two more (the KKB back, then nothing new): the first
    release is pruned and the stream starts at the second's base pages, and the client with
    state still ends equal to the newest release."""
    replica = apply({}, replicate(second[1], folder / "state-b"))
    for _ in range(2):
        newest = build(Settings(data_dir=DATA, build_dir=folder / "build", base_iri=BASE)).release
    assert not first[0].exists()  # pruned: KEEP_RELEASES are kept
    with serve_process("--build", str(folder / "build"), env={"KKB_WORKERS": "1"}) as url:
        new = replicate(url + "/ldes", folder / "state-b")
        assert {m["isVersionOf"] for m in new} >= {f"{BASE}id/kkb/{DROPPED_KKB}"}  # back again
        assert_equal(apply(replica, new), newest)
        assert replicate(url + "/ldes", folder / "state-b") == []
