"""`make demo`, repair part: drive one work order through diagnosis, quote, parts, old parts, tests and an outcome.

    drive_work_order(client, urls, headers_fn, work_order_id, outcome) -> dict

``urls`` maps service names to base URLs; ``headers_fn(role)`` returns bearer headers for a role. The owner's
quote decision uses a partner token bound to the unit's owner, signed with the same secret.
"""
from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from services.kit.auth import issue_token
from services.kit.settings import CommonSettings, load

Headers = Callable[[str], dict[str, str]]
CODES = {"repaired": ["RF-OUTPUT", "COMP-FAIL"], "beyond_repair": ["MECH-DAMAGE"],
         "returned_unrepaired": ["VAC-LEAK"]}
FINDINGS = {"repaired": "output stage failed; driver board needs a new power transistor module",
            "beyond_repair": "housing cracked and rotor seized; repair would cost more than a new unit",
            "returned_unrepaired": "helium leak at the main seal; seal kit and leak test quoted"}
PARTS = {"foreign": {"part_number": "PTM-2SC-5200", "unit_value": "58.00", "currency": "USD", "bonded": True},
         "domestic": {"part_number": "PTM-CN-5200", "unit_value": "390.00", "currency": "CNY", "bonded": False}}
_repaired = itertools.count()


def drive_work_order(client: httpx.Client, urls: dict[str, str], headers_fn: Headers, work_order_id: str,
                     outcome: str) -> dict[str, Any]:
    """Drive a queued work order to ``outcome`` (repaired, beyond_repair, returned_unrepaired); returns a summary."""
    r = _Repair(client, urls, headers_fn, work_order_id)
    wo = r.get("")
    r.post("/assignment", {"technician": "demo-technician"})
    r.post("/diagnosis/start")
    r.post("/diagnosis", {"failure_codes": CODES[outcome], "findings": FINDINGS[outcome]})
    if outcome == "beyond_repair":
        r.post("/labour", {"minutes": 45, "note": "teardown and inspection"})
        return r.close(outcome, "not economical to repair; goes back to its owner")
    quote = r.post("/quote", {"repair_fee": "1800.00", "parts_estimate": "420.00", "currency": "CNY"})
    if quote["state"] == "quote_pending":
        r.post("/quote/decision", {"approve": outcome == "repaired", "note": "via the owner's portal"},
               partner_headers(wo["owner_id"]))
    if outcome == "returned_unrepaired":
        return r.close(outcome, "the owner declined the quote")
    part = _ensure_stock(client, urls, headers_fn, wo["origin"], 2)
    r.post("/parts/requests", {"lines": [{"part_number": part, "quantity": 2}]})
    r.post("/repair/start")
    r.post("/parts/consumptions", {"part_number": part, "quantity": 2})  # the replaced parts become old parts
    r.post("/labour", {"minutes": 150, "note": "module replaced, board reworked"})
    first = next(_repaired) == 0  # the first repaired unit fails its first test: first-pass yield below 100%
    for passed in ([False, True] if first else [True]):
        r.post("/testing/start")
        r.post("/tests", {"procedure": "RF output acceptance test", "measurements": [
            {"name": "forward power", "value": 1985.0 if passed else 1710.0, "unit": "W", "lower": 1900,
             "upper": 2100}]})
    return r.close(outcome, "acceptance test passed")


class _Repair:
    def __init__(self, client: httpx.Client, urls: dict[str, str], headers_fn: Headers, work_order_id: str) -> None:
        self.client, self.base, self.headers_fn = client, urls["repair"], headers_fn
        self.path = f"/v1/work-orders/{work_order_id}"

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> Any:
        r = self.client.request(method, self.base + path, json=body, headers=headers or self.headers_fn("technician"))
        if r.status_code not in (200, 201):
            sys.exit(f"demo: {method} repair{path} -> {r.status_code} {r.text}")
        return r.json()

    def get(self, sub: str) -> Any:
        return self.call("GET", self.path + sub)

    def post(self, sub: str, body: dict | None = None, headers: dict | None = None) -> Any:
        return self.call("POST", self.path + sub, body, headers)

    def close(self, outcome: str, note: str) -> dict[str, Any]:
        wo = self.post("/complete", {"outcome": outcome, "note": note})
        old = self.call("GET", "/v1/old-parts?work_order_id=" + wo["id"])
        fpy = self.call("GET", "/v1/reports/first-pass-yield")
        used = self.get("/parts")["used"]
        return {"work_order_id": wo["id"], "state": wo["state"], "outcome": wo["outcome"],
                "repair_fee": wo["repair_fee"], "currency": wo["currency"], "labour_minutes": wo["labour_minutes"],
                "failure_codes": wo["diagnosis"]["failure_codes"], "quote": (wo["quote"] or {}).get("status"),
                "parts_used": used, "old_parts": old, "tests": self.get("/tests"), "first_pass_yield": fpy,
                "summary": f"{wo['outcome']}: fee {wo['repair_fee']} {wo['currency']}, {len(used)} part line(s), "
                           f"{len(old)} old part(s), {wo['labour_minutes']} min labour"}


def partner_headers(owner_id: str) -> dict[str, str]:
    secret = load(CommonSettings).bondline_jwt_secret
    return {"Authorization": f"Bearer {issue_token(secret, 'demo-partner-' + owner_id, 'partner', owner_id)}"}


BONDED_DOCS = {"bonded_inventory_list": "QD224426I000000001", "gate_pass": "HF224426000000001"}


def _ensure_stock(client: httpx.Client, urls: dict[str, str], headers_fn: Headers, origin: str, needed: int) -> str:
    """Receive spare parts at intake; repair's stock learns of them through intake's event."""
    part = PARTS[origin]
    body = {**part, "lot": f"DEMO-{time.strftime('%y%m%d%H%M%S')}", "quantity": needed, "hs_code": "8541290000",
            "origin": origin, "documents": BONDED_DOCS if part["bonded"] else {}}
    r = client.post(urls["intake"] + "/v1/parts-receipts", json=body, headers=headers_fn("intake_clerk"))
    if r.status_code != 201:
        sys.exit(f"demo: POST intake/v1/parts-receipts -> {r.status_code} {r.text}")
    url = urls["repair"] + f"/v1/parts/{part['part_number']}/availability"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = client.get(url, params={"quantity": needed}, headers=headers_fn("technician"))
        if got.status_code == 200 and got.json()["status"] == "available":
            return part["part_number"]
        time.sleep(0.3)
    sys.exit("demo: the parts receipt did not reach repair's stock; is `make run` up?")
