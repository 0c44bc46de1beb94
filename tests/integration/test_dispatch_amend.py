"""删改单 on SQLite and PostgreSQL: amend a decision, cancel an exit (an open shipment lets the item go; a disposal's
ledger line is reversed by a line of its own), each audited and published; 409 where the state forbids it."""
from __future__ import annotations

from shared.contract.events.repair import OldPartRecorded
from tests.integration.test_dispatch_flow import DESK, EXIT_ABROAD, NOW, OFFICER, api, feed, types, unit  # noqa: F401

WHY = {"reason": "owner changed the delivery plan"}


async def test_amend_decision_then_cancel_exit_out_of_a_planned_shipment(api):
    await unit(api, "a1")
    await api.post("/v1/items/a1/decision", json={"destination": "re_export", "destination_country": "US"},
                   headers=DESK)
    r = await api.post("/v1/items/a1/decision/amendment", json={"destination": "re_export", "destination_country": "XX",
                                                                **WHY}, headers=DESK)
    assert r.status_code == 422 and "unknown ISO 3166 country 'XX'" in r.text
    r = await api.post("/v1/items/a1/decision/amendment", json={"destination": "re_export", "destination_country": "DE",
                                                                **WHY}, headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["destination_country"] == "DE"
    [entry] = r.json()["item"]["history"]
    assert entry["reason"] == WHY["reason"] and entry["actor"].startswith("dispatcher")
    assert (await api.post("/v1/items/a1/exit-declaration", json=EXIT_ABROAD, headers=DESK)).status_code == 200
    r = await api.post("/v1/items/a1/decision/amendment", json={"destination": "exchange_pool", **WHY}, headers=DESK)
    assert r.status_code == 409 and "amend_decision is allowed from decided, exchange_pool" in r.json()["detail"]
    s = (await api.post("/v1/shipments", headers=DESK, json={"carrier": "DHL", "tracking_number": "D9",
         "destination_country": "DE", "address": "Munich", "incoterm": "DAP"})).json()
    assert (await api.post(f"/v1/shipments/{s['id']}/items", json={"item_id": "a1"}, headers=DESK)).status_code == 200
    r = await api.post("/v1/items/a1/exit-declaration/cancellation", json={"reason": " "}, headers=DESK)
    assert r.status_code == 422
    r = await api.post("/v1/items/a1/exit-declaration/cancellation", json={"reason": "wrong inventory list"},
                       headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["state"] == "decided"
    assert r.json()["item"]["exit_documents"] == {}
    assert (await api.get(f"/v1/shipments/{s['id']}", headers=DESK)).json()["items"] == []
    assert (await types(api))[-3:] == ["destination_amended", "exit_declared", "exit_cancelled"]
    assert (await api.post("/v1/items/a1/exit-declaration", json=EXIT_ABROAD, headers=DESK)).status_code == 200


async def test_a_shipped_exit_cannot_be_cancelled(api):
    await unit(api, "a2")
    await api.post("/v1/items/a2/decision", json={"destination": "re_export", "destination_country": "DE"},
                   headers=DESK)
    await api.post("/v1/items/a2/exit-declaration", json=EXIT_ABROAD, headers=DESK)
    s = (await api.post("/v1/shipments", headers=DESK, json={"carrier": "DHL", "tracking_number": "D8",
         "destination_country": "DE", "address": "Munich", "incoterm": "DAP"})).json()
    await api.post(f"/v1/shipments/{s['id']}/items", json={"item_id": "a2"}, headers=DESK)
    for to in ("customs_cleared", "shipped"):
        assert (await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": to}, headers=DESK)).status_code == 200
    r = await api.post("/v1/items/a2/exit-declaration/cancellation", json=WHY, headers=DESK)
    assert r.status_code == 409 and "it is shipped" in r.json()["detail"]


async def test_a_cancelled_disposal_is_reversed_by_its_own_ledger_line(api):
    await unit(api, "a3")
    await feed(api, OldPartRecorded(unit_id="a3", old_part_id="op-9", work_order_id="wo-a3", owner_id="fab-1",
                                    part_number="ESC-OLD", quantity=1, origin="foreign",
                                    allowed_routes=["destruction_0200"], disposal_deadline=NOW, removed_at=NOW))
    await api.post("/v1/items/op-9/decision", json={"destination": "destruction"}, headers=DESK)
    doc = {"supervision_mode": "0200", "gate_pass_no": "HF224426000000019", "gate_pass_type": "1",
           "bonded_inventory_list_no": "QD224426E000000019"}
    assert (await api.post("/v1/items/op-9/exit-declaration", json=doc, headers=DESK)).status_code == 200
    r = await api.post("/v1/items/op-9/exit-declaration/cancellation",
                       json={"reason": "wrong part destroyed on paper", "reference": "CX2026120100001"}, headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["state"] == "decided", r.text
    body = (await api.get("/v1/ledger/items/op-9", headers=OFFICER)).json()
    lines = body["lines"]
    assert [(ln["category"], ln["movement"]) for ln in lines] == [
        ("old_parts", "received"), ("old_parts", "destroyed"), ("old_parts", "received")]
    assert lines[-1]["documents"]["cancels_bonded_inventory_list_no"] == "QD224426E000000019"
    assert lines[-1]["documents"]["cancellation"] == "CX2026120100001" and "删单" in lines[-1]["note"]
    assert body["on_hand"] == {"old_parts": 1}, body["on_hand"]
    again = (await api.post("/v1/items/op-9/exit-declaration", json=doc, headers=DESK))
    assert again.status_code == 200 and again.json()["item"]["state"] == "disposed"
