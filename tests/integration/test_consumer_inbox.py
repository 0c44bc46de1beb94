"""Inbox, retries and the dead-letter path on real SQLite and PostgreSQL, with the in-memory broker."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import func, select

from services.dispatch.db.tables import DispatchItemRow, dead_letters, inbox, outbox
from services.dispatch.messaging.handlers import HANDLERS, SUBSCRIBE
from shared.contract.envelope import CloudEvent
from shared.contract.events.common import Money
from shared.contract.events.repair import WorkOrderCompleted
from shared.contract.registry import REGISTRY
from shared.contract.topics import REPAIR_EVENTS
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker
from tests.support.runtime import runtime


def completed(unit_id: str = "unit-1") -> CloudEvent:
    payload = WorkOrderCompleted(unit_id=unit_id, work_order_id="wo-1", owner_id="owner-1",
                                 outcome="repaired", repair_fee=Money(amount="10.00", currency="USD"),
                                 completed_at=datetime.now(timezone.utc))
    return REGISTRY.to_event(payload, "/bondline/repair")


def consumer(rt, broker: FakeBroker, handlers=None) -> EventConsumer:  # type: ignore[no-untyped-def]
    dead = DeadLetterWriter(rt.sessions, dead_letters, "bondline.dispatch.deadletter", broker.producer)
    return EventConsumer("bondline.dispatch", SUBSCRIBE, handlers or HANDLERS, rt.uow, inbox, dead,
                         lambda: broker.consumer("bondline.dispatch", SUBSCRIBE), rt.metrics,
                         ConsumerOptions(max_attempts=3, retry_base_s=0.001, poll_timeout_ms=1))


def put(broker: FakeBroker, event: CloudEvent) -> None:
    broker.append(REPAIR_EVENTS, event.key(), event.value(), event.headers())


async def scalar(rt, q):  # type: ignore[no-untyped-def]
    async with rt.sessions() as s:
        return await s.scalar(q)


async def test_event_is_applied_once_and_offset_committed_after(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    broker, event = FakeBroker(), completed()
    put(broker, event)
    put(broker, event)  # redelivery of the same event
    c = consumer(rt, broker)
    assert await c.poll_once() == 2
    assert await scalar(rt, select(func.count()).select_from(DispatchItemRow)) == 1
    assert await scalar(rt, select(func.count()).select_from(inbox)) == 1
    assert await scalar(rt, select(func.count()).select_from(outbox)) == 1  # awaiting-dispatch, once
    assert broker.committed[("bondline.dispatch", REPAIR_EVENTS)] == 2
    await rt.dispose()


async def test_failing_handler_goes_to_dead_letters_and_partition_moves_on(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    calls = []

    async def explode(uow, payload, ce):  # type: ignore[no-untyped-def]
        calls.append(ce.id)
        if payload.unit_id == "poison":
            raise RuntimeError("cannot apply")
        await HANDLERS[ce.type](uow, payload, ce)

    broker = FakeBroker()
    put(broker, completed("poison"))
    put(broker, completed("healthy"))
    c = consumer(rt, broker, {k: explode for k in HANDLERS})
    assert await c.poll_once() == 2
    # the batch attempt fails on the poison (1 call), then one by one: 3 attempts for it, 1 for the healthy one
    assert len(calls) == 5
    async with rt.sessions() as s:
        dl = (await s.execute(select(dead_letters))).one()
        units = (await s.scalars(select(DispatchItemRow.item_id))).all()
    assert dl.reason.startswith("handler failed 3 times") and "cannot apply" in dl.reason
    assert dl.attempts == 3 and dl.sent_to_topic and units == ["healthy"]
    copy = broker.topics["bondline.dispatch.deadletter"][0]
    assert dict(copy.headers)["dlq_offset"] == b"0"
    assert broker.committed[("bondline.dispatch", REPAIR_EVENTS)] == 2
    await rt.dispose()


async def test_malformed_records_are_dead_lettered_with_their_reason(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    broker, good = FakeBroker(), completed()
    headers = good.headers()
    broker.append(REPAIR_EVENTS, b"k", b"{not json", headers)
    unknown = [(k, b"com.bondline.repair.work_order.teleported.v1" if k == "ce_type" else v) for k, v in headers]
    broker.append(REPAIR_EVENTS, b"k", good.value(), unknown)
    bad = json.loads(good.value())
    del bad["outcome"]
    broker.append(REPAIR_EVENTS, b"k", json.dumps(bad).encode(), headers)
    broker.append(REPAIR_EVENTS, b"k", good.value(), [h for h in headers if h[0] != "ce_id"])
    put(broker, completed("fine"))
    c = consumer(rt, broker)
    assert await c.poll_once() == 5
    async with rt.sessions() as s:
        reasons = (await s.scalars(select(dead_letters.c.reason).order_by(dead_letters.c.id))).all()
    assert "value is not JSON" in reasons[0]
    assert "unknown event type or version" in reasons[1]
    assert "violates its schema" in reasons[2] and "outcome" in reasons[2]
    assert "missing CloudEvents headers: ce_id" in reasons[3]
    assert await scalar(rt, select(DispatchItemRow.item_id)) == "fine"
    await rt.dispose()


async def test_known_event_without_handler_is_ignored_not_dead_lettered(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    broker = FakeBroker()
    put(broker, completed())
    c = consumer(rt, broker, handlers={"com.bondline.intake.unit.received.v1": HANDLERS[
        "com.bondline.intake.unit.received.v1"]})
    assert await c.process(broker.topics[REPAIR_EVENTS][0]) == "ignored"
    assert await scalar(rt, select(func.count()).select_from(dead_letters)) == 0
    await rt.dispose()
