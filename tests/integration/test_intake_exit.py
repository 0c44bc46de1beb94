"""Intake consumes dispatch's item.shipped: the unit is recorded as having left the zone, and its serial
number may be announced again for another repair. On SQLite and PostgreSQL, through the real consumer."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select

from services.intake.bootstrap import build_app
from services.intake.db.tables import dead_letters, inbox
from services.intake.domain.owners import CreditTier
from services.intake.messaging.handlers import HANDLERS, SUBSCRIBE
from shared.contract.envelope import CloudEvent
from shared.contract.events.dispatch import ItemShipped, ShipmentFacts
from shared.contract.registry import REGISTRY
from shared.contract.topics import DISPATCH_EVENTS
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker
from tests.support.intake import CLERK, announce, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime

OWNER = "fab-sh-1"


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_INSPECTION_RATES", json.dumps({t.value: 0 for t in CreditTier}))  # never selected
    rt = runtime("intake", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
        client.rt = rt  # type: ignore[attr-defined]
        assert (await client.post("/v1/owners", json=owner_body(OWNER), headers=CLERK)).status_code == 201
        yield client
    await rt.dispose()


def shipped(unit_id: str, kind: str = "unit", item_id: str | None = None) -> CloudEvent:
    facts = ShipmentFacts(shipment_id="shp-1", carrier="DHL", tracking_number="JD0001", destination_country="US",
                          incoterm="DAP")
    return REGISTRY.to_event(ItemShipped(unit_id=unit_id, item_id=item_id or unit_id, item_kind=kind,  # type: ignore[arg-type]
                                         owner_id=OWNER, shipment=facts, at=datetime.now(timezone.utc)),
                             "/bondline/dispatch", "dispatcher:desk")


async def deliver(api: httpx.AsyncClient, event: CloudEvent) -> str:
    rt, broker = api.rt, FakeBroker()  # type: ignore[attr-defined]
    broker.append(DISPATCH_EVENTS, event.key(), event.value(), event.headers())
    dead = DeadLetterWriter(rt.sessions, dead_letters, "bondline.intake.deadletter", broker.producer)
    c = EventConsumer("bondline.intake", SUBSCRIBE, HANDLERS, rt.uow, inbox, dead,
                      lambda: broker.consumer("bondline.intake", SUBSCRIBE), rt.metrics,
                      ConsumerOptions(max_attempts=2, retry_base_s=0.001, poll_timeout_ms=1))
    return await c.process(broker.topics[DISPATCH_EVENTS][0])


async def released(api: httpx.AsyncClient, serial: str) -> str:
    [unit] = await announce(api, OWNER, "KR", unit_body(serial))
    assert (await api.post("/v1/declarations", json=declaration_body([unit["id"]]), headers=CLERK)).status_code == 201
    r = await api.post(f"/v1/units/{unit['id']}/receipt", headers=CLERK,
                       json={"serial_number": serial, "part_number": unit["part_number"]})
    assert r.json()["state"] == "received", r.text
    assert (await api.post(f"/v1/units/{unit['id']}/release", headers=CLERK)).status_code == 200
    return unit["id"]


async def unit(api: httpx.AsyncClient, unit_id: str) -> dict:
    r = await api.get(f"/v1/units/{unit_id}", headers=CLERK)
    assert r.status_code == 200, r.text
    return r.json()


async def test_shipped_unit_exits_and_its_serial_may_return(api):
    unit_id = await released(api, "SN-7")
    refused = await api.post("/v1/repair-requests", headers=CLERK,
                             json={"owner_id": OWNER, "origin": "KR", "units": [unit_body("SN-7")]})
    assert refused.status_code == 422 and "'SN-7' is already in the zone" in refused.text
    event = shipped(unit_id)
    assert await deliver(api, event) == "handled"
    got = await unit(api, unit_id)
    assert got["unit"]["state"] == "exited" and got["unit"]["custody_location"] == "left the zone"
    step = got["history"][-1]
    assert (step["action"], step["from_state"], step["to_state"]) == ("exit", "released_to_repair", "exited")
    assert step["documents"] == {"shipment_id": "shp-1", "tracking_number": "JD0001"}
    assert "shipment shp-1 to US" in step["note"] and step["actor"] == "event:/bondline/dispatch"
    assert await deliver(api, event) == "duplicate"  # redelivered: nothing happens twice
    assert len((await unit(api, unit_id))["history"]) == len(got["history"])
    [back] = await announce(api, OWNER, "KR", unit_body("SN-7"))  # the same serial, for another repair
    assert back["id"] != unit_id and back["state"] == "announced"
    exited = (await api.get("/v1/units", params={"state": "exited"}, headers=CLERK)).json()
    assert [u["id"] for u in exited] == [unit_id]


async def test_old_parts_and_unknown_units_change_nothing(api):
    unit_id = await released(api, "SN-8")
    assert await deliver(api, shipped(unit_id, kind="old_part", item_id=f"{unit_id}/op-1")) == "handled"
    assert await deliver(api, shipped("never-announced")) == "handled"
    assert (await unit(api, unit_id))["unit"]["state"] == "released_to_repair"


async def test_a_unit_shipped_before_its_release_is_dead_lettered(api):
    [early] = await announce(api, OWNER, "KR", unit_body("SN-9"))
    assert await deliver(api, shipped(early["id"])) == "dead_lettered"
    async with api.rt.sessions() as s:
        reason = await s.scalar(select(dead_letters.c.reason))
        assert await s.scalar(select(func.count()).select_from(dead_letters)) == 1
    assert "exit is allowed from released_to_repair" in reason
    assert (await unit(api, early["id"]))["unit"]["state"] == "announced"
