"""Issue 14: a parts receipt's documents are refused at the door with the rules units get (format, the I/E
position, a year no later than the current one), and nothing is written (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select

from services.intake.bootstrap import build_app
from services.intake.db.tables import PartsReceiptRow, outbox
from services.intake.domain.documents import CUSTOMS_TIME
from tests.integration.test_intake_flow import api  # noqa: F401  (fixture)
from tests.support.intake import CLERK, announce, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime

BODY = {"part_number": "ESC-O-RING", "lot": "L2026-12", "quantity": 40, "unit_value": "12.50", "currency": "USD",
        "hs_code": "8486909000", "origin": "foreign", "bonded": True}
LIST_FIELD = {"field": "documents.bonded_inventory_list"}
YEAR = datetime.now(CUSTOMS_TIME).year  # the clock's year in China, so the tests hold in any year


def listed(year: int) -> str:
    return f"QD2244{year % 100:02d}I000000001"


async def written(api) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with api.rt.sessions() as s:
        return (await s.scalar(select(func.count()).select_from(PartsReceiptRow)),
                await s.scalar(select(func.count()).select_from(outbox)))


@pytest.mark.parametrize("documents, context, why", [
    ({}, LIST_FIELD, "bonded parts enter on a bonded inventory list"),
    ({"bonded_inventory_list": "garbage", "gate_pass": "x"}, LIST_FIELD, "must be 18 characters"),
    ({"bonded_inventory_list": "QD224426E000000777"}, LIST_FIELD, "is an exit list; this movement needs 'I'"),
    ({"bonded_inventory_list": "QD531699I000000001"}, LIST_FIELD, f"carries the year 2099, after {YEAR}"),
    ({"bonded_inventory_list": listed(YEAR + 1)}, LIST_FIELD, f"carries the year {YEAR + 1}, after {YEAR}"),
    ({"bonded_inventory_list": "QD224426I000000777\n"}, LIST_FIELD, "must be 18 characters"),
    ({"bonded_inventory_list": "QD224426I000000777", "gate_pass": "x"}, {"field": "documents.gate_pass"},
     "does not match the gate pass format"),
    ({"bonded_inventory_list": "QD224426I000000777"}, {"field": "documents.gate_pass"},
     "cross the zone's gate on a gate pass"),
])
async def test_bad_documents_are_refused_and_nothing_is_written(api, documents, context, why):
    r = await api.post("/v1/parts-receipts", json=BODY | {"documents": documents}, headers=CLERK)
    assert r.status_code == 422, r.text
    assert r.json()["context"] == context and why in r.json()["detail"]
    assert await written(api) == (0, 0)


async def test_good_documents_and_duty_paid_receipts_are_taken(api):
    docs = {"bonded_inventory_list": listed(YEAR), "gate_pass": "HF22440000000001"}
    assert (await api.post("/v1/parts-receipts", json=BODY | {"documents": docs}, headers=CLERK)).status_code == 201
    duty_paid = BODY | {"origin": "domestic", "bonded": False, "documents": {}}
    assert (await api.post("/v1/parts-receipts", json=duty_paid, headers=CLERK)).status_code == 201
    r = await api.post("/v1/parts-receipts", json=duty_paid | {"documents": {"bonded_inventory_list": "x"}},
                       headers=CLERK)
    assert r.status_code == 422 and r.json()["context"] == LIST_FIELD  # a number given is checked all the same
    assert await written(api) == (2, 2)


async def test_a_unit_declaration_with_a_future_year_is_refused(api):
    await api.post("/v1/owners", json=owner_body("fab-1"), headers=CLERK)
    [unit] = await announce(api, "fab-1", "KR", unit_body("SN-Y"))
    body = declaration_body([unit["id"]], bonded_inventory_list_no="QD531699I000000001")
    r = await api.post("/v1/declarations", json=body, headers=CLERK)
    assert r.status_code == 422 and "carries the year 2099" in r.json()["detail"]
    assert (await api.get(f"/v1/units/{unit['id']}", headers=CLERK)).json()["unit"]["state"] == "announced"


async def test_the_year_tolerance_is_a_setting(db_url, monkeypatch):
    monkeypatch.setenv("INTAKE_DOCUMENT_YEAR_TOLERANCE", "1")
    rt = runtime("intake", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as c:
            ok = BODY | {"documents": {"bonded_inventory_list": listed(YEAR + 1), "gate_pass": "HF22440000000001"}}
            assert (await c.post("/v1/parts-receipts", json=ok, headers=CLERK)).status_code == 201
            too_far = BODY | {"documents": {"bonded_inventory_list": listed(YEAR + 2)}}
            r = await c.post("/v1/parts-receipts", json=too_far, headers=CLERK)
            assert r.status_code == 422 and f"after {YEAR + 1}" in r.json()["detail"]
    finally:
        await rt.dispose()
