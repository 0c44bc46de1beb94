"""Drive one unit at intake from announcement to release, step by step from its current state.

Every POST carries an Idempotency-Key and every step starts from the state intake reports, so a step whose
answer was lost to a fault (a killed service, a cut connection) is never applied twice.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.flow import CLERK, unit_body
from tests.faults.calls import LoadError, call, get_json, ok
from tests.support.intake import OFFICER, declaration_body, owner_body

PART = "AMAT-0010-12345"


@dataclass
class Intake:
    client: httpx.Client
    base: str  # intake's URL
    owner: str

    def ensure_owner(self) -> None:
        r = call(self.client, "POST", self.base + "/v1/owners", headers=CLERK, key=f"owner-{self.owner}",
                 json=owner_body(self.owner, tier="certified"))
        if r.status_code not in (201, 409):
            raise LoadError(f"owner {self.owner}: {r.status_code} {r.text[:300]}")

    def unit(self, unit_id: str) -> dict[str, Any]:
        return get_json(self.client, self.base + f"/v1/units/{unit_id}", CLERK)["unit"]

    def by_serial(self, serial: str) -> list[dict[str, Any]]:
        return get_json(self.client, self.base + "/v1/units", CLERK,
                        {"serial_number": serial, "owner_id": self.owner})

    def post(self, path: str, key: str, body: Any = None, who: dict[str, str] = CLERK) -> httpx.Response:
        return call(self.client, "POST", self.base + path, headers=who, key=key, json=body)


def announce(it: Intake, serial: str) -> dict[str, Any]:
    body = {"owner_id": it.owner, "origin": "KR", "units": [unit_body(serial)]}
    for _ in range(3):
        r = it.post("/v1/repair-requests", f"rr-{serial}", body)
        if r.status_code == 201:
            return r.json()["units"][0]
        found = it.by_serial(serial)  # the first try may have committed before its answer was lost
        if found:
            return found[0]
    raise LoadError(f"announce {serial}: {r.status_code} {r.text[:300]}")


def _declare(it: Intake, unit: dict[str, Any]) -> httpx.Response:
    return it.post("/v1/declarations", f"decl-{unit['id']}", declaration_body([unit["id"]]))


def _inspect(it: Intake, unit: dict[str, Any]) -> httpx.Response:
    body = {"method": "on_site", "passed": True, "seals": ["SEAL-1"]}
    return it.post(f"/v1/declarations/{unit['declaration_id']}/inspection", f"insp-{unit['id']}", body, OFFICER)


def _receive(it: Intake, unit: dict[str, Any]) -> httpx.Response:
    body = {"serial_number": unit["serial_number"], "part_number": PART}
    return it.post(f"/v1/units/{unit['id']}/receipt", f"rcpt-{unit['id']}", body)


def _release(it: Intake, unit: dict[str, Any]) -> httpx.Response:
    return it.post(f"/v1/units/{unit['id']}/release", f"rel-{unit['id']}")


STEPS: dict[str, Callable[[Intake, dict[str, Any]], httpx.Response]] = {
    "announced": _declare, "inspection_pending": _inspect, "declared": _receive, "received": _release}


def release(it: Intake, serial: str) -> str:
    """Announce, declare (inspect if selected), receive and release one foreign unit; its id."""
    unit = announce(it, serial)
    for _ in range(8):
        if unit["state"] == "released_to_repair":
            return str(unit["id"])
        step = STEPS.get(unit["state"])
        if step is None:
            raise LoadError(f"unit {unit['id']} ({serial}) is {unit['state']}: the loader cannot go on")
        r = step(it, unit)
        # a 4xx means the state moved under us (an earlier try committed): read it again either way
        unit = r.json() if ok(r) and r.json().get("id") == unit["id"] and "state" in r.json() else it.unit(unit["id"])
    raise LoadError(f"unit {unit['id']} ({serial}) stuck in {unit['state']}")
