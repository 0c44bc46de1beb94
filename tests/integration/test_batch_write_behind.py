"""The consumer's batch path with repositories that read ahead and write behind (issue 20): the same journal,
statuses and read models as the event-by-event path, on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import event, select

from services.partners.db.journal_repo import JOURNAL
from services.partners.db.tables import dead_letters, inbox
from services.partners.messaging.handlers import HANDLERS, SUBSCRIBE, prepare_batch
from services.partners.service import journal
from shared.contract.registry import REGISTRY
from shared.contract.topics import SOURCE_TOPIC
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker
from tests.integration.test_owner_partner import journey, shipped
from tests.support.runtime import runtime

GROUP = "bondline.partners"
PER_UNIT = {"unit_id", "work_order_id", "serial_number", "first_seen_at", "updated_at"}  # differ by unit or clock


def consumer(rt, broker: FakeBroker) -> EventConsumer:  # type: ignore[no-untyped-def]
    dead = DeadLetterWriter(rt.sessions, dead_letters, "bondline.partners.deadletter", broker.producer)
    return EventConsumer(GROUP, SUBSCRIBE, HANDLERS, rt.uow, inbox, dead, lambda: broker.consumer(GROUP, SUBSCRIBE),
                         rt.metrics, ConsumerOptions(max_attempts=2, retry_base_s=0.001, poll_timeout_ms=1),
                         prepare_batch=prepare_batch)


def events(unit_id: str, owner: str) -> list:  # type: ignore[type-arg]
    out = []
    for payload in [*journey(unit_id, owner), shipped(unit_id, owner)]:
        service = REGISTRY.type_of(type(payload)).split(".")[2]
        out.append(REGISTRY.to_event(payload, f"/bondline/{service}"))
    return out


def put(broker: FakeBroker, ce) -> None:  # type: ignore[no-untyped-def]
    broker.append(SOURCE_TOPIC[ce.source.rsplit("/", 1)[1]], ce.key(), ce.value(), ce.headers())


async def statuses(rt, *unit_ids: str) -> dict:  # type: ignore[no-untyped-def]
    async with rt.uow() as uow:
        return {u: await uow.journal.status(u) for u in unit_ids}


async def test_partners_batch_journals_and_moves_statuses_like_one_by_one(db_url, monkeypatch):
    rt = runtime("partners", db_url, monkeypatch)
    broker = FakeBroker()
    one = events("one", "fab-a")
    for ce in one:  # event by event, each in a transaction of its own
        put(broker, ce)
        assert await consumer(rt, broker).poll_once() == 1
    legacy = events("b2", "fab-b")
    async with rt.uow() as uow:  # journaled before (an upgrade): the batch must skip it without a second move
        assert await journal.record(uow, REGISTRY.parse(legacy[0]), legacy[0])
        await uow.commit()
    b1 = events("b1", "fab-a")
    batch = [x for pair in zip(b1, legacy, strict=True) for x in pair] + [b1[1]]  # interleaved, one redelivery
    for ce in batch:
        put(broker, ce)
    assert await consumer(rt, broker).poll_once() == len(batch)

    got = await statuses(rt, "one", "b1", "b2")
    assert all(got.values()) and got["one"].state == "shipped"
    moved = {u: {k: v for k, v in asdict(st).items() if k not in PER_UNIT} for u, st in got.items()}
    assert moved["b1"] == moved["one"] == moved["b2"] | {"owner_id": "fab-a"}  # the same journey, the same status
    async with rt.sessions() as s:
        rows = (await s.execute(select(JOURNAL.c.event_id).order_by(JOURNAL.c.seq))).scalars().all()
    expected = [ce.id for ce in one] + [legacy[0].id] + [ce.id for ce in batch[:-1] if ce.id != legacy[0].id]
    assert rows == expected  # each event once, in the order consumed
    await rt.dispose()


class Statements:
    """Counts the SQL statements a runtime's engine executes while on."""

    def __init__(self, rt) -> None:  # type: ignore[no-untyped-def]
        self.n, self.on = 0, False
        event.listen(rt.engine.sync_engine, "before_cursor_execute", self._one)

    def _one(self, *_) -> None:  # type: ignore[no-untyped-def]
        self.n += self.on

    async def during(self, coro) -> int:  # type: ignore[no-untyped-def]
        self.n, self.on = 0, True
        try:
            await coro
        finally:
            self.on = False
        return self.n


async def test_a_partners_batch_costs_the_same_statements_whatever_its_size(db_url, monkeypatch):
    """Read ahead, write behind: the statements of a batch do not grow with its events (one per table)."""
    rt = runtime("partners", db_url, monkeypatch)
    broker, count = FakeBroker(), Statements(rt)
    cost = []
    for units in (2, 6):
        for k in range(units):
            for ce in events(f"u{units}-{k}", "fab-a"):
                put(broker, ce)
        cost.append(await count.during(consumer(rt, broker).poll_once()))
    assert cost[0] == cost[1], cost
    async with rt.sessions() as s:
        assert len((await s.execute(select(JOURNAL.c.event_id))).all()) == 8 * 4
    await rt.dispose()


def desk_consumer(rt, broker: FakeBroker) -> EventConsumer:  # type: ignore[no-untyped-def]
    from services.dispatch.db.tables import dead_letters as d_dead
    from services.dispatch.db.tables import inbox as d_inbox
    from services.dispatch.messaging.desk import DESK
    group = "bondline.dispatch.desk"
    dead = DeadLetterWriter(rt.sessions, d_dead, "bondline.dispatch.deadletter", broker.producer)
    return EventConsumer(group, DESK.subscribe, DESK.handlers, rt.uow, d_inbox, dead,
                         lambda: broker.consumer(group, DESK.subscribe), rt.metrics,
                         ConsumerOptions(max_attempts=2, retry_base_s=0.001, poll_timeout_ms=1),
                         prepare_batch=DESK.prepare_batch)


async def desk_state(rt, unit_id: str) -> tuple:  # type: ignore[type-arg]
    from services.dispatch.db.dashboard import DashItemRow
    from services.dispatch.db.desk import TIMELINE, TIMELINE_ORDER
    async with rt.sessions() as s:
        item = await s.get(DashItemRow, unit_id)
        timeline = (await s.execute(select(TIMELINE.c.type).where(TIMELINE.c.unit_id == unit_id)
                                    .order_by(*TIMELINE_ORDER))).scalars().all()
    assert item is not None
    return item.stage, item.state, item.owner_id, list(timeline)


async def test_the_desk_batch_gives_the_one_by_one_read_models_at_a_constant_cost(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    broker, count = FakeBroker(), Statements(rt)
    for ce in events("one", "fab-a"):
        put(broker, ce)
        assert await desk_consumer(rt, broker).poll_once() == 1
    cost = []
    for units in (2, 6):
        for k in range(units):
            for ce in events(f"u{units}-{k}", "fab-a"):
                put(broker, ce)
        cost.append(await count.during(desk_consumer(rt, broker).poll_once()))
    assert cost[0] == cost[1], cost
    one = await desk_state(rt, "one")
    assert one[1] == "shipped" and len(one[3]) == 4
    for k in range(6):
        assert await desk_state(rt, f"u6-{k}") == one
    await rt.dispose()
