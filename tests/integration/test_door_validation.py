"""Issue 14: every country and currency is checked when it comes in, in intake and repair, with a 422
that names what is wrong, and nothing is written (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.intake.db.tables import OwnerRow, PartsReceiptRow, outbox
from tests.integration.test_intake_flow import api
from tests.integration.test_repair_helpers import QUOTE, TECH, release, repair
from tests.support.intake import CLERK, owner_body, unit_body

__all__ = ["api", "repair"]
NOT_MONEY = "is an ISO 4217 code but not a currency a price can be in"
PARTS = {"part_number": "ESC-O-RING", "lot": "L1", "quantity": 4, "unit_value": "12.50", "currency": "USD",
         "hs_code": "8486909000", "origin": "foreign",
         "documents": {"bonded_inventory_list": "QD224426I000000777", "gate_pass": "HF224426000000777"}}


async def count(api, table) -> int:  # type: ignore[no-untyped-def]
    """Rows of ``table``; in the outbox, the units' and receipts' events (an owner's registration is one too)."""
    q = select(func.count()).select_from(table)
    if table is outbox:
        q = q.where(outbox.c.type != "com.bondline.intake.owner.registered.v1")
    async with api.rt.sessions() as s:
        return await s.scalar(q)


@pytest.mark.parametrize("currency", ["XXX", "XAU", "XTS"])
async def test_a_repair_request_in_no_currency_is_refused_naming_why(api, currency):
    await api.post("/v1/owners", json=owner_body("fab-1"), headers=CLERK)
    body = {"owner_id": "fab-1", "origin": "KR", "units": [unit_body("S-1", currency=currency)]}
    r = await api.post("/v1/repair-requests", json=body, headers=CLERK)
    assert r.status_code == 422, r.text
    [error] = r.json()["context"]["errors"]
    assert error["field"] == "units[0].currency" and f"'{currency}' {NOT_MONEY}" in error["reason"]
    assert await count(api, outbox) == 0


async def test_an_unknown_origin_or_owner_country_is_refused(api):
    r = await api.post("/v1/owners", json=owner_body("fab-x", country="XX"), headers=CLERK)
    assert r.status_code == 422 and r.json()["context"] == {"field": "country"}
    assert "unknown ISO 3166 country 'XX' (two capital letters" in r.json()["detail"]
    assert await count(api, OwnerRow) == 0
    await api.post("/v1/owners", json=owner_body("fab-1"), headers=CLERK)
    r = await api.post("/v1/repair-requests", json={"owner_id": "fab-1", "origin": "kr", "units": [unit_body("S")]},
                       headers=CLERK)
    assert r.status_code == 422
    assert "unknown ISO 3166 country 'kr'" in r.json()["context"]["errors"][0]["reason"]


async def test_a_parts_receipt_in_no_currency_is_refused(api):
    r = await api.post("/v1/parts-receipts", json=PARTS | {"currency": "XXX"}, headers=CLERK)
    assert r.status_code == 422 and r.json()["context"] == {"field": "currency"}
    assert NOT_MONEY in r.json()["detail"]
    assert await count(api, PartsReceiptRow) == 0


async def test_a_quote_in_no_currency_is_refused_at_the_door_whatever_the_state(repair):
    wo_id = await release(repair)  # queued: not yet diagnosed, so a quote would be a 409 for its state
    for currency in ("XXX", "XDR", "ABC"):
        r = await repair.post(f"/v1/work-orders/{wo_id}/quote", json=QUOTE | {"currency": currency}, headers=TECH)
        assert r.status_code == 422, r.text
        assert r.json()["context"] == {"field": "currency"} and f"'{currency}'" in r.json()["detail"]
    r = await repair.post(f"/v1/work-orders/{wo_id}/quote", json=QUOTE | {"currency": "XXX"}, headers=TECH)
    assert NOT_MONEY in r.json()["detail"]
    wo = (await repair.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()
    assert wo["quote"] is None and wo["version"] == 1


async def test_an_owner_patch_cannot_null_its_name(api):
    assert (await api.post("/v1/owners", json=owner_body("fab-null"), headers=CLERK)).status_code == 201
    r = await api.patch("/v1/owners/fab-null", json={"name": None}, headers=CLERK)
    assert r.status_code == 422 and "name cannot be null" in str(r.json()["detail"]), r.text
    assert (await api.get("/v1/owners/fab-null", headers=CLERK)).json()["name"] == owner_body("fab-null")["name"]
    r = await api.patch("/v1/owners/fab-null", json={"group": None}, headers=CLERK)
    assert r.status_code == 200 and r.json()["group"] is None  # the group may be cleared
