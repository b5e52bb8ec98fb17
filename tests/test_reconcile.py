"""``/reconcile``: the Reconciliation Service API 0.2 over the national reference and the release.

Every answer is validated against the official JSON Schemas (``tests/reconciliation_schemas/``,
draft-07, registered under their ``$id``s, as the spec's own CI runs them). The expected units are
facts of the packaged Kemendagri 2025 reference: "Marga Jaya" (or "Margajaya") names 12 villages, one of them
62.04.05.2020 in kecamatan Gn. Bintang Awai (Barito Selatan), whose KKB the bundled registry holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from kkb_lod.reference import national_units
from kkb_lod.web.reconcile import BATCH_SIZE, MAX_TEXT

SCHEMAS = Path(__file__).with_name("reconciliation_schemas")
DEF = "https://w3id.org/kkb/def#"


def _registry() -> Registry:
    registry = Registry()
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema, default_specification=_draft7())
        registry = registry.with_resource(schema["$id"], resource)
        registry = registry.with_resource(schema["$id"].rstrip("#"), resource)
    return registry


def _draft7():  # noqa: ANN202 - the referencing specification object
    from referencing.jsonschema import DRAFT7

    return DRAFT7


REGISTRY = _registry()


def check(schema: str, answer: object) -> None:
    """``answer`` is valid against the official schema ``schema`` (0 errors, each printed)."""
    contents = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in Draft7Validator(contents, registry=REGISTRY).iter_errors(answer)
    ]
    assert not errors, errors


def reconcile(client: FlaskClient, queries: dict, method: str = "POST") -> dict:
    if method == "POST":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        response = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    check("reconciliation-result-batch.json", body)
    check("reconciliation-query-batch.json", queries)  # what we send is what clients send
    assert set(body) == set(queries)
    for answer in body.values():
        scores = [c["score"] for c in answer["result"]]
        assert scores == sorted(scores, reverse=True)
    return body


def test_the_schemas_reject_what_they_should() -> None:
    """The validator is live: a manifest without identifierSpace fails, as in the spec's examples."""
    with pytest.raises(AssertionError):
        check("manifest.json", {"versions": ["0.2"], "name": "x", "schemaSpace": "http://x/"})
    with pytest.raises(AssertionError):
        check("reconciliation-result-batch.json", {"q0": {"result": [{"id": "1", "name": "x"}]}})


def test_manifest(client: FlaskClient) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.get_json()
    check("manifest.json", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/kkb/id/"
    assert manifest["schemaSpace"] == DEF
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        DEF + n for n in ("Province", "Regency", "City", "District", "Desa", "Kelurahan", "KKBDesignation")
    }
    assert manifest["batchSize"] == BATCH_SIZE
    assert "{{id}}" in manifest["view"]["url"] and "{{id}}" in manifest["preview"]["url"]


def test_a_homonym_is_never_certain_without_its_parent(client: FlaskClient) -> None:
    body = reconcile(client, {"q0": {"query": "MARGA JAYA", "type": "desa", "limit": 20}})
    result = body["q0"]["result"]
    official = sum(u.name == "Marga Jaya" and u.level == "village" for u in national_units())
    assert official >= 11
    assert sum(c["name"] == "Marga Jaya" for c in result) == official
    assert not any(c["match"] for c in result)
    assert "62.04.05.2020" in [c["id"] for c in result]


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_the_parent_makes_it_certain(client: FlaskClient, method: str) -> None:
    queries = {
        "by_name": {
            "query": "Marga Jaya",
            "type": DEF + "Desa",
            "properties": [{"pid": "district", "v": "Gunung Bintang Awai"}],
        },
        "by_code": {"query": "marga jaya", "properties": [{"pid": "parent", "v": "62.04"}]},
        "by_province": {
            "query": "Marga Jaya",
            "type": "Desa",
            "properties": [{"pid": "province", "v": "KALIMANTAN TENGAH"}],
        },
    }
    body = reconcile(client, queries, method)
    for key in queries:
        first = body[key]["result"][0]
        assert first["id"] == "62.04.05.2020" and first["match"] is True, key
        assert {"id": "parent", "value": 1.0} in first["features"]
        assert sum(c["match"] for c in body[key]["result"]) == 1
        assert first["type"][0]["id"] == DEF + "Desa"


def test_a_near_namesake_makes_a_name_alone_uncertain(client: FlaskClient) -> None:
    """BPS spells Sari Bhakti (Lampung) "SARI BAKTI", the exact name of Saribakti (Garut): alone,
    the spelling cannot tell them apart; with its regency it can."""
    body = reconcile(
        client,
        {
            "alone": {"query": "SARI BAKTI", "type": "desa"},
            "garut": {
                "query": "SARI BAKTI",
                "type": "desa",
                "properties": [{"pid": "regency", "v": "Garut"}],
            },
            "unique": {"query": "Kalahien", "type": "village"},
        },
    )
    alone = body["alone"]["result"]
    assert alone[0]["id"] == "32.05.26.2003" and not any(c["match"] for c in alone)
    assert "18.02.10.2010" in [c["id"] for c in alone]  # Sari Bhakti, listed
    assert body["garut"]["result"][0]["match"] is True
    unique = body["unique"]["result"][0]
    assert (unique["name"], unique["match"]) == ("Kalahien", True)


def test_a_wrong_parent_is_not_certain(client: FlaskClient) -> None:
    body = reconcile(
        client,
        {
            "q": {
                "query": "Marga Jaya",
                "type": "desa",
                "properties": [{"pid": "district", "v": "Dusun Selatan"}],
            }
        },
    )
    result = body["q"]["result"]
    assert not any(c["match"] for c in result)
    assert all({"id": "parent", "value": 0.0} in c["features"] for c in result if c["name"] == "Marga Jaya")


def test_kind_postal_and_bps_code(client: FlaskClient) -> None:
    body = reconcile(
        client,
        {
            "kind": {
                "query": "Marga Jaya",
                "properties": [{"pid": "kind", "v": "kelurahan"}, {"pid": "district", "v": "62.04.05"}],
            },
            "postal": {
                "query": "Marga Jaya",
                "type": "desa",
                "properties": [{"pid": "postal_code", "v": "73753"}],
            },
            "bps": {"properties": [{"pid": "bps_code", "v": "6204060010"}]},
            "code": {"query": "62.04.05.2020"},
        },
    )
    kind = body["kind"]["result"][0]
    assert kind["id"] == "62.04.05.2020" and not kind["match"]  # a desa, not a kelurahan
    assert {"id": "kind", "value": 0.0} in kind["features"]
    for key in ("postal", "bps", "code"):
        first = body[key]["result"][0]
        assert (first["id"], first["match"]) == ("62.04.05.2020", True), key


def test_kkb_type_answers_the_release_designation(client: FlaskClient) -> None:
    body = reconcile(client, {"q": {"query": "Marga Jaya", "type": "kkb"}})
    result = body["q"]["result"]
    assert [c["id"] for c in result] == ["kkb/62.04.05.2020"]
    assert result[0]["type"][0]["id"] == DEF + "KKBDesignation"
    assert result[0]["match"] is False  # twelve villages bear the name: not certain alone


def test_a_unit_outside_the_release_reconciles_from_the_reference(client: FlaskClient) -> None:
    body = reconcile(client, {"q": {"query": "Kota Banda Aceh", "type": "city"}})
    first = body["q"]["result"][0]
    assert (first["id"], first["name"], first["match"]) == ("11.71", "Kota Banda Aceh", True)


def test_suggest_entity_type_property_with_cursor(client: FlaskClient) -> None:
    pages = []
    for cursor in (0, 10):
        response = client.get(
            "/reconcile/suggest/entity", query_string={"prefix": "marga ja", "cursor": cursor}
        )
        assert response.status_code == 200
        check("suggest-entities-response.json", response.get_json())
        pages.append([r["id"] for r in response.get_json()["result"]])
    assert len(pages[0]) == 10 and pages[1] and not set(pages[0]) & set(pages[1])
    assert "62.04.05.2020" in pages[0] + pages[1]
    types = client.get("/reconcile/suggest/type?prefix=kel").get_json()
    check("suggest-types-response.json", types)
    assert DEF + "Kelurahan" in [t["id"] for t in types["result"]]
    props = client.get("/reconcile/suggest/property?prefix=post").get_json()
    check("suggest-properties-response.json", props)
    assert "postal_code" in [p["id"] for p in props["result"]]


def test_property_proposals_and_extension(client: FlaskClient) -> None:
    proposed = client.get("/reconcile/properties", query_string={"type": DEF + "Desa"}).get_json()
    check("data-extension-property-proposal.json", proposed)
    ids = [p["id"] for p in proposed["properties"]]
    assert {"code", "bps_code", "postal_code", "district", "latitude", "kkb_status"} <= set(ids)
    regency = client.get("/reconcile/properties?type=regency").get_json()
    assert "postal_code" not in [p["id"] for p in regency["properties"]]
    query = {
        "ids": ["62.04.05.2020", "11.71"],
        "properties": [
            {"id": p}
            for p in (
                "code",
                "bps_code",
                "postal_code",
                "kind",
                "district",
                "regency",
                "province",
                "latitude",
                "wikidata",
                "kkb_status",
            )
        ],
    }
    check("data-extension-query.json", query)
    response = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert response.status_code == 200
    body = response.get_json()
    check("data-extension-response.json", body)
    village, city = body["rows"]["62.04.05.2020"], body["rows"]["11.71"]
    assert village["bps_code"] == [{"str": "6204060010"}]
    assert village["postal_code"] == [{"str": "73753"}]
    assert village["district"] == [{"id": "62.04.05", "name": "Gn. Bintang Awai"}]
    assert village["province"] == [{"id": "62", "name": "Kalimantan Tengah"}]
    assert village["kkb_status"] == [{"str": "Designated"}]
    assert city["kkb_status"] == [] and city["postal_code"] == []
    assert city["province"] == [{"id": "11", "name": "Aceh"}] and city["wikidata"]


def test_preview_is_a_card_that_may_be_framed(client: FlaskClient) -> None:
    response = client.get("/reconcile/preview?id=62.04.05.2020")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for fact in ("Marga Jaya", "62.04.05.2020", "Gn. Bintang Awai", "Designated", "Desa"):
        assert fact in html
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert html.count('class="pt here"') == 1 and html.count('class="pt other"') >= 5  # the map
    assert "http" not in html.split("<body>")[1].replace('xmlns="http://www.w3.org/2000/svg"', "")
    outside = client.get("/reconcile/preview?id=11.71", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Kota Banda Aceh" in outside and "outside this release" in outside
    assert client.get("/id/village/62.04.05.2020").headers["X-Frame-Options"] == "DENY"


def test_view_goes_to_the_page_or_the_card(client: FlaskClient) -> None:
    assert (
        client.get("/reconcile/view/62.04.05.2020").headers["Location"].endswith("/id/village/62.04.05.2020")
    )
    assert (
        client.get("/reconcile/view/kkb/62.04.05.2020").headers["Location"].endswith("/id/kkb/62.04.05.2020")
    )
    assert "/reconcile/preview?id=11.71" in client.get("/reconcile/view/11.71").headers["Location"]


BAD = [
    ({"queries": "{"}, 400, "not valid JSON"),
    ({"queries": "[1]"}, 400, "must be a JSON object"),
    ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(BATCH_SIZE + 1)})}, 413, "batchSize"),
    ({"queries": json.dumps({"q": {"query": "x", "type": "Planet"}})}, 400, "unknown type 'Planet'"),
    (
        {"queries": json.dumps({"q": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}})},
        400,
        "unknown property 'colour'",
    ),
    ({"queries": json.dumps({"q": {"query": "x" * (MAX_TEXT + 1)}})}, 400, "characters long"),
    ({"queries": json.dumps({"q": {"query": "x", "limit": 0}})}, 400, "'limit'"),
    ({"queries": json.dumps({"q": {"query": "a\u0000b"}})}, 400, "control character"),
    ({"queries": json.dumps({"q": {"type": "desa"}})}, 400, "neither a 'query'"),
    (
        {"queries": json.dumps({"q": {"query": "x", "properties": [{"pid": "kind", "v": "town"}]}})},
        400,
        "unknown kind",
    ),
    (
        {"extend": json.dumps({"ids": ["62"], "properties": [{"id": "colour"}]})},
        400,
        "unknown extension property",
    ),
    ({"extend": json.dumps({"ids": "62", "properties": []})}, 400, "'ids'"),
    ({"extend": "nope"}, 400, "not valid JSON"),
    ({"frobnicate": "1"}, 400, "unknown parameter"),
    ({"queries": "[" * 100_000}, 400, "nests too deeply"),
    ({"queries": json.dumps({"\ud800": {"query": "x"}})}, 400, "lone surrogate"),
    (
        {"queries": json.dumps({"q": {"query": "x", "properties": [{"pid": "parent", "v": {"a": 1}}]}})},
        400,
        "must be a string",
    ),
]


@pytest.mark.parametrize(("form", "status", "names"), BAD)
def test_bad_input_gets_a_json_4xx_naming_it(
    client: FlaskClient, form: dict, status: int, names: str
) -> None:
    response = client.post("/reconcile", data=form)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == "error" and names in body["message"], body
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url",
    [
        "/reconcile/suggest/entity?prefix=" + "x" * 1000,
        "/reconcile/suggest/entity?prefix=a&cursor=-1",
        "/reconcile/properties?type=Planet",
        "/reconcile/preview?id=99.99",
        "/reconcile/preview?id=",
        "/reconcile/view/not-a-code",
    ],
)
def test_bad_suggest_preview_and_view(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert 400 <= response.status_code < 500
    assert response.get_json()["status"] == "error"
