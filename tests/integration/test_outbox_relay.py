"""Outbox and relay on real SQLite and PostgreSQL, with the in-memory broker."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from services.intake.db.tables import UnitRow, outbox
from services.intake.domain.owners import CreditTier, Owner, OwnerKind
from services.intake.domain.requests import RequestedUnit
from services.intake.service import requests
from services.kit.errors import RuleViolation
from shared.contract.envelope import CloudEvent
from shared.contract.topics import INTAKE_EVENTS
from shared.messaging.fakes import FakeBroker
from shared.messaging.relay import Relay, RelayOptions, replay
from tests.support.runtime import runtime


class units:  # lower-case on purpose: the intake use cases these tests drive, in one place
    @staticmethod
    async def receive_unit(uow, serial: str, actor: str):  # type: ignore[no-untyped-def]
        """Announce one unit (registering its owner on first use): a domain change with an event."""
        async with uow:
            known = await uow.owners.get("owner-1")
        if known is None:  # set-up, straight into the register: the unit's event is the one under test
            async with uow:
                await uow.owners.add(Owner("owner-1", "Owner One", OwnerKind.overseas, "US", CreditTier.general),
                                     "admin")
                await uow.commit()
        unit = RequestedUnit(serial, "PN-1", "8486909000", Decimal("1200.50"), "USD")
        _, [made] = await requests.submit(uow, requests.SubmitRequest("owner-1", "US", [unit]), actor)
        return made


def receive_cmd(serial: str) -> str:
    return serial


def make_relay(rt, broker: FakeBroker, **opts) -> Relay:  # type: ignore[no-untyped-def]
    return Relay(rt.sessions, outbox, broker.producer, rt.signal, rt.metrics, RelayOptions(**opts))


async def count(rt, table_or_model, *where) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as s:
        q = select(func.count()).select_from(table_or_model)
        return await s.scalar(q.where(*where) if where else q)


async def test_domain_change_and_event_commit_together(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    unit = await units.receive_unit(rt.uow(), receive_cmd("SN-1"), "intake_clerk:ann")
    assert await count(rt, UnitRow) == 1
    async with rt.sessions() as s:
        row = (await s.execute(select(outbox))).one()
    assert row.key == unit.id and row.type == "com.bondline.intake.unit.announced.v1"
    assert row.topic == INTAKE_EVENTS and row.published_at is None
    await rt.dispose()


async def test_refused_command_writes_neither_row_nor_event(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    await units.receive_unit(rt.uow(), receive_cmd("SN-1"), "clerk")
    with pytest.raises(RuleViolation, match="already in the zone"):
        await units.receive_unit(rt.uow(), receive_cmd("SN-1"), "clerk")
    assert await count(rt, UnitRow) == 1
    assert await count(rt, outbox) == 1
    await rt.dispose()


async def test_relay_publishes_in_order_with_headers(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    made = [await units.receive_unit(rt.uow(), receive_cmd(f"SN-{i}"), "clerk") for i in range(5)]
    broker = FakeBroker()
    assert await make_relay(rt, broker).step() == 5
    records = broker.topics[INTAKE_EVENTS]
    assert [r.key.decode() for r in records] == [u.id for u in made]
    event = CloudEvent.from_kafka(records[0].headers, records[0].value)
    assert event.type.endswith("unit.announced.v1") and event.actor == "clerk"
    assert dict(records[0].headers)["content-type"] == b"application/json"
    assert await count(rt, outbox, outbox.c.published_at.is_(None)) == 0
    await rt.dispose()


async def test_failed_send_is_retried_never_dropped(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    for i in range(3):
        await units.receive_unit(rt.uow(), receive_cmd(f"SN-{i}"), "clerk")
    broker = FakeBroker()
    broker.fail_sends = 1
    relay = make_relay(rt, broker)
    with pytest.raises(ConnectionError):
        await relay.step()
    async with rt.sessions() as s:
        first = (await s.execute(select(outbox).order_by(outbox.c.id))).first()
    assert first.attempts == 1 and "refused" in first.last_error and first.published_at is None
    assert await relay.step() == 3
    assert await count(rt, outbox, outbox.c.published_at.is_(None)) == 0
    await rt.dispose()


async def test_relay_wakes_on_commit_without_polling(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    broker, stop = FakeBroker(), asyncio.Event()
    task = asyncio.create_task(make_relay(rt, broker, poll_interval_s=3600).run(stop))
    await asyncio.sleep(0.2)
    await units.receive_unit(rt.uow(), receive_cmd("SN-9"), "clerk")
    for _ in range(100):
        if broker.topics.get(INTAKE_EVENTS):
            break
        await asyncio.sleep(0.02)
    stop.set()
    rt.signal.notify()
    await asyncio.wait_for(task, 5)
    assert len(broker.topics[INTAKE_EVENTS]) == 1  # woke by the commit; the hour-long poll never fired
    await rt.dispose()


async def test_retention_purges_old_published_rows_and_replay_resends(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    for i in range(2):
        await units.receive_unit(rt.uow(), receive_cmd(f"SN-{i}"), "clerk")
    broker = FakeBroker()
    relay = make_relay(rt, broker, retention=timedelta(hours=1), purge_every_s=0)
    assert await relay.step() == 2
    assert await replay(rt.sessions, outbox, datetime.now(timezone.utc) - timedelta(minutes=5)) == 2
    assert await relay.step() == 2 and len(broker.topics[INTAKE_EVENTS]) == 4
    old = datetime.now(timezone.utc) - timedelta(hours=2)
    async with rt.sessions() as s, s.begin():
        await s.execute(update(outbox).where(outbox.c.id == 1).values(published_at=old))
    await relay.step()
    assert await count(rt, outbox) == 1
    await rt.dispose()
