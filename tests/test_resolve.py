"""Rows that name a village without its codes, or by an earlier name, built for real: the codes are
found only when one official village fits, each resolution is printed and published as a note, an
earlier name is accepted with a note, and the rest of the release is as without them."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kkb_lod.checks import find_problems, not_a_code
from kkb_lod.config import Settings
from kkb_lod.ingest import read_registry
from kkb_lod.pipeline import build
from kkb_lod.vocab import KKB, RDF, RDFS

from .conftest import BASE
from .test_ingest import apply_case

CASES = Path(__file__).parent / "cases" / "resolved"
NOTE = BASE + "id/note/"


def built(case: str, data_copy: Path, tmp_path: Path) -> tuple[Graph, list[str]]:
    apply_case(CASES / case, data_copy)
    lines: list[str] = []
    result = build(
        Settings(data_dir=data_copy, build_dir=tmp_path / "build", base_iri=BASE), progress=lines.append
    )
    return Graph().parse(result.release / "dumps" / "kkb.nt", format="nt"), lines


def test_the_cases_are_all_there() -> None:
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == [
        "earlier-name-with-code",
        "earlier-name-without-codes",
        "homonym-with-its-kecamatan",
    ]


def test_an_earlier_name_without_codes_is_resolved_and_said(data_copy: Path, tmp_path: Path) -> None:
    g, lines = built("earlier-name-without-codes", data_copy, tmp_path)
    [line] = [x for x in lines if "resolved village" in x]
    assert line.startswith(
        "registry/kkb.csv, row 4: resolved village 'Batapang' in kecamatan 'Dusun "
        "Hilir' to 62.04.02.2009 Batampang (kecamatan 62.04.02, its name in "
        "Kemendagri 2016)"
    )
    kkb = URIRef(BASE + "id/kkb/62.04.02.2009")
    assert (kkb, KKB.village, URIRef(BASE + "id/village/62.04.02.2009")) in g
    code = URIRef(NOTE + "code-62-04-02-2009-registry")
    assert (code, RDF.type, KKB.SourceDiscrepancy) in g
    assert (code, KKB.aspect, Literal("code")) in g
    assert (code, KKB.valueInSource, Literal("Batapang (kecamatan Dusun Hilir)")) in g
    assert (code, KKB.valueUsed, Literal("62.04.02.2009")) in g
    name = URIRef(NOTE + "name-62-04-02-2009-registry")
    assert (name, KKB.valueInSource, Literal("Batapang")) in g
    assert (name, KKB.valueUsed, Literal("Batampang")) in g
    assert any("Kemendagri 2016" in c for c in g.objects(name, RDFS.comment))


def test_a_homonym_is_resolved_by_its_kecamatan(data_copy: Path, tmp_path: Path) -> None:
    g, lines = built("homonym-with-its-kecamatan", data_copy, tmp_path)
    [line] = [x for x in lines if "resolved village" in x]
    assert line.startswith(
        "registry/kkb.csv, row 11: resolved village 'Marga Jaya' in kecamatan "
        "'Gunung Bintang Awai' to 62.04.05.2020 Marga Jaya (kecamatan 62.04.05)"
    )
    code = URIRef(NOTE + "code-62-04-05-2020-registry")
    assert (code, KKB.valueInSource, Literal("Marga Jaya (kecamatan Gunung Bintang Awai)")) in g
    # the same village and designation as the bundled row with codes: only the note is new
    assert (
        URIRef(BASE + "id/kkb/62.04.05.2020"),
        KKB.village,
        URIRef(BASE + "id/village/62.04.05.2020"),
    ) in g


def test_an_earlier_name_with_its_code_is_accepted_with_a_note(data_copy: Path) -> None:
    apply_case(CASES / "earlier-name-with-code", data_copy)
    registry = read_registry(data_copy)
    assert registry.resolutions == ()
    assert list(find_problems(registry)) == []


def test_a_removed_code_names_its_recorded_successor() -> None:
    said = not_a_code("91.01", "is not a code in the official region list")
    assert said.startswith(
        "is not a code in the official region list: it was 'KAB. MERAUKE' until the Kemendagri 2022 edition"
    )
    assert said.endswith("; replaced by 93.01 Kabupaten Merauke")
    # a code that never was: the message alone
    assert not_a_code("62.04.99", "is not a code") == "is not a code"


def test_a_row_with_neither_code_nor_a_known_name_is_refused(data_copy: Path) -> None:
    row = 4  # Kalanis, moved to the wrong kecamatan and without codes: no guess, suggestions
    lines = (data_copy / "registry" / "kkb.csv").read_text(encoding="utf-8").splitlines(True)
    lines[row - 1] = ",Kalanis,," + lines[row - 1].split(",", 3)[3].replace("Dusun Hilir", "Jenamas", 1)
    (data_copy / "registry" / "kkb.csv").write_text("".join(lines), encoding="utf-8")
    registry = read_registry(data_copy)
    assert registry.resolutions == ()
    [problem] = [p for p in find_problems(registry) if p.row == row]
    assert problem.column == "village_name" and problem.value == "Kalanis"
    assert "no official village of this name lies in kecamatan 'Jenamas'" in problem.message
    assert "62.04.02.2004 Kalanis (desa; Dusun Hilir 62.04.02" in problem.message
