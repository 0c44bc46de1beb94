"""`make demo`, backlog part: units left at every stage of the centre, so the desk and the bench show a working day.

    leave(call, client, take_in, wait_for, repair_url) -> list of (serial, where it was left)

At intake: a pre-alert, a unit customs released at the gate awaiting its receipt, a received unit not yet
handed to repair. At repair: work orders queued, diagnosing, awaiting the owner's quote decision, waiting for parts
(a delivery expected), in repair and in testing, all on the demo technician's bench (``make -s token
ROLE=technician`` signs in as demo-technician). At dispatch: a repaired unit awaiting its destination.
Everything goes through the services' public APIs.
"""
from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from typing import Any

from deploy.local.demo_repair import partner_headers

Call = Callable[..., Any]
TECHNICIAN = "demo-technician"
# owner, origin, description, part, HS code, value, currency, where the unit is left
BACKLOG = [
    ("fab-sh-1", "KR", "Gas box mass flow controller", "MFC-8160", "8486909000", "5200.00", "USD", "announced"),
    ("oem-sz", "domestic", "Ellipsometer light source", "ELS-440", "9031900090", "31000.00", "CNY", "declared"),
    ("fab-sh-1", "TW", "Wafer prealigner", "PA-300-R", "8486400000", "12800.00", "USD", "received"),
    ("fab-sh-1", "US", "Chamber lid heater", "0200-35211", "8486909000", "7400.00", "USD", "queued"),
    ("fab-sh-1", "JP", "Dry vacuum pump", "DVP-88", "8414100090", "6100.00", "USD", "diagnosing"),
    ("oem-sz", "domestic", "Overlay metrology stage", "OVL-STG-2", "9031410000", "148000.00", "CNY", "quote_pending"),
    ("fab-sh-1", "DE", "Throttle valve assembly", "TV-1500", "8486909000", "3900.00", "EUR", "awaiting_parts"),
    ("fab-sh-1", "US", "RF match network", "AE-3157", "8543709990", "16500.00", "USD", "in_repair"),
    ("fab-sh-1", "NL", "Reticle handler gripper", "RH-GR-12", "8486909000", "8800.00", "EUR", "testing"),
    ("oem-sz", "domestic", "CMP pad conditioner head", "PCH-70", "8486209000", "22000.00", "CNY", "repaired"),
]
PENDING_PART = "SEAL-KIT-TV15"  # none in stock: the throttle valve waits for it, a delivery is expected
REPAIR_STEPS = ["queued", "diagnosing", "quote_pending", "awaiting_parts", "in_repair", "testing", "repaired"]


def leave(call: Call, client: Any, take_in: Call, wait_for: Call, repair_url: str) -> list[tuple[str, str]]:
    left = []
    for owner, origin, desc, part, hs, value, ccy, where in BACKLOG:
        if where == "announced":  # the owner's pre-alert only: nothing filed with customs yet
            left.append((_announce(call, client, owner, origin, desc, part, hs, value, ccy), where))
            continue
        unit, decl = take_in(client, owner, origin, desc, part, hs, value, ccy)
        _intake(call, client, unit, part, decl, where)
        if where in REPAIR_STEPS:
            wo = wait_for("the work order", lambda unit_id=unit["id"]: call(
                client, "GET", "repair", "/v1/work-orders", "technician", params={"unit_id": unit_id}))[0]
            _repair(call, client, repair_url, wo["id"], where)
        left.append((unit["serial_number"], where))
    return left


def _announce(call: Call, client: Any, owner: str, origin: str, desc: str, part: str, hs: str, value: str,
              ccy: str) -> str:
    serial = f"{part}-{uuid.uuid4().hex[:8].upper()}"
    call(client, "POST", "intake", "/v1/repair-requests", "intake_clerk", json={
        "owner_id": owner, "origin": origin, "units": [{
            "serial_number": serial, "part_number": part, "description": desc, "hs_code": hs,
            "declared_value": value, "currency": ccy, "fault_description": "intermittent fault reported by the fab"}]})
    return serial


def _intake(call: Call, client: Any, unit: dict, part: str, decl: dict, where: str) -> None:
    """``take_in`` announced and declared it; receive and release as far as ``where`` asks."""
    if where == "declared":
        return
    if decl["inspection"]["selected"]:
        method = decl["inspection"]["methods"][-1]
        call(client, "POST", "intake", f"/v1/declarations/{decl['id']}/inspection", "customs_officer",
             json={"method": method, "passed": True, "seals": ["CUSTOMS-SEAL-0107"], "notes": ""})
    call(client, "POST", "intake", f"/v1/units/{unit['id']}/receipt", "intake_clerk",
         json={"serial_number": unit["serial_number"], "part_number": part,
               "condition_notes": "crate intact"})
    if where != "received":
        call(client, "POST", "intake", f"/v1/units/{unit['id']}/release", "intake_clerk")


def _repair(call: Call, client: Any, repair_url: str, wo_id: str, where: str) -> None:
    """Repair's API, step by step, as far as ``where``; the owner's approval comes with a partner token."""
    path = f"/v1/work-orders/{wo_id}"

    def post(sub: str, body: dict | None = None) -> Any:
        return call(client, "POST", "repair", path + sub, "technician", json=body)
    if where == "queued":
        return
    post("/assignment", {"technician": TECHNICIAN})
    post("/diagnosis/start")
    if where == "diagnosing":
        return
    post("/diagnosis", {"failure_codes": ["MECH-WEAR"], "findings": "worn actuator; seal kit and bearing needed"})
    wo = post("/quote", {"repair_fee": "2400.00", "parts_estimate": "600.00", "currency": "CNY"})
    if where == "quote_pending" and wo["state"] == "quote_pending":
        return
    if wo["state"] == "quote_pending":  # the owner approves on its portal (a partner token of that owner)
        r = client.post(f"{repair_url}{path}/quote/decision", json={"approve": True, "note": "approved on the portal"},
                        headers=partner_headers(wo["owner_id"]))
        if r.status_code != 200:
            sys.exit(f"demo: the owner's quote decision -> {r.status_code} {r.text}")
    _parts_and_tests(call, client, post, where)


def _parts_and_tests(call: Call, client: Any, post: Callable[..., Any], where: str) -> None:
    if where == "awaiting_parts":
        call(client, "POST", "repair", "/v1/parts/expected", "technician",
             json={"part_number": PENDING_PART, "quantity": 4, "note": "ordered from the OEM, in transit"})
        post("/parts/requests", {"lines": [{"part_number": PENDING_PART, "quantity": 1}]})
        return
    post("/repair/start")
    post("/labour", {"minutes": 95, "note": "disassembly and cleaning"})
    if where == "in_repair":
        return
    post("/testing/start")
    if where == "testing":
        return
    post("/tests", {"procedure": "functional acceptance test", "passed": True})
    post("/complete", {"outcome": "repaired", "note": "acceptance test passed"})
