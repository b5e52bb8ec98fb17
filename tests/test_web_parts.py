"""The IRIs below a KKB and of registry rows, as the web layer reads them
(:mod:`kkb_lod.web._parts`): exactly the shapes of SPEC-16, the Minter's own kinds first."""

from __future__ import annotations

import pytest

from kkb_lod.iris import IriError, Minter
from kkb_lod.web._parts import mint, owns, part_of

from .conftest import BASE

MINTER = Minter(BASE)


@pytest.mark.parametrize(("kind", "key", "part"), [
    ("kkb", "62.04.06.2020/pokja", "pokja"), ("kkb", "62.04.06.2020/2024", "2024"),
    ("kkb", "62.04.06.1001/1999", "1999"), ("record", "registry-xlsx-kampung-kb-7", "record"),
    ("record", "registry-xlsx/kampung-kb/7", "record")])
def test_the_parts_are_read(kind: str, key: str, part: str) -> None:
    assert part_of(kind, key) == part
    iri = mint(MINTER, kind, key)
    assert iri == f"{BASE}id/{kind}/{key}" and owns(MINTER, iri)


@pytest.mark.parametrize(("kind", "key"), [
    ("kkb", "62.04.06.2020"),  # the KKB itself: the Minter's
    ("kkb", "62.04.06/2024"), ("kkb", "62.04.06.2020/pokjax"), ("kkb", "62.04.06.2020/20245"),
    ("kkb", "62.04.06.2020/0999"), ("kkb", "62.04.06.2020/2024/x"), ("kkb", "62.04.06.2020/"),
    ("village", "62.04.06.2020/2024"), ("record", "Registry"), ("record", "a//b"),
    ("record", "a/b/c/d/e"), ("record", "a b"), ("record", "x>"), ("nothing", "2024")])
def test_nothing_else_is(kind: str, key: str) -> None:
    assert part_of(kind, key) is None
    iri = f"{BASE}id/{kind}/{key}"
    assert owns(MINTER, iri) == MINTER.owns(iri)
    if not MINTER.owns(iri):
        with pytest.raises(IriError):
            mint(MINTER, kind, key)


def test_the_minters_own_iris_come_from_it() -> None:
    assert mint(MINTER, "kkb", "62.04.06.2020") == str(MINTER.kkb("62.04.06.2020"))
    assert not owns(MINTER, "https://example.org/id/kkb/62.04.06.2020/pokja")
