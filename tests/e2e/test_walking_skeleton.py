"""A unit received at intake reaches repair, its completion reaches dispatch: real broker, real processes."""
from __future__ import annotations

import httpx

from tests.e2e.flow import DESK, candidates, complete, eventually, receive_and_release, work_order_for
from tests.support.stack import Stack


def test_unit_flows_from_intake_through_repair_to_dispatch(stack: Stack) -> None:
    with httpx.Client(timeout=10) as client:
        unit_ids = [receive_and_release(client, stack, f"SKEL-{i}") for i in range(3)]
        for unit_id in unit_ids:
            wo = eventually(lambda unit_id=unit_id: work_order_for(client, stack, unit_id), 30,
                            f"work order for {unit_id}")
            assert wo["state"] == "queued" and wo["owner_id"] == "owner-fab-1"
            complete(client, stack, wo["id"])
        # the three topics are read side by side: a completion may reach dispatch before the unit's receipt, so
        # wait for candidates that know both (what intake said and what repair said)
        listed = eventually(lambda: (c := candidates(client, stack)) and len(c) == 3
                            and all(x["serial_number"] for x in c) and c, 30, "3 candidates learnt from intake")
        assert sorted(c["unit_id"] for c in listed) == sorted(unit_ids)
        one = next(c for c in listed if c["unit_id"] == unit_ids[0])
        assert one["state"] == "awaiting_dispatch" and one["outcome"] == "repaired"
        assert one["serial_number"] == "SKEL-0" and one["origin_country"] == "KR"  # learnt from intake
        r = client.get(stack.url("dispatch") + f"/v1/items/{unit_ids[0]}", headers=DESK)
        assert r.status_code == 200 and r.json()["item"]["repair_fee"] == "1200.00"
