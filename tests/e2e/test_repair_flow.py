"""A unit through the whole repair flow with the real broker and the services as processes.

intake releases the unit -> repair opens a work order -> diagnosis, a quote the owner approves, parts that
arrived through intake's parts receipt (event), reservation and consumption, labour, a test -> repaired; the
completion event reaches dispatch's candidates. A second unit's quote is declined and a third is beyond repair.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from shared.contract.topics import REPAIR_EVENTS
from tests.e2e.flow import CLERK, DESK, TECH, candidates, complete, eventually, receive_and_release, work_order_for
from tests.support.stack import Stack, token

PART = {"part_number": "AE-PA-2000", "lot": "LOT-E2E-1", "quantity": 3, "unit_value": "640.00", "currency": "USD",
        "hs_code": "8486909000", "origin": "foreign", "bonded": True,
        "documents": {"bonded_inventory_list": "QD224426I000000777", "gate_pass": "HF224426000000777"}}


@pytest.mark.parametrize("stack", ["postgresql"], indirect=True)  # SQLite: the integration tier; one stack here
def test_a_unit_is_diagnosed_quoted_repaired_with_bonded_parts_and_reaches_dispatch(stack: Stack) -> None:
    with httpx.Client(timeout=15) as client:
        part = PART | {"part_number": f"AE-PA-{uuid.uuid4().hex[:6]}"}
        r = client.post(stack.url("intake") + "/v1/parts-receipts", json=part, headers=CLERK)
        assert r.status_code == 201, r.text
        repaired, declined, scrapped = [receive_and_release(client, stack, f"RPR-{i}") for i in range(3)]
        wo = eventually(lambda: work_order_for(client, stack, repaired), 30, "the work order")
        assert wo["state"] == "queued" and wo["allowed_actions"] == ["assign", "start_diagnosis"]
        eventually(lambda: _stock(client, stack, part["part_number"]), 30, "the parts in repair's stock")
        old_part_id = _repair_with_parts(client, stack, wo, part["part_number"])

        for unit_id, outcome in ((declined, "returned_unrepaired"), (scrapped, "beyond_repair")):
            other = eventually(lambda unit_id=unit_id: work_order_for(client, stack, unit_id), 30, "the work order")
            complete(client, stack, other["id"], outcome)

        want = {repaired: "repaired", declined: "returned_unrepaired", scrapped: "beyond_repair"}
        listed = eventually(lambda: (got := _outcomes(client, stack, want)) == want and got, 45, "3 candidates")
        assert listed == want
        item = next(c for c in candidates(client, stack) if _unit_of(c) == repaired)
        assert item["repair_fee"] == "1500.00" and item["repair_currency"] == "USD"
        assert item["parts_used"] == [{"part_number": part["part_number"], "lot": "LOT-E2E-1", "quantity": 2,
                                       "origin": "foreign", "hs_code": "8486909000",
                                       "unit_value": {"amount": "640.00", "currency": "USD"}}]
        _dispose(client, stack, old_part_id)
    kinds = asyncio.run(_repair_events_of(stack, repaired))
    assert kinds[0] == "work_order.opened" and kinds[-1] == "old_part.disposed"
    assert {"work_order.state_changed", "work_order.quote_issued", "work_order.quote_decided",
            "work_order.parts_consumed", "work_order.tested", "work_order.completed", "old_part.recorded"} <= set(kinds)


def _repair_with_parts(client: httpx.Client, stack: Stack, wo: dict, part_number: str) -> str:
    base = stack.url("repair") + f"/v1/work-orders/{wo['id']}"

    def act(path: str, body: dict | None = None, who: dict = TECH) -> Any:
        r = client.post(base + path, json=body, headers=who)
        assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
        return r.json()

    act("/assignment", {"technician": "tester"})
    act("/diagnosis/start")
    act("/labour/start")
    act("/diagnosis", {"failure_codes": ["RF-OUTPUT", "COMP-FAIL"], "findings": "power amplifier stage failed"})
    quoted = act("/quote", {"repair_fee": "1500.00", "parts_estimate": "1280.00", "currency": "USD"})
    assert quoted["state"] == "quote_pending" and quoted["quote"]["total"] == "2780.00"
    approved = act("/quote/decision", {"approve": True, "note": "go ahead"}, token("partner", wo["owner_id"]))
    assert approved["state"] == "approved"
    lines = act("/parts/requests", {"lines": [{"part_number": part_number, "quantity": 2, "bonded": True}]})["lines"]
    assert lines[0]["reserved"] == 2 and lines[0]["availability"] == "available"
    act("/repair/start")
    used = act("/parts/consumptions", {"part_number": part_number, "quantity": 2})
    act("/labour/stop")
    act("/testing/start")
    act("/tests", {"procedure": "RF output ATP", "measurements": [
        {"name": "forward power", "value": 1985.0, "unit": "W", "lower": 1900, "upper": 2100}]})
    done = act("/complete", {"outcome": "repaired", "note": "within spec"})
    assert done["state"] == "repaired" and done["repair_fee"] == "1500.00"
    history = client.get(base + "/history", headers=DESK).json()["history"]
    assert [h["to_state"] for h in history if h["from_state"] != h["to_state"]] == [
        "queued", "diagnosing", "quote_pending", "approved", "awaiting_parts", "in_repair", "testing", "repaired"]
    return used["old_part_id"]


def _stock(client: httpx.Client, stack: Stack, part_number: str) -> list:
    r = client.get(stack.url("repair") + "/v1/parts/stock", params={"part_number": part_number}, headers=TECH)
    assert r.status_code == 200, r.text
    return r.json()


def _unit_of(candidate: dict) -> str:
    return candidate.get("unit_id") or candidate["item"]["unit_id"]


def _outcomes(client: httpx.Client, stack: Stack, want: dict[str, str]) -> dict[str, str]:
    out = {}
    for c in candidates(client, stack):
        if _unit_of(c) in want:
            out[_unit_of(c)] = c.get("outcome") or c["item"]["outcome"]
    return out


def _dispose(client: httpx.Client, stack: Stack, old_part_id: str) -> None:
    """The dispatch desk re-exports the old part under 0864; repair records the disposal from the event."""
    desk = stack.url("dispatch") + f"/v1/items/{old_part_id}"
    eventually(lambda: client.get(desk, headers=DESK).status_code == 200, 30, "the old part at dispatch")
    r = client.post(desk + "/decision", json={"destination": "re_export", "destination_country": "DE"}, headers=DESK)
    assert r.status_code == 200, r.text
    r = client.post(desk + "/exit-declaration", headers=DESK, json={
        "supervision_mode": "0864", "gate_pass_no": "HF224426000000123", "gate_pass_type": "1",
        "bonded_inventory_list_no": "QD224426E000000123", "outbound_record_list_no": "OR2244260000000123"})
    assert r.status_code == 200, r.text

    def disposed() -> bool:
        parts = client.get(stack.url("repair") + "/v1/old-parts", params={"disposed": "true"}, headers=TECH).json()
        return any(p["id"] == old_part_id and p["supervision_mode"] == "0864" for p in parts)

    eventually(disposed, 30, "repair to record the disposal")


async def _repair_events_of(stack: Stack, unit_id: str) -> list[str]:
    """The types of repair's events keyed by the unit, in the order the unit's partition holds them."""
    consumer = AIOKafkaConsumer(REPAIR_EVENTS, bootstrap_servers=stack.bootstrap, group_id=f"e2e-{uuid.uuid4()}",
                                auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    kinds: list[str] = []
    try:
        async with asyncio.timeout(45):
            while not kinds or kinds[-1] != "old_part.disposed":
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    kinds += [_kind(r.headers) for r in records if r.key == unit_id.encode()]
    finally:
        await consumer.stop()
    return kinds


def _kind(headers: list[tuple[str, bytes]]) -> str:
    ce_type = dict(headers)["ce_type"].decode()
    return ce_type.removeprefix("com.bondline.repair.").rsplit(".v", 1)[0]

