"""Intake and repair follow an exchange-pool allocation, and intake announces its owners (issue 14, section 3).

Through the services' real handlers, on SQLite and PostgreSQL: after dispatch's item.allocated, the new owner's
partner token reads the unit at intake and its work order at repair, the old owner's gets 403; registering an owner
publishes owner.registered; owners registered before the event existed are announced once at the next start.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import select, update

from services.intake import bootstrap as intake_bootstrap
from services.intake.db import tables as intake_tables
from services.intake.domain.owners import CreditTier
from services.repair import bootstrap as repair_bootstrap
from shared.contract.events.dispatch import ItemAllocated
from shared.contract.events.intake import UnitReleasedToRepair
from shared.contract.registry import REGISTRY
from tests.support.intake import CLERK, announce, owner_body, unit_body
from tests.support.runtime import deliver, runtime
from tests.support.stack import token

A, B = "fab-a", "fab-b"
NOW = datetime.now(timezone.utc)
REGISTERED = "com.bondline.intake.owner.registered.v1"


def allocated(unit_id: str) -> ItemAllocated:
    return ItemAllocated(unit_id=unit_id, item_id=unit_id, item_kind="unit", owner_id=B, previous_owner_id=A,
                         allocated_at=NOW)


async def _client(service, rt):  # type: ignore[no-untyped-def]
    app = service.build_app(rt, run_relay=False, run_consumer=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


@pytest.fixture
async def intake(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_INSPECTION_RATES", json.dumps({t.value: 0 for t in CreditTier}))
    rt = runtime("intake", db_url, monkeypatch)
    async with await _client(intake_bootstrap, rt) as c:
        c.rt = rt  # type: ignore[attr-defined]
        for owner in (A, B):
            assert (await c.post("/v1/owners", json=owner_body(owner), headers=CLERK)).status_code == 201
        yield c
    await rt.dispose()


async def outbox_types(rt) -> list[str]:  # type: ignore[no-untyped-def]
    o = intake_tables.outbox
    async with rt.sessions() as s:
        return list((await s.scalars(select(o.c.type).order_by(o.c.id))).all())


async def test_intake_follows_the_allocation(intake):
    [unit] = await announce(intake, A, "KR", unit_body("SN-ALLOC-1"))
    event = allocated(unit["id"])
    await deliver(intake.rt, event, REGISTRY.to_event(event, "/bondline/dispatch"))
    assert (await intake.get(f"/v1/units/{unit['id']}", headers=token("partner", B))).status_code == 200
    assert (await intake.get(f"/v1/units/{unit['id']}", headers=token("partner", A))).status_code == 403
    history = (await intake.get(f"/v1/units/{unit['id']}", headers=CLERK)).json()["history"]
    assert history[-1]["action"] == "allocate"


async def test_registering_an_owner_publishes_it(intake):
    assert (await outbox_types(intake.rt)).count(REGISTERED) == 2  # fab-a and fab-b


async def test_owners_from_before_the_event_are_announced_once_at_the_next_start(intake, db_url, monkeypatch):
    o = intake_tables.metadata.tables["owners"]
    async with intake.rt.sessions() as s, s.begin():
        await s.execute(update(o).where(o.c.id == A).values(announced_at=None))  # as a row from before 0008
    for _ in range(2):  # a restart, then another: announced the first time only
        runtime("intake", db_url, monkeypatch)
    assert (await outbox_types(intake.rt)).count(REGISTERED) == 3


async def test_repair_follows_the_allocation(db_url, monkeypatch):
    rt = runtime("repair", db_url, monkeypatch)
    released = UnitReleasedToRepair(unit_id="u-r1", owner_id=A, serial_number="SN-R1", part_number="P",
                                    hs_code="8486909000", origin="foreign", origin_country="KR",
                                    declared_value={"amount": "100.00", "currency": "USD"}, released_at=NOW,
                                    fault_description="no RF output")
    try:
        await deliver(rt, released, REGISTRY.to_event(released, "/bondline/intake"))
        await deliver(rt, allocated("u-r1"), REGISTRY.to_event(allocated("u-r1"), "/bondline/dispatch"))
        async with await _client(repair_bootstrap, rt) as c:
            [wo] = (await c.get("/v1/work-orders", params={"unit_id": "u-r1"}, headers=token("technician"))).json()
            assert wo["owner_id"] == B
            assert (await c.get(f"/v1/work-orders/{wo['id']}", headers=token("partner", B))).status_code == 200
            assert (await c.get(f"/v1/work-orders/{wo['id']}", headers=token("partner", A))).status_code == 403
    finally:
        await rt.dispose()
