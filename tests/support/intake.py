"""Building blocks for driving intake over HTTP in tests (in-process ASGI or a real server)."""
from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.support.stack import token

CLERK, OFFICER, TECH = token("intake_clerk"), token("customs_officer"), token("technician")
_seq = itertools.count(1)


def owner_body(owner_id: str = "fab-sh-1", tier: str = "general", kind: str = "overseas",
               country: str = "KR", group: str | None = "samsung") -> dict[str, Any]:
    return {"id": owner_id, "name": f"{owner_id} Ltd", "kind": kind, "country": country, "credit_tier": tier,
            "group": group, "contacts": [{"name": "Lee", "email": "lee@example.com"}]}


def unit_body(serial: str, hs_code: str = "8486909000", **over: Any) -> dict[str, Any]:
    return {"serial_number": serial, "part_number": "0040-86372", "description": "Electrostatic chuck",
            "hs_code": hs_code, "declared_value": "42000.00", "currency": "USD",
            "fault_description": "helium leak", **over}


def inventory_no(direction: str = "I") -> str:
    return f"QD2244 26{direction}{next(_seq):09d}".replace(" ", "")


def declaration_body(unit_ids: list[str], origin: str = "foreign", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"unit_ids": unit_ids, "bonded_inventory_list_no": inventory_no(),
                            "supervision_mode": "1371", "gate_pass_no": f"HF2244{next(_seq):010d}",
                            "gate_pass_type": "2"}
    if origin == "foreign":
        body["entry_record_list_no"] = f"ER2244{next(_seq):012d}"
    else:
        body["export_declaration_no"] = f"2244{next(_seq):014d}"
    return body | over


async def announce(client: httpx.AsyncClient, owner_id: str, origin: str, *units: dict[str, Any]) -> list[dict]:
    r = await client.post("/v1/repair-requests", json={"owner_id": owner_id, "origin": origin, "units": list(units)},
                          headers=CLERK)
    assert r.status_code == 201, r.text
    return r.json()["units"]


def _unit_event() -> Any:
    from services.intake.db.tables import outbox
    return outbox.c.type != "com.bondline.intake.owner.registered.v1"


UNIT_EVENT = _unit_event()
"""Outbox rows other than owner registrations (tests counting what a unit command wrote)."""
