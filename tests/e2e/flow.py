"""Drive units through the public HTTP APIs."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.intake import OFFICER, declaration_body, owner_body
from tests.support.stack import Stack, token

CLERK, TECH, DESK = token("intake_clerk"), token("technician"), token("dispatcher")


OWNER = "owner-fab-1"


def unit_body(serial: str) -> dict[str, Any]:
    return {"serial_number": serial, "part_number": "AMAT-0010-12345", "description": "RF generator",
            "hs_code": "8486909000", "declared_value": "18500.00", "currency": "USD",
            "fault_description": "no RF output"}


def ensure_owner(client: httpx.Client, stack: Stack, owner: str = OWNER) -> None:
    r = client.post(stack.url("intake") + "/v1/owners", headers=CLERK, json=owner_body(owner, tier="certified"))
    assert r.status_code in (201, 409), r.text


def receive_and_release(client: httpx.Client, stack: Stack, serial: str, owner: str = OWNER,
                        origin: str = "KR") -> str:
    """Announce, declare (and pass inspection if selected), receive and release one foreign unit."""
    intake = stack.url("intake")
    ensure_owner(client, stack, owner)
    r = client.post(intake + "/v1/repair-requests", headers=CLERK,
                    json={"owner_id": owner, "origin": origin, "units": [unit_body(serial)]})
    assert r.status_code == 201, r.text
    unit_id = r.json()["units"][0]["id"]
    r = client.post(intake + "/v1/declarations", json=declaration_body([unit_id]), headers=CLERK)
    assert r.status_code == 201, r.text
    if r.json()["inspection"]["selected"]:
        r = client.post(intake + f"/v1/declarations/{r.json()['id']}/inspection", headers=OFFICER,
                        json={"method": "on_site", "passed": True, "seals": ["SEAL-1"]})
        assert r.status_code == 200, r.text
    r = client.post(intake + f"/v1/units/{unit_id}/receipt", headers=CLERK,
                    json={"serial_number": serial, "part_number": "AMAT-0010-12345"})
    assert r.status_code == 200 and r.json()["state"] == "received", r.text
    r = client.post(intake + f"/v1/units/{unit_id}/release", headers=CLERK)
    assert r.status_code == 200, r.text
    return unit_id


def work_order_for(client: httpx.Client, stack: Stack, unit_id: str) -> dict[str, Any] | None:
    r = client.get(stack.url("repair") + "/v1/work-orders", params={"unit_id": unit_id}, headers=TECH)
    assert r.status_code == 200, r.text
    return r.json()[0] if r.json() else None


def complete(client: httpx.Client, stack: Stack, work_order_id: str, outcome: str = "repaired") -> None:
    """Drive a freshly opened work order along the legal path to ``outcome`` through repair's API.

    repaired: diagnosis, quote approved by the owner's partner token, repair, 90 min labour, a passing test;
    beyond_repair: diagnosis, then closed; returned_unrepaired: diagnosis, quote declined by the owner.
    """
    base = stack.url("repair") + f"/v1/work-orders/{work_order_id}"

    def act(path: str, body: dict[str, Any] | None = None, who: dict[str, str] = TECH) -> dict[str, Any]:
        r = client.post(base + path, json=body, headers=who)
        assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
        return r.json()

    act("/diagnosis/start")
    act("/diagnosis", {"failure_codes": ["RF-OUTPUT"], "findings": "no RF output: driver stage failed"})
    if outcome == "beyond_repair":
        act("/complete", {"outcome": outcome, "note": "power amplifier cracked; not economical"})
        return
    wo = act("/quote", {"repair_fee": "1200.00", "parts_estimate": "0.00", "currency": "USD"})
    if wo["state"] == "quote_pending":
        act("/quote/decision", {"approve": outcome == "repaired"}, token("partner", wo["owner_id"]))
    if outcome == "returned_unrepaired":
        act("/complete", {"outcome": outcome, "note": "quote declined by the owner"})
        return
    act("/repair/start")
    act("/labour", {"minutes": 90, "note": "driver stage replaced"})
    act("/testing/start")
    act("/tests", {"procedure": "RF output ATP", "passed": True})
    act("/complete", {"outcome": "repaired", "note": "RF output within spec"})


def candidates(client: httpx.Client, stack: Stack) -> list[dict[str, Any]]:
    """Units awaiting dispatch (the item part of each candidate)."""
    out, offset = [], 0
    while True:
        r = client.get(stack.url("dispatch") + "/v1/candidates", params={"limit": 500, "offset": offset,
                                                                         "kind": "unit"}, headers=DESK)
        assert r.status_code == 200, r.text
        out += [c["item"] for c in r.json()]
        if len(r.json()) < 500:
            return out
        offset += 500


def eventually(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
