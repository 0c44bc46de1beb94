"""Fixtures and drivers shared by repair's integration tests (this module holds no tests)."""
from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.kit.auth import issue_token
from services.kit.runtime import Runtime
from services.kit.settings import DEV_JWT_SECRET
from services.repair.bootstrap import build_app
from services.repair.db.tables import outbox
from services.repair.messaging.handlers import on_parts_received, on_unit_released
from shared.contract.envelope import CloudEvent
from shared.contract.events.common import Money
from shared.contract.events.intake import PartsReceived, UnitReleasedToRepair
from shared.contract.registry import REGISTRY
from tests.support.runtime import runtime

OWNER = "fab-1"


def auth(role: str, subject: str = "li", owner_id: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, subject, role, owner_id)}"}


TECH, TECH2, ADMIN = auth("technician", "li"), auth("technician", "wang"), auth("admin", "ann")
DESK, OFFICER, PARTNER = auth("dispatcher", "dee"), auth("customs_officer", "zhou"), auth("partner", "p", OWNER)


@pytest.fixture
async def repair(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("REPAIR_OLD_PART_DISPOSAL_DAYS", "45")
    rt = runtime("repair", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://repair") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def _deliver(rt: Runtime, handler: Any, payload: Any) -> None:
    event = REGISTRY.to_event(payload, "/bondline/intake")
    async with rt.uow() as uow:
        uow.actor = "event:/bondline/intake"
        await handler(uow, payload, event)
        await uow.commit()


async def release(c: httpx.AsyncClient, owner: str = OWNER, origin: str = "foreign", warranty: bool = False) -> str:
    """Intake's release event reaches repair; returns the work order id."""
    unit_id = str(uuid.uuid4())
    e = UnitReleasedToRepair(unit_id=unit_id, owner_id=owner, serial_number=f"SN-{unit_id[:8]}",
                             part_number="0040-86372", hs_code="8486909000", origin=origin,
                             origin_country="KR" if origin == "foreign" else None,
                             declared_value=Money(amount="42000.00", currency="USD"), warranty=warranty,
                             fault_description="helium leak", released_at=datetime.now(timezone.utc))
    await _deliver(c.rt, on_unit_released, e)  # type: ignore[attr-defined]
    r = await c.get("/v1/work-orders", params={"unit_id": unit_id}, headers=TECH)
    return r.json()[0]["id"]


async def receive_parts(c: httpx.AsyncClient, part: str, quantity: int, lot: str = "L1", bonded: bool = True,
                        origin: str = "foreign", value: str = "250.00", receipt_id: str | None = None) -> None:
    e = PartsReceived(receipt_id=receipt_id or str(uuid.uuid4()), part_number=part, lot=lot, quantity=quantity,
                      unit_value=Money(amount=value, currency="USD"), hs_code="8486909000", origin=origin,
                      bonded=bonded, documents={"bonded_inventory_list": "QD224426I000000001"},
                      received_at=datetime.now(timezone.utc))
    await _deliver(c.rt, on_parts_received, e)  # type: ignore[attr-defined]


async def post(c: httpx.AsyncClient, path: str, body: dict | None = None, headers: dict = TECH,
               expect: int = 200) -> Any:
    r = await c.post(path, json=body, headers=headers)
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


LEAK = {"failure_codes": ["VAC-LEAK"], "findings": "helium leak at the chuck seal"}
QUOTE = {"repair_fee": "1200.00", "parts_estimate": "250.00", "currency": "USD"}
PASS = {"procedure": "ATP-7", "measurements": [{"name": "leak rate", "value": 2e-10, "upper": 1e-9}]}


async def drive(c: httpx.AsyncClient, wo_id: str, until: str) -> dict:
    """Drive a queued work order along the main path up to ``until`` (a state name)."""
    path = f"/v1/work-orders/{wo_id}"
    steps = [("diagnosing", "/diagnosis/start", None, TECH), ("diagnosed", "/diagnosis", LEAK, TECH),
             ("quote_pending", "/quote", QUOTE, TECH), ("approved", "/quote/decision", {"approve": True}, PARTNER),
             ("in_repair", "/repair/start", None, TECH), ("testing", "/testing/start", None, TECH)]
    wo: dict = {}
    for state, action, body, who in steps:
        wo = await post(c, path + action, body, who)
        if state == until:
            return wo
    raise AssertionError(f"unknown target state {until}")


async def events(c: httpx.AsyncClient) -> list[tuple[str, str, dict]]:
    """(type without namespace and version, record key, payload) of every outbox row, validated."""
    async with c.rt.sessions() as s:  # type: ignore[attr-defined]
        rows = (await s.execute(select(outbox).order_by(outbox.c.id))).all()
    out = []
    for r in rows:
        ce = CloudEvent.from_kafka([(k, v.encode()) for k, v in r.headers], r.payload.encode())
        REGISTRY.parse(ce)
        out.append((ce.type.removeprefix("com.bondline.repair.").rsplit(".v", 1)[0], r.key, json.loads(r.payload)))
    return out
