"""An exchange-pool allocation end to end (real broker, services as processes; issue 14, section 3).

A repaired unit of owner A goes into the exchange pool and is allocated to owner B, whom intake registered (dispatch
learns of B from intake's event). The ledger then says B holds it and A does not, per owner; intake, repair and
partners follow the allocation, so B's partner token reads its unit everywhere and A's no longer does.
"""
from __future__ import annotations

import httpx
import pytest

from tests.e2e.flow import DESK, complete, ensure_owner, eventually, receive_and_release, work_order_for
from tests.support.stack import Stack, token

OFFICER = token("customs_officer")
A, B = "owner-fab-1", "owner-alloc-b"


def held(client: httpx.Client, stack: Stack, owner: str) -> int:
    body = client.get(stack.url("dispatch") + "/v1/ledger/balances", params={"owner_id": owner},
                      headers=OFFICER).json()
    assert body["holds"], body
    return sum(c["on_hand"] for c in body["categories"])


@pytest.mark.parametrize("stack", ["postgresql"], indirect=True)  # the API tests cover SQLite; one stack here
def test_an_allocated_unit_changes_owner_in_the_ledger_and_everywhere(stack: Stack) -> None:
    with httpx.Client(timeout=15) as client:
        ensure_owner(client, stack, B)
        unit_id = receive_and_release(client, stack, "ALLOC-1", owner=A)
        wo = eventually(lambda: work_order_for(client, stack, unit_id), 30, "the work order")
        complete(client, stack, wo["id"])
        item = stack.url("dispatch") + f"/v1/items/{unit_id}"
        eventually(lambda: client.get(item, headers=DESK).json()["item"]["state"] == "awaiting_dispatch", 45,
                   "the unit awaiting dispatch")
        r = client.post(item + "/decision", json={"destination": "exchange_pool"}, headers=DESK)
        assert r.status_code == 200, r.text
        assert client.post(item + "/allocation", json={"owner_id": "nobody"}, headers=DESK).status_code == 422
        before = held(client, stack, A)
        r = eventually(lambda: (lambda x: x if x.status_code == 200 else None)(
            client.post(item + "/allocation", json={"owner_id": B}, headers=DESK)), 30, "the allocation to B")
        assert r.json()["item"]["owner_id"] == B
        assert (held(client, stack, A), held(client, stack, B)) == (before - 1, 1)
        as_b, as_a = token("partner", B), token("partner", A)
        intake = stack.url("intake") + f"/v1/units/{unit_id}"
        eventually(lambda: client.get(intake, headers=as_b).status_code == 200, 30, "intake following B")
        assert client.get(intake, headers=as_a).status_code == 403
        repair = stack.url("repair") + f"/v1/work-orders/{wo['id']}"
        eventually(lambda: client.get(repair, headers=as_b).status_code == 200, 30, "repair following B")
        status = stack.url("partners") + f"/v1/owner/units/{unit_id}"
        eventually(lambda: client.get(status, headers=as_b).status_code == 200, 30, "partners following B")
