"""Issue 14: a pre-alerted unit that never arrived can be withdrawn (reason, actor, event), its serial is
then free again; repair and dispatch take the new event in their stride (SQLite and PostgreSQL)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services.dispatch.db import tables as dispatch_tables
from services.dispatch.messaging import desk as desk_projection
from services.dispatch.messaging import handlers as dispatch_handlers
from services.intake.db.tables import outbox
from services.partners.db import tables as partners_tables
from services.partners.messaging import handlers as partners_handlers
from services.repair.db import tables as repair_tables
from services.repair.messaging import handlers as repair_handlers
from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import UnitWithdrawn
from shared.contract.registry import REGISTRY
from shared.contract.topics import INTAKE_EVENTS
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker
from tests.integration.test_intake_flow import api  # noqa: F401  (fixture)
from tests.support import pg
from tests.support.intake import CLERK, announce, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime
from tests.support.stack import token

WITHDRAWN = "com.bondline.intake.unit.withdrawn.v1"


@pytest.fixture
async def owned(api):  # type: ignore[no-untyped-def]
    await api.post("/v1/owners", json=owner_body("fab-1"), headers=CLERK)
    return api


async def withdrawals(api) -> list[CloudEvent]:  # type: ignore[no-untyped-def]
    async with api.rt.sessions() as s:
        rows = (await s.execute(select(outbox).order_by(outbox.c.id))).all()
    events = [CloudEvent.from_kafka([(k, v.encode()) for k, v in r.headers], r.payload.encode()) for r in rows]
    return [e for e in events if e.type == WITHDRAWN]


async def test_a_clerk_withdraws_an_announced_unit_and_the_serial_comes_back(owned):
    [unit] = await announce(owned, "fab-1", "KR", unit_body("SN-W1"))
    r = await owned.post(f"/v1/units/{unit['id']}/withdrawal", json={"reason": "owner cancelled the repair"},
                         headers=CLERK)
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["custody_location"]) == ("withdrawn", "never arrived")
    history = (await owned.get(f"/v1/units/{unit['id']}", headers=CLERK)).json()["history"]
    assert (history[-1]["action"], history[-1]["from_state"], history[-1]["to_state"],
            history[-1]["note"]) == ("withdraw", "announced", "withdrawn", "owner cancelled the repair")
    assert history[-1]["actor"].startswith("intake_clerk:")
    [event] = await withdrawals(owned)
    payload = REGISTRY.parse(event)
    assert isinstance(payload, UnitWithdrawn) and payload.reason == "owner cancelled the repair"
    assert payload.serial_number == "SN-W1" and event.subject == unit["id"] and event.actor.startswith("intake_clerk:")
    [again] = await announce(owned, "fab-1", "KR", unit_body("SN-W1"))  # the serial is free again
    assert again["id"] != unit["id"] and again["state"] == "announced"


async def test_the_owning_partner_may_withdraw_another_may_not(owned):
    [unit] = await announce(owned, "fab-1", "KR", unit_body("SN-W2"))
    url, body = f"/v1/units/{unit['id']}/withdrawal", {"reason": "sent the wrong pre-alert"}
    r = await owned.post(url, json=body, headers=token("partner", "fab-2"))
    assert r.status_code == 403 and "cannot act for owner fab-1" in r.json()["detail"]
    assert (await owned.post(url, json=body, headers=token("technician"))).status_code == 403
    assert (await owned.post(url, json=body, headers=token("partner", "fab-1"))).status_code == 200
    assert len(await withdrawals(owned)) == 1


async def test_only_an_announced_unit_is_withdrawn_and_a_reason_is_required(owned):
    [unit] = await announce(owned, "fab-1", "KR", unit_body("SN-W3"))
    url = f"/v1/units/{unit['id']}/withdrawal"
    assert (await owned.post(url, json={"reason": ""}, headers=CLERK)).status_code == 422
    r = await owned.post(url, json={"reason": "   "}, headers=CLERK)
    assert r.status_code == 422 and "needs a reason" in r.json()["detail"]
    assert (await owned.post("/v1/units/nope/withdrawal", json={"reason": "x"}, headers=CLERK)).status_code == 404
    assert (await owned.post("/v1/declarations", json=declaration_body([unit["id"]]), headers=CLERK)).status_code == 201
    r = await owned.post(url, json={"reason": "too late"}, headers=CLERK)
    assert r.status_code == 409 and "cannot withdraw unit" in r.json()["detail"]
    assert "withdraw is allowed from announced" in r.json()["detail"]
    assert await withdrawals(owned) == []
    r = await owned.post("/v1/repair-requests", json={"owner_id": "fab-1", "origin": "KR",
                                                      "units": [unit_body("SN-W3")]}, headers=CLERK)
    assert r.status_code == 422  # still in the zone's care: the serial is not free


@pytest.fixture
def peer_url(db_url, tmp_path):  # type: ignore[no-untyped-def]
    """A database of the same kind for the consuming service."""
    if not db_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path}/peer.db"
        return
    url = pg.create_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


def consumer(rt, broker, name, tables, handlers, subscribe):  # type: ignore[no-untyped-def]
    dead = DeadLetterWriter(rt.sessions, tables.dead_letters, f"bondline.{name}.deadletter", broker.producer)
    group = f"bondline.{name}" + (".desk" if handlers is desk_projection.HANDLERS else "")
    return EventConsumer(group, subscribe, handlers, rt.uow, tables.inbox, dead,
                         lambda: broker.consumer(group, subscribe), rt.metrics,
                         ConsumerOptions(max_attempts=3, retry_base_s=0.001, poll_timeout_ms=1))


@pytest.mark.parametrize("name, tables, handlers, outcome", [
    ("repair", repair_tables, repair_handlers, "ignored"),
    ("dispatch", dispatch_tables, dispatch_handlers, "ignored"),  # nothing of dispatch's own: it never got there
    ("dispatch", dispatch_tables, desk_projection, "handled"),  # the desk's timeline of the unit
    ("partners", partners_tables, partners_handlers, "handled"),  # journalled for the owner's timeline
])
async def test_repair_and_dispatch_take_the_withdrawal_without_a_dead_letter(owned, peer_url, monkeypatch, name,
                                                                              tables, handlers, outcome):
    [unit] = await announce(owned, "fab-1", "KR", unit_body("SN-W4"))
    await owned.post(f"/v1/units/{unit['id']}/withdrawal", json={"reason": "not coming"}, headers=CLERK)
    [event] = await withdrawals(owned)
    rt, broker = runtime(name, peer_url, monkeypatch), FakeBroker()
    try:
        broker.append(INTAKE_EVENTS, event.key(), event.value(), event.headers())
        c = consumer(rt, broker, name, tables, handlers.HANDLERS, handlers.SUBSCRIBE)
        assert await c.process(broker.topics[INTAKE_EVENTS][0]) == outcome
        async with rt.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(tables.dead_letters)) == 0
        assert json.loads(event.value())["reason"] == "not coming"
    finally:
        await rt.dispose()
