"""From the intake gate to delivery through the real broker: repaired units re-exported and released home."""
from __future__ import annotations

import httpx
import pytest

from tests.e2e.flow import CLERK, DESK, OWNER, complete, eventually, receive_and_release, unit_body, work_order_for
from tests.support.stack import Stack, token

OFFICER = token("customs_officer")


def declare_and_ship(client: httpx.Client, stack: Stack, item_id: str, decision: dict, exit_doc: dict,
                     country: str) -> dict:
    base = stack.url("dispatch")
    r = client.post(f"{base}/v1/items/{item_id}/decision", json=decision, headers=DESK)
    assert r.status_code == 200, r.text
    r = client.post(f"{base}/v1/items/{item_id}/exit-declaration", json=exit_doc, headers=DESK)
    assert r.status_code == 200, r.text
    s = client.post(f"{base}/v1/shipments", headers=DESK, json={
        "carrier": "DHL", "tracking_number": f"T-{item_id[:8]}", "destination_country": country,
        "address": "consignee", "incoterm": "DAP"}).json()
    added = client.post(f"{base}/v1/shipments/{s['id']}/items", json={"item_id": item_id}, headers=DESK)
    assert added.status_code == 200
    for to in ("customs_cleared", "shipped", "delivered"):
        r = client.post(f"{base}/v1/shipments/{s['id']}/transition", json={"to": to}, headers=DESK)
        assert r.status_code == 200, r.text
    return client.get(f"{base}/v1/items/{item_id}", headers=DESK).json()["item"]


def test_units_travel_from_intake_to_delivery(stack: Stack) -> None:
    with httpx.Client(timeout=15) as client:
        ids = [receive_and_release(client, stack, f"FULL-{i}") for i in range(2)]
        for unit_id in ids:
            wo = eventually(lambda unit_id=unit_id: work_order_for(client, stack, unit_id), 30, "work order")
            complete(client, stack, wo["id"], "repaired")
        eventually(lambda: all(client.get(stack.url("dispatch") + f"/v1/items/{u}", headers=DESK).status_code == 200
                               and client.get(stack.url("dispatch") + f"/v1/items/{u}", headers=DESK)
                               .json()["item"]["state"] == "awaiting_dispatch" for u in ids), 30, "candidates")
        abroad = declare_and_ship(client, stack, ids[0], {"destination": "re_export", "destination_country": "US"}, {
            "supervision_mode": "1371", "gate_pass_no": "HF224426000000101", "gate_pass_type": "1",
            "bonded_inventory_list_no": "QD224426E000000101", "outbound_record_list_no": "OR2244260000000101"}, "US")
        home = declare_and_ship(client, stack, ids[1], {"destination": "domestic_release"}, {
            "supervision_mode": "1371", "gate_pass_no": "HF224426000000102", "gate_pass_type": "1",
            "bonded_inventory_list_no": "QD224426E000000102", "import_declaration_no": "224420260000000102"}, "CN")
        assert abroad["state"] == home["state"] == "delivered"
        assert home["tax"]["final"]["basis"] == "customs_value" and abroad["tax"] == {}
        balances = client.get(stack.url("dispatch") + "/v1/ledger/balances", headers=OFFICER).json()
        assert balances, "the ledger has balances"
        recon = client.get(stack.url("dispatch") + "/v1/ledger/reconciliation",
                           params={"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}, headers=OFFICER)
        assert recon.status_code == 200, recon.text
        assert "repaired_units" in recon.text


@pytest.mark.parametrize("stack", ["postgresql"], indirect=True)  # SQLite: the integration tier; one stack here
def test_a_unit_that_left_the_zone_comes_back_for_another_repair(stack: Stack) -> None:
    """Intake learns from dispatch's shipped event that the unit left; its serial may then be announced again."""
    intake = stack.url("intake")
    with httpx.Client(timeout=15) as client:
        first = receive_and_release(client, stack, "AGAIN-1")
        again = client.post(intake + "/v1/repair-requests", headers=CLERK,
                            json={"owner_id": OWNER, "origin": "KR", "units": [unit_body("AGAIN-1")]})
        assert again.status_code == 422 and "'AGAIN-1' is already in the zone" in again.text
        wo = eventually(lambda: work_order_for(client, stack, first), 30, "work order")
        complete(client, stack, wo["id"], "repaired")
        eventually(lambda: (lambda r: r.status_code == 200 and r.json()["item"]["state"] == "awaiting_dispatch")(
            client.get(stack.url("dispatch") + f"/v1/items/{first}", headers=DESK)), 30, "dispatch candidate")
        declare_and_ship(client, stack, first, {"destination": "re_export", "destination_country": "KR"}, {
            "supervision_mode": "1371", "gate_pass_no": "HF224426000000103", "gate_pass_type": "1",
            "bonded_inventory_list_no": "QD224426E000000103", "outbound_record_list_no": "OR2244260000000103"}, "KR")
        gone = eventually(lambda: (lambda u: u if u["unit"]["state"] == "exited" else None)(
            client.get(intake + f"/v1/units/{first}", headers=CLERK).json()), 30, "intake records the exit")
        exit_step = gone["history"][-1]
        assert exit_step["action"] == "exit" and exit_step["from_state"] == "released_to_repair"
        assert "to KR" in exit_step["note"] and exit_step["documents"]["tracking_number"].startswith("T-")
        second = receive_and_release(client, stack, "AGAIN-1")  # the same serial, a new unit
        assert second != first
        wo2 = eventually(lambda: work_order_for(client, stack, second), 30, "second work order")
        assert wo2["serial_number"] == "AGAIN-1" and wo2["id"] != wo["id"]
