"""Every refusal of intake's API: status and message. Plus idempotency, filters and catalogue versions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.intake.db.tables import UnitRow, outbox
from tests.integration.test_intake_flow import api  # noqa: F401  (fixture)
from tests.support.intake import CLERK, OFFICER, UNIT_EVENT, announce, declaration_body, owner_body, unit_body
from tests.support.stack import token


async def refused(api, body: dict, headers=CLERK) -> dict:  # type: ignore[no-untyped-def]
    r = await api.post("/v1/repair-requests", json=body, headers=headers)
    assert r.status_code == 422, r.text
    return {e["field"]: e["reason"] for e in r.json()["context"]["errors"]}


@pytest.fixture
async def owned(api):  # type: ignore[no-untyped-def]
    await api.post("/v1/owners", json=owner_body("fab-1"), headers=CLERK)
    return api


@pytest.mark.parametrize("unit,field,reason", [
    (unit_body("S", hs_code="84869"), "units[0].hs_code", "malformed HS code '84869'"),
    (unit_body("S", currency="XYZ"), "units[0].currency", "unknown ISO 4217 currency 'XYZ'"),
    (unit_body("S", declared_value="0"), "units[0].declared_value", "must be positive"),
    (unit_body("S", hs_code="8471300000"), "units[0].hs_code", "not_in_catalogue] (catalogue version 1)"),
    (unit_body("S", hs_code="9301100000"), "units[0].hs_code", "prohibited:93] (catalogue version 1)"),
    (unit_body("S", hs_code="8542311000", maker_group="other"), "units[0].hs_code", "own_products_only"),
])
async def test_unit_refusals_name_the_field(owned, unit, field, reason):
    errors = await refused(owned, {"owner_id": "fab-1", "origin": "KR", "units": [unit]})
    assert reason in errors[field]


async def test_origin_and_serial_refusals(owned):
    errors = await refused(owned, {"owner_id": "fab-1", "origin": "XQ", "units": [unit_body("S1")]})
    assert "unknown ISO 3166 country 'XQ'" in errors["origin"]
    await announce(owned, "fab-1", "KR", unit_body("S1"))
    errors = await refused(owned, {"owner_id": "fab-1", "origin": "KR", "units": [unit_body("S1"), unit_body("S2"),
                                                                                  unit_body("S2")]})
    assert "already in the zone" in errors["units[0].serial_number"]
    assert "appears twice" in errors["units[2].serial_number"]
    async with owned.rt.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(UnitRow)) == 1  # nothing half-written


async def test_unknown_owner_and_foreign_partner(owned):
    r = await owned.post("/v1/repair-requests", json={"owner_id": "nobody", "origin": "KR", "units": [unit_body("S")]},
                         headers=CLERK)
    assert r.status_code == 422 and "unknown owner 'nobody'" in r.json()["detail"]
    r = await owned.post("/v1/repair-requests", json={"owner_id": "fab-1", "origin": "KR", "units": [unit_body("S")]},
                         headers=token("partner", "other-owner"))
    assert r.status_code == 403 and "cannot act for owner fab-1" in r.json()["detail"]
    r = await owned.post("/v1/repair-requests", json={"owner_id": "fab-1", "origin": "KR", "units": [unit_body("S")]},
                         headers=token("partner", "fab-1"))
    assert r.status_code == 201


@pytest.mark.parametrize("over,status,message", [
    ({"bonded_inventory_list_no": "QD2244I26000000001"}, 422, "must be 18 characters"),
    ({"bonded_inventory_list_no": "QD224426E000000001"}, 422, "exit list"),
    ({"supervision_mode": "0110"}, 422, "use 1371"),
    ({"gate_pass_type": "9"}, 422, "gate_pass_type"),
    ({"unit_ids": ["missing"]}, 404, "unit missing not found"),
])
async def test_customs_entry_refusals(owned, over, status, message):
    [unit] = await announce(owned, "fab-1", "KR", unit_body("S1"))
    body = declaration_body([unit["id"]]) | over
    r = await owned.post("/v1/declarations", json=body, headers=CLERK)
    assert r.status_code == status and message in r.text


async def test_same_inventory_list_cannot_be_declared_twice(owned):
    units = await announce(owned, "fab-1", "KR", unit_body("S1"), unit_body("S2"))
    body = declaration_body([units[0]["id"]])
    assert (await owned.post("/v1/declarations", json=body, headers=CLERK)).status_code == 201
    r = await owned.post("/v1/declarations", json=body | {"unit_ids": [units[1]["id"]]}, headers=CLERK)
    assert r.status_code == 409 and "already declared" in r.json()["detail"]
    r = await owned.post("/v1/declarations", json=declaration_body([units[0]["id"]]), headers=CLERK)
    assert r.status_code == 409 and "allowed from announced" in r.json()["detail"]


async def test_idempotency_key_returns_the_first_result_and_creates_nothing_twice(owned):
    body = {"owner_id": "fab-1", "origin": "KR", "units": [unit_body("IDEM-1")]}
    key = {"Idempotency-Key": "req-42"} | CLERK
    first = await owned.post("/v1/repair-requests", json=body, headers=key)
    again = await owned.post("/v1/repair-requests", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    async with owned.rt.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(UnitRow)) == 1
        assert await s.scalar(select(func.count()).select_from(outbox).where(UNIT_EVENT)) == 1
    other = await owned.post("/v1/repair-requests", json=body | {"origin": "JP"}, headers=key)
    assert other.status_code == 422 and "different request body" in other.json()["detail"]


async def test_list_filters_and_pagination(owned):
    await owned.post("/v1/owners", json=owner_body("fab-2"), headers=CLERK)
    await announce(owned, "fab-1", "KR", unit_body("A1"), unit_body("A2", hs_code="9031410000"), unit_body("A3"))
    await announce(owned, "fab-2", "JP", unit_body("B1"))

    async def ids(**params):  # type: ignore[no-untyped-def]
        r = await owned.get("/v1/units", params=params, headers=CLERK)
        assert r.status_code == 200, r.text
        return sorted(u["serial_number"] for u in r.json())

    assert await ids(owner_id="fab-1") == ["A1", "A2", "A3"]
    assert await ids(hs_code="9031410000") == ["A2"]
    assert await ids(serial_number="B1") == ["B1"]
    assert await ids(state="announced", limit=2) != await ids(state="announced", limit=2, offset=2)
    assert await ids(state="received") == []
    assert await ids(announced_since="2999-01-01T00:00:00Z") == []
    partner = await owned.get("/v1/units", headers=token("partner", "fab-2"))
    assert [u["serial_number"] for u in partner.json()] == ["B1"]  # a partner sees its own units only
    r = await owned.get("/v1/units", params={"state": "flying"}, headers=CLERK)
    assert r.status_code == 422


async def test_catalogue_edits_make_versions_and_decisions_record_them(owned):
    r = await owned.put("/v1/catalogue/entries", json={"hs_code": "8471300000", "description": "Laptops"},
                        headers=CLERK)
    assert r.status_code == 403
    r = await owned.put("/v1/catalogue/entries", headers=OFFICER,
                        json={"hs_code": "8471300000", "description": "Portable test computers", "note": "pilot"})
    assert r.status_code == 200 and r.json()["version"] == 2
    [unit] = await announce(owned, "fab-1", "KR", unit_body("L1", hs_code="8471300000"))
    assert unit["catalogue_version"] == 2
    old = (await owned.get("/v1/catalogue/versions/1", headers=CLERK)).json()
    assert "8471300000" not in {e["hs_code"] for e in old["entries"]}
    versions = (await owned.get("/v1/catalogue/versions", headers=CLERK)).json()
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["created_by"].startswith("customs_officer:")
