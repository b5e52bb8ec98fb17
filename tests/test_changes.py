"""The change set of a release against the one before: builds of the bundled registry and of a
changed copy, checked against the set difference of their dumps; the walk itself against random
sorted files."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kkb_lod import changes
from kkb_lod.cli import cli
from kkb_lod.config import Settings
from kkb_lod.iris import IriError, Minter
from kkb_lod.pipeline import build
from kkb_lod.releases import read_manifest

from .conftest import BASE, DATA, examples

#: What the changed copy of the registry changes: one KKB dropped, one activity's status.
DROPPED_KKB = "62.04.06.2020"
CHANGED_ACTIVITY = "6204-pembinaan-2022"


def changed_registry(folder: Path) -> Path:
    """A copy of the bundled registry without one KKB (and its source says so) and with one
    activity carried out."""
    shutil.copytree(DATA, folder)
    kkb = folder / "registry" / "kkb.csv"
    lines = kkb.read_text(encoding="utf-8").splitlines(keepends=True)
    kkb.write_text("".join(x for x in lines if not x.startswith(DROPPED_KKB + ",")), encoding="utf-8")
    sources = folder / "registry" / "sources.csv"  # the source states how many KKB it names
    stated = sources.read_text(encoding="utf-8")
    sources.write_text(
        stated.replace(",id,sources/antara-buntok-kkb.txt,15,", ",id,sources/antara-buntok-kkb.txt,14,"),
        encoding="utf-8",
    )
    activities = folder / "registry" / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    activities.write_text(
        text.replace(f"{CHANGED_ACTIVITY},62.04,2022,planned,", f"{CHANGED_ACTIVITY},62.04,2022,completed,"),
        encoding="utf-8",
    )
    assert activities.read_text(encoding="utf-8") != text
    return folder


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three releases in one build folder: the bundled registry, the same again (with the
    command line), then the changed copy."""
    root = tmp_path_factory.mktemp("changes")
    first = build(Settings(data_dir=DATA, build_dir=root / "build", base_iri=BASE)).release
    said = CliRunner().invoke(
        cli, ["build", "--data", str(DATA), "--out", str(root / "build"), "--base-iri", BASE]
    )
    assert said.exit_code == 0, said.output
    assert f"changes against release {first.name}: no change" in said.output
    second = (root / "build" / "current").resolve()
    data = changed_registry(root / "data")
    third = build(Settings(data_dir=data, build_dir=root / "build", base_iri=BASE)).release
    return [first, second, third]


def lines(path: Path) -> list[bytes]:
    opened = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
    with opened as f:
        return f.read().splitlines(keepends=True)


def quads(text: bytes) -> set[ox.Quad]:
    return set(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def test_a_first_release_has_no_previous_and_an_empty_change_set(releases: list[Path]) -> None:
    made = read_manifest(releases[0])
    assert (made["previous"], made["version"], made["first_issued"]) == (None, 1, made["created"])
    found = made["changes"]
    assert (found["previous"], found["added"], found["removed"]) == (None, 0, 0)
    assert all(n == 0 for kind in found["resources"].values() for n in kind.values())
    assert [f["name"] for f in found["files"]] == [changes.ADDED, changes.REMOVED]
    for entry in found["files"]:
        assert lines(releases[0] / "dumps" / entry["name"]) == []


def test_unchanged_input_gives_an_empty_change_set(releases: list[Path]) -> None:
    first, second = read_manifest(releases[0]), read_manifest(releases[1])
    assert (second["previous"], second["version"]) == (first["id"], 2)
    assert second["first_issued"] == first["created"] != second["created"]
    found = second["changes"]
    assert (found["previous"], found["added"], found["removed"]) == (first["id"], 0, 0)
    assert set(found["resources"]) == set(changes.KINDS)
    assert all(n == 0 for kind in found["resources"].values() for n in kind.values())
    assert lines(releases[1] / "dumps" / changes.ADDED) == []
    # the empty files are the same bytes in every release: no time stamp, no name
    for entry in found["files"]:
        assert entry in first["changes"]["files"]


def test_added_and_removed_are_the_set_difference_of_the_dumps(releases: list[Path]) -> None:
    old = set(lines(releases[1] / "dumps" / "kkb.nq"))
    new = set(lines(releases[2] / "dumps" / "kkb.nq"))
    added = lines(releases[2] / "dumps" / changes.ADDED)
    removed = lines(releases[2] / "dumps" / changes.REMOVED)
    assert added and removed
    assert set(added) == new - old and set(removed) == old - new
    assert added == sorted(added, key=lambda x: x[:-1])  # sorted as the dumps, unique
    assert len(set(added)) == len(added)
    assert quads(b"".join(added)) == quads(b"".join(new)) - quads(b"".join(old))
    assert quads(b"".join(removed)) == quads(b"".join(old)) - quads(b"".join(new))
    found = read_manifest(releases[2])["changes"]
    assert (found["added"], found["removed"]) == (len(added), len(removed))
    listed = json.loads((releases[2] / changes.LISTING).read_text(encoding="utf-8"))
    per_graph = listed["graphs"]
    assert sum(g["added"] for g in per_graph.values()) == len(added)
    assert sum(g["removed"] for g in per_graph.values()) == len(removed)


def kinds_by_brute_force(old: list[bytes], new: list[bytes]) -> dict[str, dict[str, int]]:
    """Resources per kind, told from whole sets: the oracle of the walk's counts."""
    mint = Minter(BASE)
    kind_of = {
        "province": "units",
        "regency": "units",
        "district": "units",
        "village": "units",
        "kkb": "kkb",
        "activity": "activities",
        "link": "links",
    }

    def resource(line: bytes) -> tuple[str, str] | None:
        subject = line.split(b" ", 1)[0].decode()
        try:
            ref = mint.parse(subject[1:-1])
        except IriError:
            return None
        kind = kind_of.get(ref.kind)
        return (kind, str(mint.mint(ref.kind, ref.key))) if kind else None

    before, after = set(old), set(new)
    counts: dict[str, dict[str, int]] = {k: {"added": 0, "removed": 0, "changed": 0} for k in changes.KINDS}
    owners_old = {resource(x) for x in before}
    owners_new = {resource(x) for x in after}
    for owner in {resource(x) for x in before ^ after} - {None}:
        assert owner is not None
        status = (
            "changed"
            if owner in owners_old and owner in owners_new
            else "added"
            if owner in owners_new
            else "removed"
        )
        counts[owner[0]][status] += 1
    return counts


def test_resources_are_counted_per_kind(releases: list[Path]) -> None:
    old = lines(releases[1] / "dumps" / "kkb.nq")
    new = lines(releases[2] / "dumps" / "kkb.nq")
    found = read_manifest(releases[2])["changes"]["resources"]
    assert found == kinds_by_brute_force(old, new)
    assert found["kkb"] == {"added": 0, "removed": 1, "changed": 0}
    listed = json.loads((releases[2] / changes.LISTING).read_text(encoding="utf-8"))["listed"]
    assert listed["kkb"]["removed"] == [f"{BASE}id/kkb/{DROPPED_KKB}"]
    assert f"{BASE}id/activity/{CHANGED_ACTIVITY}" in listed["activities"]["changed"]
    assert len(listed["activities"]["changed"]) == found["activities"]["changed"]


def test_the_change_files_are_described_like_the_dumps(releases: list[Path]) -> None:
    made = read_manifest(releases[2])
    for entry in made["changes"]["files"]:
        assert set(entry) == set(made["dumps"][0])
        path = releases[2] / "dumps" / entry["name"]
        assert entry["size"] == path.stat().st_size
        assert gzip.decompress(path.read_bytes())  # a gzip file, and not empty this time


REC = f"<{BASE}id/kkb/62.04.06.2020/2024>".encode()
CLS = b"<https://w3id.org/kkb/def#classification>"
G = f" <{BASE}graph/registry> .\n".encode()


def test_classifications_are_counted_per_annual_record(tmp_path: Path) -> None:
    def record(year: str, level: str | None) -> bytes:
        subject = REC.replace(b"2024", year.encode())
        if level is None:
            return subject + b' <http://x/p> "y"' + G
        return subject + b" " + CLS + b" <https://w3id.org/kkb/def#" + level.encode() + b">" + G

    old = [record("2021", "dasar"), record("2022", "dasar"), record("2023", None), record("2024", "mandiri")]
    new = [
        record("2021", "dasar"),
        record("2022", "berkembang"),
        record("2023", None),
        record("2023", "dasar"),
    ]
    found = run_diff(tmp_path, old, new)
    assert found.resources["classifications"] == {"added": 1, "removed": 1, "changed": 1}
    assert found.listed["classifications"]["changed"] == [REC.decode()[1:-1].replace("2024", "2022")]
    assert found.resources["kkb"] == {"added": 0, "removed": 0, "changed": 1}


def run_diff(folder: Path, old: list[bytes], new: list[bytes]) -> changes.ChangeSet:
    for name, content in (("old.nq", old), ("new.nq", new)):
        (folder / name).write_bytes(b"".join(sorted(set(content), key=lambda x: x[:-1])))
    return changes.diff(folder / "old.nq", folder / "new.nq", folder / "a.gz", folder / "r.gz", (BASE,))


SUBJECTS = [
    f"<{BASE}id/{s}>"
    for s in (
        "village/62.04.06.2020",
        "kkb/62.04.06.2020",
        "kkb/62.04.06.2020/pokja",
        "kkb/62.04.06.2020/2021",
        "kkb/62.04.06.2021",
        "activity/a-1",
        "activity/a-10",
        "link/l-1",
        "org/o",
    )
] + ["_:b0", "<http://example.org/x>"]
LINE = st.builds(
    lambda s, p, o, g: f"{s} <http://x/{p}> {o} <{BASE}graph/{g}> .\n".encode(),
    st.sampled_from(SUBJECTS),
    st.sampled_from("pq"),
    st.sampled_from(['"a"', '"a b"', '"tab\there"', "<http://x/o>", '"c"@en']),
    st.sampled_from(["registry", "links/wikidata"]),
)


@hsettings(max_examples=examples(150), deadline=None)
@given(
    common=st.sets(LINE, max_size=60),
    only_old=st.sets(LINE, max_size=15),
    only_new=st.sets(LINE, max_size=15),
    block=st.sampled_from([1, 3, 64, 1024]),
)
def test_the_walk_finds_the_set_difference(
    common: set[bytes], only_old: set[bytes], only_new: set[bytes], block: int
) -> None:
    """Whatever the lines, and however small the blocks compared at once."""
    import tempfile

    old, new = common | only_old, common | only_new
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        patch.setattr(changes, "_FIRST_BLOCK", block)
        patch.setattr(changes, "_LAST_BLOCK", max(block, 4096))
        found = run_diff(Path(scratch), list(old), list(new))
        added = lines(Path(scratch) / "a.gz")
        removed = lines(Path(scratch) / "r.gz")
    assert set(added) == new - old and set(removed) == old - new
    assert (found.added, found.removed) == (len(new - old), len(old - new))
    assert found.resources == kinds_by_brute_force(list(old), list(new))


def test_a_dump_cut_short_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.nq").write_bytes(b"<http://x/s> <http://x/p> <http://x/o> <http://x/g> .")
    (tmp_path / "new.nq").write_bytes(b"")
    with pytest.raises(ValueError, match="no newline at its end"):
        changes.diff(tmp_path / "old.nq", tmp_path / "new.nq", tmp_path / "a", tmp_path / "r", (BASE,))


def test_the_listing_keeps_the_first_few_and_counts_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "LISTED", 2)
    found = changes.ChangeSet()
    for n in range(5):
        found.count("activities", "added", f"{BASE}id/activity/a-{n}")
    assert found.resources["activities"]["added"] == 5
    assert found.listed["activities"]["added"] == [f"{BASE}id/activity/a-0", f"{BASE}id/activity/a-1"]
    found.added = 40
    assert found.summary() == "40 statements added, 0 removed (activities 5 added)"
    assert changes.ChangeSet().summary() == "no change"


def test_a_units_boundary_belongs_to_the_unit(tmp_path: Path) -> None:
    """A village whose boundary geometry (``{village}/geometry``) changes is one changed unit,
    listed and dated by its own IRI, never a unit of its own (nor is its neighbour touched)."""
    village = BASE + "id/village/62.04.01.2001"
    neighbour = BASE + "id/village/62.04.01.2002"

    def line(subject: str, obj: str) -> bytes:
        return f'<{subject}> <http://www.opengis.net/ont/geosparql#asWKT> "{obj}"'.encode() + G

    old = [line(village, "a"), line(village + "/geometry", "POLYGON((1 1))"), line(neighbour, "b")]
    new = [line(village, "a"), line(village + "/geometry", "POLYGON((2 2))"), line(neighbour, "b")]
    found = run_diff(tmp_path, old, new)
    assert found.resources["units"] == {"added": 0, "removed": 0, "changed": 1}
    assert found.listed["units"]["changed"] == [village]
    assert found.touched == {village: "changed"}
