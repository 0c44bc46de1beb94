"""Intake's HTTP API through its whole flow, on SQLite and PostgreSQL, events checked against the contract."""
from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from services.intake.bootstrap import build_app
from services.intake.db.tables import outbox
from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY
from tests.support.intake import CLERK, OFFICER, UNIT_EVENT, announce, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("intake", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def events(client: httpx.AsyncClient) -> list[tuple[str, dict]]:
    """Every outbox event, parsed through the contract registry (so each one validates)."""
    async with client.rt.sessions() as s:  # type: ignore[attr-defined]
        rows = (await s.execute(select(outbox).where(UNIT_EVENT).order_by(outbox.c.id))).all()
    out = []
    for r in rows:
        ce = CloudEvent.from_kafka([(k, v.encode()) for k, v in r.headers], r.payload.encode())
        REGISTRY.parse(ce)
        out.append((ce.type.split(".")[-2], json.loads(r.payload)))
    return out


async def test_foreign_unit_from_request_to_release(api):
    assert (await api.post("/v1/owners", json=owner_body(), headers=CLERK)).status_code == 201
    [unit] = await announce(api, "fab-sh-1", "KR", unit_body("SN-100"))
    assert unit["state"] == "announced" and unit["catalogue_version"] == 1
    r = await api.post("/v1/declarations", json=declaration_body([unit["id"]]), headers=CLERK)
    assert r.status_code == 201, r.text
    declared = r.json()
    if declared["inspection"]["selected"]:
        r = await api.post(f"/v1/declarations/{declared['id']}/inspection",
                           json={"method": "on_site", "passed": True, "seals": ["S-1"]}, headers=OFFICER)
        assert r.status_code == 200, r.text
    r = await api.post(f"/v1/units/{unit['id']}/receipt",
                       json={"serial_number": "SN-100", "part_number": "0040-86372", "condition_notes": "crate ok"},
                       headers=CLERK)
    assert r.status_code == 200 and r.json()["state"] == "received"
    assert r.json()["custody_location"] == "awaiting repair"
    r = await api.post(f"/v1/units/{unit['id']}/release", headers=CLERK)
    assert r.status_code == 200 and r.json()["state"] == "released_to_repair"
    history = (await api.get(f"/v1/units/{unit['id']}", headers=CLERK)).json()["history"]
    assert [h["action"] for h in history if h["action"] != "inspect"] == ["announce", "declare", "receive", "release"]
    kinds = [k for k, _ in await events(api)]
    assert kinds[0] == "announced" and kinds[-2:] == ["received", "released_to_repair"]
    released = (await events(api))[-1][1]
    assert released["documents"]["bonded_inventory_list"].startswith("QD2244")
    assert released["documents"]["supervision_mode"] == "1371" and "entry_record_list" in released["documents"]


async def test_domestic_unit_needs_the_1300_export_declaration(api):
    await api.post("/v1/owners", json=owner_body("oem-sz", kind="domestic", country="CN", tier="certified"),
                   headers=CLERK)
    [unit] = await announce(api, "oem-sz", "domestic", unit_body("SN-D1", hs_code="9031410000"))
    assert unit["origin"] == "domestic" and unit["origin_country"] is None
    body = declaration_body([unit["id"]], origin="foreign")  # entry record list instead of a 1300 declaration
    r = await api.post("/v1/declarations", json=body, headers=CLERK)
    assert r.status_code == 422 and "1300 export declaration" in r.json()["detail"]
    r = await api.post("/v1/declarations", json=declaration_body([unit["id"]], origin="domestic"), headers=CLERK)
    assert r.status_code == 201, r.text
    assert r.json()["documents"]["export_declaration"].startswith("1300:")


async def test_failed_inspection_rejects_with_direct_return(api):
    await api.post("/v1/owners", json=owner_body("bad-co", tier="seriously_dishonest"), headers=CLERK)
    [unit] = await announce(api, "bad-co", "US", unit_body("SN-X"))
    d = (await api.post("/v1/declarations", json=declaration_body([unit["id"]]), headers=CLERK)).json()
    assert d["inspection"]["selected"] and d["units"][0]["state"] == "inspection_pending"  # rate 1.0
    r = await api.post(f"/v1/declarations/{d['id']}/inspection",
                       json={"method": "remote_video", "passed": False, "notes": "x"}, headers=OFFICER)
    assert r.status_code == 422 and "remote_video" in r.json()["detail"]  # only the top tier may
    r = await api.post(f"/v1/declarations/{d['id']}/inspection",
                       json={"method": "on_site", "passed": False, "notes": "label does not match"}, headers=OFFICER)
    assert r.status_code == 200
    u = r.json()["units"][0]
    assert u["state"] == "rejected" and u["documents"]["return_mode"] == "4500"
    assert [k for k, _ in await events(api)][-2:] == ["inspected", "rejected"]


async def test_discrepancy_must_be_resolved_by_a_clerk(api):
    await api.post("/v1/owners", json=owner_body("fab-2", tier="advanced_certified"), headers=CLERK)
    [unit] = await announce(api, "fab-2", "JP", unit_body("SN-A"))
    d = (await api.post("/v1/declarations", json=declaration_body([unit["id"]]), headers=CLERK)).json()
    if d["inspection"]["selected"]:
        await api.post(f"/v1/declarations/{d['id']}/inspection", json={"method": "remote_video", "passed": True},
                       headers=OFFICER)
    r = await api.post(f"/v1/units/{unit['id']}/receipt", json={"serial_number": "SN-B", "part_number": "0040-86372"},
                       headers=CLERK)
    assert r.json()["state"] == "discrepancy" and r.json()["discrepancy"]["found_serial_number"] == "SN-B"
    r = await api.post(f"/v1/units/{unit['id']}/release", headers=CLERK)
    assert r.status_code == 409 and "allowed from received" in r.json()["detail"]
    r = await api.post(f"/v1/units/{unit['id']}/discrepancy/resolution",
                       json={"accept": False, "note": "wrong unit shipped"}, headers=CLERK)
    assert r.json()["state"] == "rejected" and r.json()["documents"]["return_mode"] == "4561"
    assert [k for k, _ in await events(api)][-3:] == ["discrepancy_found", "discrepancy_resolved", "rejected"]


async def test_parts_receipt_is_published_for_repair(api):
    body = {"part_number": "ESC-O-RING", "lot": "L2026-11", "quantity": 40, "unit_value": "12.50",
            "currency": "USD", "hs_code": "8486909000", "origin": "foreign",
            "documents": {"bonded_inventory_list": "QD224426I000000777", "gate_pass": "HF224426000000777"}}
    r = await api.post("/v1/parts-receipts", json=body, headers=CLERK)
    assert r.status_code == 201, r.text
    kind, payload = (await events(api))[-1]
    assert kind == "received" and payload["receipt_id"] == r.json()["id"] and payload["quantity"] == 40
    r = await api.post("/v1/parts-receipts", json=body | {"quantity": 0}, headers=CLERK)
    assert r.status_code == 422
