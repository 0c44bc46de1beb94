"""Trade compliance end to end (issue 19), through the real broker: a repaired US-origin unit's re-export to a
destination that needs a licence is held at the decision, refused at the declaration, released by the compliance
officer with the licence, declared, shipped and delivered; its owner sees the hold and the release in partners."""
from __future__ import annotations

import httpx

from tests.e2e.flow import DESK, OWNER, complete, eventually, receive_and_release, work_order_for
from tests.support.stack import Stack, token

COMPLIANCE, OWNER_TOKEN = token("compliance_officer"), token("partner", OWNER)
EXIT = {"supervision_mode": "1371", "gate_pass_no": "HF224426000000301", "gate_pass_type": "1",
        "bonded_inventory_list_no": "QD224426E000000301", "outbound_record_list_no": "OR2244260000000301"}


def test_a_reexport_to_a_licence_country_is_held_released_with_a_licence_and_shipped(stack: Stack) -> None:
    dispatch = stack.url("dispatch")
    with httpx.Client(timeout=15) as client:
        unit_id = receive_and_release(client, stack, "GTS-1", origin="US")
        wo = eventually(lambda: work_order_for(client, stack, unit_id), 30, "work order")
        complete(client, stack, wo["id"], "repaired")
        item = f"{dispatch}/v1/items/{unit_id}"
        eventually(lambda: client.get(item, headers=DESK).status_code == 200
                   and client.get(item, headers=DESK).json()["item"]["state"] == "awaiting_dispatch", 30, "candidate")
        r = client.post(item + "/decision", json={"destination": "re_export", "destination_country": "HK"},
                        headers=DESK)
        assert r.status_code == 200, r.text
        [hold] = r.json()["compliance_holds"]
        assert hold["control"] == "licence_required" and hold["matched"]["classification"] == "3B991"
        r = client.post(item + "/exit-declaration", json=EXIT, headers=DESK)
        assert r.status_code == 409 and "compliance hold" in r.json()["detail"], r.text
        r = client.post(f"{dispatch}/v1/compliance/holds/{hold['id']}/release", headers=COMPLIANCE, json={
            "basis": "licence", "reason": "BIS licence for this re-export",
            "licence": {"number": "D7654321", "valid_from": "2026-01-01", "valid_until": "2099-12-31"}})
        assert r.status_code == 200 and r.json()["status"] == "released", r.text
        assert client.post(item + "/exit-declaration", json=EXIT, headers=DESK).status_code == 200
        s = client.post(f"{dispatch}/v1/shipments", headers=DESK, json={
            "carrier": "DHL", "tracking_number": "GTS-HK-1", "destination_country": "HK", "address": "Kwai Chung",
            "incoterm": "DAP", "consignee": {"name": "Harbour Fab Services Ltd", "address": "Kwai Chung, HK",
                                             "country": "HK"}}).json()
        assert s["compliance_holds"] == []
        assert client.post(f"{dispatch}/v1/shipments/{s['id']}/items", json={"item_id": unit_id},
                           headers=DESK).status_code == 200
        for to in ("customs_cleared", "shipped", "delivered"):
            r = client.post(f"{dispatch}/v1/shipments/{s['id']}/transition", json={"to": to}, headers=DESK)
            assert r.status_code == 200, r.text
        assert client.get(item, headers=DESK).json()["item"]["state"] == "delivered"
        status = stack.url("partners") + f"/v1/owner/units/{unit_id}"

        def timeline() -> list[str] | None:
            r = client.get(status, headers=OWNER_TOKEN)
            types = [e["type"].split(".")[-2] for e in r.json().get("timeline", [])] if r.status_code == 200 else []
            return types if "delivered" in types else None

        seen = eventually(timeline, 30, "the owner's timeline")
        assert seen.index("compliance_held") < seen.index("compliance_released") < seen.index("exit_declared")
