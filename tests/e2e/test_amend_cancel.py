"""删改单 end to end (real broker, services as processes): a unit's decision is amended and its exit cancelled; an
old part's destruction is cancelled and the ledger shows the reversal line beside the exit it reverses."""
from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.flow import CLERK, DESK, eventually, receive_and_release, work_order_for
from tests.e2e.test_repair_flow import PART, _repair_with_parts, _stock
from tests.support.stack import Stack, token

OFFICER = token("customs_officer")
EXIT = {"supervision_mode": "1371", "gate_pass_no": "HF224426000000301", "gate_pass_type": "1",
        "bonded_inventory_list_no": "QD224426E000000301", "outbound_record_list_no": "OR2244260000000301"}


@pytest.mark.parametrize("stack", ["postgresql"], indirect=True)  # SQLite: the integration tier; one stack here
def test_a_decision_is_amended_an_exit_cancelled_and_the_ledger_shows_the_reversal(stack: Stack) -> None:
    with httpx.Client(timeout=15) as client:
        part = PART | {"part_number": f"AE-PA-{uuid.uuid4().hex[:6]}"}
        assert client.post(stack.url("intake") + "/v1/parts-receipts", json=part, headers=CLERK).status_code == 201
        unit_id = receive_and_release(client, stack, "AMD-1")
        wo = eventually(lambda: work_order_for(client, stack, unit_id), 30, "the work order")
        eventually(lambda: _stock(client, stack, part["part_number"]), 30, "the parts in repair's stock")
        old_part_id = _repair_with_parts(client, stack, wo, part["part_number"])
        desk = stack.url("dispatch") + "/v1/items/"
        eventually(lambda: client.get(desk + unit_id, headers=DESK).json()["item"]["state"] == "awaiting_dispatch",
                   45, "the unit awaiting dispatch")
        post = lambda path, body: client.post(desk + path, json=body, headers=DESK)  # noqa: E731
        assert post(f"{unit_id}/decision", {"destination": "re_export", "destination_country": "US"}).status_code == 200
        r = post(f"{unit_id}/decision/amendment", {"destination": "re_export", "destination_country": "DE",
                                                   "reason": "buyer moved to Munich"})
        assert r.status_code == 200 and r.json()["item"]["destination_country"] == "DE", r.text
        assert post(f"{unit_id}/exit-declaration", EXIT).status_code == 200
        r = post(f"{unit_id}/exit-declaration/cancellation", {"reason": "outbound record list mistyped"})
        assert r.status_code == 200 and r.json()["item"]["state"] == "decided", r.text
        assert [h["action"] for h in r.json()["item"]["history"]] == ["decision_amended", "exit_cancelled"]
        eventually(lambda: client.get(desk + old_part_id, headers=DESK).status_code == 200, 30, "the old part")
        assert post(f"{old_part_id}/decision", {"destination": "destruction"}).status_code == 200
        doc = {"supervision_mode": "0200", "gate_pass_no": "HF224426000000302", "gate_pass_type": "1",
               "bonded_inventory_list_no": "QD224426E000000302"}
        assert post(f"{old_part_id}/exit-declaration", doc).status_code == 200
        r = post(f"{old_part_id}/exit-declaration/cancellation", {"reason": "destroyed the wrong part on paper"})
        assert r.status_code == 200, r.text
        ledger = client.get(stack.url("dispatch") + f"/v1/ledger/items/{old_part_id}", headers=OFFICER).json()
        moves = [(ln["movement"], ln["documents"].get("cancels_bonded_inventory_list_no")) for ln in ledger["lines"]]
        assert moves[-2:] == [("destroyed", None), ("received", "QD224426E000000302")]
        assert ledger["on_hand"] == {"old_parts": ledger["lines"][0]["quantity"]}  # back on hand, all of it
