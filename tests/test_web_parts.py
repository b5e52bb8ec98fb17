"""The IRIs below a KKB and of registry rows as URLs: the web layer takes them from the Minter
(:meth:`kkb_lod.iris.Minter.parse`, tested in tests/test_iris.py) and answers 404 for any other
shape, before the store is asked."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from kkb_lod.iris import IriError, Minter

from .conftest import BASE

MINTER = Minter(BASE)


@pytest.mark.parametrize(
    "path",
    [
        "kkb/62.04.06/2024",
        "kkb/62.04.06.2020/pokjax",
        "kkb/62.04.06.2020/20245",
        "kkb/62.04.06.2020/0999",
        "kkb/62.04.06.2020/2024/x",
        "kkb/62.04.06.2020/",
        "village/62.04.06.2020/2024",
        "record/Registry",
        "record/a%2F%2Fb",
        "record/a/b",
        "record/a%20b",
        "record/x%3E",
        "nothing/2024",
    ],
)
def test_other_shapes_are_not_ours(client: FlaskClient, path: str) -> None:
    with pytest.raises(IriError):
        MINTER.parse(f"{BASE}id/{path}".replace("%2F", "/").replace("%20", " ").replace("%3E", ">"))
    answer = client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    assert b"is not an IRI of this dataset" in answer.data


@pytest.mark.parametrize(
    "path", ["kkb/62.04.06.2020/pokja", "kkb/62.04.06.2020/2024", "record/registry-kkb-csv-7"]
)
def test_well_formed_parts_reach_the_store(client: FlaskClient, path: str) -> None:
    """Well-formed but not in the bundled data: 404 from the store's answer, not from the IRI."""
    assert MINTER.owns(f"{BASE}id/{path}")
    answer = client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    assert b"nothing is known about" in answer.data
