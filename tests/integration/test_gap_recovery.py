"""Gap recovery on real SQLite and PostgreSQL: per-unit ce_sequence, missed events fetched from the
producer's own API (repair's real app, in process), lost tails found by the high-water check, and
events gone from the outbox retention reported as lost, never skipped silently."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from services.dispatch.db import tables as dt
from services.dispatch.messaging.handlers import HANDLERS, SUBSCRIBE
from services.repair import bootstrap as repair_bootstrap
from services.repair.db import tables as rt_tables
from shared.contract.envelope import CloudEvent
from shared.contract.events.common import Money
from shared.contract.events.repair import WorkOrderCompleted, WorkOrderOpened, WorkOrderStateChanged
from shared.contract.topics import REPAIR_EVENTS
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker
from shared.messaging.peers import PeerEvents, PeerUnavailable
from shared.messaging.recovery import GapCheckOptions, GapRecovery
from shared.messaging.sequencing import SequenceStore
from tests.support import pg
from tests.support.runtime import runtime

NOW = datetime.now(timezone.utc)
GROUP = "bondline.dispatch"


@pytest.fixture
def producer_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the same kind, for the producing service (repair)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path}/repair.db"
        return
    url = pg.create_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


def facts(unit: str) -> list[Any]:
    base = {"unit_id": unit, "work_order_id": f"wo-{unit}", "owner_id": "owner-1"}
    return [WorkOrderOpened(**base, opened_at=NOW),
            WorkOrderStateChanged(**base, action="start_diagnosis", from_state="queued",
                                  to_state="diagnosing", changed_at=NOW),
            WorkOrderCompleted(**base, outcome="repaired", repair_fee=Money(amount="10.00", currency="USD"),
                               completed_at=NOW)]


async def produce(rp: Any, unit: str) -> list[CloudEvent]:
    """Repair publishes a unit's three events in three transactions, and the relay 'published' them."""
    for payload in facts(unit):
        async with rp.uow() as uow:
            uow.publish(payload)
            await uow.commit()
    o = rt_tables.outbox
    async with rp.sessions() as s, s.begin():
        await s.execute(update(o).values(published_at=NOW - timedelta(minutes=5)))
        rows = (await s.execute(select(o).where(o.c.key == unit).order_by(o.c.id))).all()
    return [CloudEvent.from_kafka([(k, v.encode()) for k, v in r.headers], r.payload.encode()) for r in rows]


class Setup:
    def __init__(self, rp: Any, rd: Any) -> None:
        self.rp, self.rd, self.broker = rp, rd, FakeBroker()
        self.repair_app = app = repair_bootstrap.build_app(rp, False, False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://repair")
        self.peers = PeerEvents({"/bondline/repair": "http://repair"}, rp.service_token, client=client)
        self.recovery = GapRecovery(SequenceStore(GROUP, dt.sequences), self.peers,
                                    {"/bondline/repair": REPAIR_EVENTS}, rd.uow, rd.metrics,
                                    GapCheckOptions(interval_s=0.01, grace_s=0))
        dead = DeadLetterWriter(rd.sessions, dt.dead_letters, "bondline.dispatch.deadletter", self.broker.producer)
        self.consumer = EventConsumer(
            GROUP, SUBSCRIBE, HANDLERS, rd.uow, dt.inbox, dead,
            lambda: self.broker.consumer(GROUP, SUBSCRIBE), rd.metrics,
            ConsumerOptions(max_attempts=2, retry_base_s=0.001, poll_timeout_ms=1), recovery=self.recovery)

    def deliver(self, *events: CloudEvent) -> None:
        for e in events:
            self.broker.append(REPAIR_EVENTS, e.key(), e.value(), e.headers())

    async def count(self, table: Any, *where: Any) -> int:
        async with self.rd.sessions() as s:
            return await s.scalar(select(func.count()).select_from(table).where(*where))

    async def applied(self, key: str) -> int:
        """The last sequence of ``key`` this consumer applied, in order (handled or, for a type dispatch's own
        handlers leave to others, passed over)."""
        seen = dt.sequences.seen
        async with self.rd.sessions() as s:
            return int(await s.scalar(select(seen.c.last_seq).where(seen.c.consumer == GROUP, seen.c.key == key))
                       or 0)

    async def gaps(self) -> list[Any]:
        async with self.rd.sessions() as s:
            return (await s.execute(select(dt.sequences.gaps).order_by(dt.sequences.gaps.c.id))).all()

    def metric(self, name: str) -> float:
        return self.rd.registry.get_sample_value(name, {"consumer": GROUP, "source": "/bondline/repair"}) or 0.0

    async def close(self) -> None:
        await self.peers.close()
        await self.rp.dispose()
        await self.rd.dispose()


@pytest.fixture
async def setup(db_url: str, producer_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    rp = runtime("repair", producer_url, monkeypatch)
    rd = runtime("dispatch", db_url, monkeypatch)
    s = Setup(rp, rd)
    yield s
    await s.close()


async def test_producer_numbers_each_units_events_one_two_three(setup: Setup) -> None:
    a, b = await produce(setup.rp, "unit-a"), await produce(setup.rp, "unit-b")
    assert [e.sequence for e in a] == [1, 2, 3] and [e.sequence for e in b] == [1, 2, 3]
    assert dict(a[0].headers())["ce_sequence"] == b"00000000000000000001"


async def test_a_rolled_back_transaction_takes_its_numbers_back(setup: Setup) -> None:
    async with setup.rp.uow() as uow:
        uow.publish(facts("unit-r")[0])
        await uow.session.flush()
    events = await produce(setup.rp, "unit-r")  # the rolled-back publish left no number behind
    assert [e.sequence for e in events] == [1, 2, 3]


async def test_a_gap_is_filled_from_the_producer_before_the_later_event(setup: Setup) -> None:
    events = await produce(setup.rp, "unit-1")
    setup.deliver(events[2])  # the broker lost the first two
    assert await setup.consumer.poll_once() == 1
    # all three were applied in order, the completed unit is a dispatch item (dispatch handles the completion only)
    assert await setup.applied("unit-1") == 3
    assert await setup.count(dt.inbox, dt.inbox.c.consumer == GROUP) == 1
    assert await setup.count(dt.DispatchItemRow.__table__) == 1
    [gap] = await setup.gaps()
    assert (gap.key, gap.from_seq, gap.to_seq, gap.status, gap.found_by) == ("unit-1", 1, 2, "recovered", "next_event")
    assert setup.metric("bondline_event_gaps_recovered_total") == 1
    assert setup.metric("bondline_events_recovered_total") == 2


async def test_redelivered_events_after_recovery_are_duplicates(setup: Setup) -> None:
    events = await produce(setup.rp, "unit-2")
    setup.deliver(events[2], *events)  # the late copies of 1..3 arrive after the recovery
    assert await setup.consumer.poll_once() == 4
    assert await setup.applied("unit-2") == 3
    assert await setup.count(dt.inbox, dt.inbox.c.consumer == GROUP) == 1
    assert await setup.count(dt.DispatchItemRow.__table__) == 1


async def test_a_lost_tail_is_found_by_the_high_water_check(setup: Setup) -> None:
    events = await produce(setup.rp, "unit-3")
    setup.deliver(events[0])  # the last two never arrive, and nothing later of the unit comes
    await setup.consumer.poll_once()
    assert await setup.count(dt.DispatchItemRow.__table__) == 0
    await setup.recovery.check_high_water(setup.consumer.process)
    assert await setup.count(dt.DispatchItemRow.__table__) == 1
    [gap] = await setup.gaps()
    assert (gap.from_seq, gap.to_seq, gap.found_by) == (2, 3, "high_water")
    async with setup.rd.sessions() as s:
        cursor = await SequenceStore(GROUP, dt.sequences).cursor(s, "/bondline/repair")
    assert cursor == 3  # past the three outbox rows: the next check starts after them
    await setup.recovery.check_high_water(setup.consumer.process)
    assert len(await setup.gaps()) == 1  # nothing found twice


async def test_events_younger_than_the_grace_period_are_not_fetched(setup: Setup) -> None:
    events = await produce(setup.rp, "unit-4")
    setup.recovery.options = GapCheckOptions(interval_s=0.01, grace_s=3600)  # all 5 minutes old: in flight
    setup.deliver(events[0])
    await setup.consumer.poll_once()
    await setup.recovery.check_high_water(setup.consumer.process)
    assert await setup.gaps() == []


async def test_events_past_the_outbox_retention_are_reported_lost_not_skipped(setup: Setup) -> None:
    events = await produce(setup.rp, "unit-5")
    async with setup.rp.sessions() as s, s.begin():  # purged by retention before anyone asked
        await s.execute(delete(rt_tables.outbox).where(rt_tables.outbox.c.key_seq < 3))
    setup.deliver(events[2])
    assert await setup.consumer.poll_once() == 1
    assert await setup.count(dt.DispatchItemRow.__table__) == 1  # the unit moves on with what exists
    [gap] = await setup.gaps()
    assert (gap.from_seq, gap.to_seq, gap.status) == (1, 2, "lost")
    assert setup.metric("bondline_events_lost_total") == 2
    lost = await setup.rd.lost_events()
    assert lost is not None and lost["events"] == 2 and lost["latest"][0]["key"] == "unit-5"


async def test_a_producer_that_cannot_be_asked_holds_the_event_back(setup: Setup) -> None:
    events = await produce(setup.rp, "unit-6")
    await setup.peers.close()
    setup.peers._client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    setup.deliver(events[2])
    with pytest.raises(PeerUnavailable):
        await setup.consumer.poll_once()
    assert await setup.count(dt.DispatchItemRow.__table__) == 0  # not applied out of order
    assert setup.broker.committed.get((GROUP, REPAIR_EVENTS)) is None  # and not acknowledged


async def test_two_producer_transactions_on_one_unit_get_consecutive_numbers(setup: Setup) -> None:
    async def publish(payload: Any) -> None:
        async with setup.rp.uow() as uow:
            uow.publish(payload)
            await uow.commit()

    if setup.rp.is_postgres:  # concurrent writers; SQLite serialises them anyway
        await asyncio.gather(*(publish(p) for p in facts("unit-7") * 4))
    else:
        for p in facts("unit-7") * 4:
            await publish(p)
    o = rt_tables.outbox
    async with setup.rp.sessions() as s:
        seqs = (await s.scalars(select(o.c.key_seq).where(o.c.key == "unit-7").order_by(o.c.id))).all()
    assert sorted(seqs) == list(range(1, 13))


async def test_a_stranger_claiming_a_units_next_number_is_dead_lettered(setup: Setup) -> None:
    from dataclasses import replace
    events = await produce(setup.rp, "unit-8")
    forged = replace(events[2], id="f0f0f0f0-0000-4000-8000-000000000000")  # same number, not the producer's
    setup.deliver(events[0], forged)
    await setup.consumer.poll_once()
    async with setup.rd.sessions() as s:
        [dl] = (await s.execute(select(dt.dead_letters))).all()
    assert "not its producer's" in dl.reason
    assert await setup.count(dt.DispatchItemRow.__table__) == 0  # the forged completion did nothing
    setup.deliver(events[2])  # the genuine third event still applies
    await setup.consumer.poll_once()
    assert await setup.count(dt.DispatchItemRow.__table__) == 1


async def test_a_number_already_passed_with_a_new_event_id_is_still_applied(setup: Setup) -> None:
    """A producer whose counters went back (its database restored) must not have its events dropped."""
    events = await produce(setup.rp, "unit-9")
    setup.deliver(*events)
    await setup.consumer.poll_once()
    async with setup.rp.sessions() as s, s.begin():
        await s.execute(delete(rt_tables.sequences.counters))
    again = (await produce(setup.rp, "unit-9"))[3:]  # numbered 1, 2, 3 again, new ids
    assert [e.sequence for e in again] == [1, 2, 3]
    setup.deliver(*again)
    await setup.consumer.poll_once()
    assert await setup.count(dt.inbox, dt.inbox.c.consumer == GROUP) == 2  # both completions, new ids: applied


async def test_an_operator_resolves_a_lost_gap_and_it_leaves_readyz(setup: Setup) -> None:
    from services.dispatch import bootstrap as dispatch_bootstrap
    from tests.support.stack import token
    events = await produce(setup.rp, "unit-10")
    async with setup.rp.sessions() as s, s.begin():
        await s.execute(delete(rt_tables.outbox).where(rt_tables.outbox.c.key_seq == 1))
    setup.deliver(events[1], events[2])
    await setup.consumer.poll_once()
    app = dispatch_bootstrap.build_app(setup.rd, False, False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as client:
        admin = token("admin")
        [gap] = (await client.get("/v1/event-gaps", params={"status": "lost"}, headers=admin)).json()
        assert (gap["key"], gap["from_seq"], gap["to_seq"]) == ("unit-10", 1, 1)
        assert (await client.get("/readyz")).json()["lost_events"]["events"] == 1
        r = await client.post(f"/v1/event-gaps/{gap['id']}/resolution", json={"note": ""}, headers=admin)
        assert r.status_code == 422  # a resolution says what was done
        r = await client.post(f"/v1/event-gaps/{gap['id']}/resolution",
                              json={"note": "opened the work order by hand"}, headers=admin)
        assert r.status_code == 200 and r.json()["status"] == "resolved"
        assert "lost_events" not in (await client.get("/readyz")).json()
        again = await client.post(f"/v1/event-gaps/{gap['id']}/resolution", json={"note": "twice"}, headers=admin)
        assert again.status_code == 409
        assert (await client.get("/v1/event-gaps", headers=token("dispatcher"))).status_code == 403


async def test_the_events_api_wants_a_service_token(setup: Setup) -> None:
    await produce(setup.rp, "unit-11")
    from tests.support.stack import token
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=setup.repair_app), base_url="http://r") as client:
        assert (await client.get("/v1/events", params={"key": "unit-11"})).status_code == 401
        assert (await client.get("/v1/events", params={"key": "unit-11"},
                                 headers=token("dispatcher"))).status_code == 403
        got = (await client.get("/v1/events", params={"key": "unit-11", "after": 1},
                                headers=token("service"))).json()
        assert [e["sequence"] for e in got] == [2, 3]


async def test_readyz_waits_for_the_consumer_to_join_its_group(setup: Setup) -> None:
    setup.rd.event_consumers = [setup.consumer]
    waiting = "consumer bondline.dispatch has not joined its group yet (no partitions assigned)"
    assert waiting in await setup.rd.readiness()
    setup.consumer.on_partitions_assigned(set())
    assert waiting not in await setup.rd.readiness()
