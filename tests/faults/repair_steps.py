"""Complete repair's work orders along the repaired path, each step chosen from the work order's current state."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.flow import TECH
from tests.faults.calls import LoadError, call, get_json, ok
from tests.support.stack import token

OPEN = ("queued", "diagnosing", "quote_pending", "approved", "awaiting_parts", "in_repair", "testing")
TERMINAL = ("repaired", "beyond_repair", "returned_unrepaired")
DIAGNOSIS = {"failure_codes": ["RF-OUTPUT"], "findings": "no RF output: driver stage failed"}
QUOTE = {"repair_fee": "1200.00", "parts_estimate": "0.00", "currency": "USD"}
# state -> the calls that move it on (path, body, who); the last one answers with the work order
PARTNER = "partner"
STEPS: dict[str, list[tuple[str, dict[str, Any] | None, str]]] = {
    "queued": [("/diagnosis/start", None, "tech")],
    "diagnosing": [("/diagnosis", DIAGNOSIS, "tech"), ("/quote", QUOTE, "tech")],
    "quote_pending": [("/quote/decision", {"approve": True}, PARTNER)],
    "approved": [("/repair/start", None, "tech")],
    "awaiting_parts": [("/repair/start", None, "tech")],
    "in_repair": [("/labour", {"minutes": 90, "note": "driver stage replaced"}, "tech"),
                  ("/testing/start", None, "tech")],
    "testing": [("/tests", {"procedure": "RF output ATP", "passed": True}, "tech"),
                ("/complete", {"outcome": "repaired", "note": "RF output within spec"}, "tech")],
}


@dataclass
class Repair:
    client: httpx.Client
    base: str  # repair's URL
    owner: str

    def open_work_orders(self) -> list[dict[str, Any]]:
        return get_json(self.client, self.base + "/v1/work-orders", TECH,
                        {"owner_id": self.owner, "state": list(OPEN), "limit": 500})

    def work_order(self, wo_id: str) -> dict[str, Any]:
        return get_json(self.client, self.base + f"/v1/work-orders/{wo_id}", TECH)

    def act(self, wo: dict[str, Any], path: str, body: dict[str, Any] | None, who: str) -> httpx.Response:
        headers = token("partner", wo["owner_id"]) if who == PARTNER else TECH
        key = f"{wo['id']}-{wo['state']}-{path}"
        return call(self.client, "POST", self.base + f"/v1/work-orders/{wo['id']}{path}", headers=headers,
                    key=key, json=body)


def advance(rp: Repair, wo: dict[str, Any]) -> dict[str, Any]:
    """Take one work order to ``repaired``; the work order as repair last reported it."""
    for _ in range(12):
        if wo["state"] in TERMINAL:
            return wo
        if wo["state"] not in STEPS:
            raise LoadError(f"work order {wo['id']} is {wo['state']}: the loader cannot go on")
        r = None
        for path, body, who in STEPS[wo["state"]]:
            r = rp.act(wo, path, body, who)
            if not ok(r):
                break  # the state moved under us (an earlier try committed): read it again
        wo = r.json() if r is not None and ok(r) and r.json().get("state") else rp.work_order(wo["id"])
    raise LoadError(f"work order {wo['id']} stuck in {wo['state']}")


def complete_open(rp: Repair) -> int:
    """One sweep: every open work order of the owner taken to ``repaired``; how many were found."""
    found = rp.open_work_orders()
    for wo in found:
        advance(rp, wo)
    return len(found)
