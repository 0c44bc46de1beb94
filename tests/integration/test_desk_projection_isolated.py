"""The desk's read models have a consumer of their own (issue 13, point 3), on SQLite and PostgreSQL.

Dispatch's consumer (``bondline.dispatch``: its items, the ledger) and the desk's projection
(``bondline.dispatch.desk``: dashboard and unit timelines) read the same in-memory broker as the real loop classes.
A failing desk handler dead-letters the event for the desk alone and leaves the ledger's line; a rebuild empties the
desk's read models, moves it to a new generation (a new group) and replaying the topics gives the same figures; the
desk's own timeline tells a unit's events in the order they happened, not the order they were consumed; and an
upgraded installation keeps its timelines, its ledger figures and what the desk had already projected.
"""
from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from services.dispatch.db import ledger_totals
from services.dispatch.db.desk import READ_MODELS, TimelineRepository
from services.dispatch.db.ledger import LedgerLineRow
from services.dispatch.db.tables import dead_letters, inbox, projection_generations
from services.dispatch.messaging.dashboard_handlers import DASHBOARD_HANDLERS
from services.dispatch.messaging.desk import DESK
from services.dispatch.service import desk, desk_unit, ledger
from services.kit import migrations, projections
from services.kit.db import UtcDateTime, make_engine, make_sessions
from shared.contract.events.common import Money
from shared.contract.events.dispatch import UnitAwaitingDispatch
from shared.contract.events.intake import UnitAnnounced, UnitReceived
from shared.contract.events.repair import QuoteIssued, WorkOrderOpened
from shared.contract.registry import REGISTRY
from tests.browser.seed import NOW, Loop, intake, repair, scenario
from tests.support.runtime import runtime

POLICY = desk.Policy(NOW.date(), 730, 60, 14)
RECEIVED = REGISTRY.type_of(UnitReceived)


async def boom(*_: object) -> None:
    raise RuntimeError("a bug in a desk projection")


async def rows_of(rt) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Every row of the desk's read models (as text: a timeline row holds a dict)."""
    async with rt.sessions() as s:
        return {m.__tablename__: sorted(repr(tuple(r)) for r in await s.execute(select(*m.__table__.columns)))
                for m in READ_MODELS}


async def lines_summed(rt) -> list[tuple]:  # type: ignore[no-untyped-def]
    """What the ledger's running totals must be: its lines, summed."""
    L = LedgerLineRow
    async with rt.sessions() as s:
        rows = await s.execute(select(L.category, L.movement, L.bonded, func.sum(L.quantity))
                               .group_by(L.category, L.movement, L.bonded).order_by(L.category, L.movement, L.bonded))
        return [(c, m, bool(b), int(n)) for c, m, b, n in rows]


async def test_a_failing_desk_handler_dead_letters_for_the_desk_alone_and_keeps_the_ledger(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    with monkeypatch.context() as patch:
        patch.setitem(DASHBOARD_HANDLERS, RECEIVED, boom)
        intake(loop, "u-1", "fab-1", 3)  # announced, then received: the desk's handler of the latter fails
        await loop.settle()
    async with rt.sessions() as s:
        lines = (await s.execute(select(LedgerLineRow.item_id, LedgerLineRow.category, LedgerLineRow.movement))).all()
        dead = (await s.execute(select(dead_letters.c.consumer, dead_letters.c.event_type))).all()
        handled = set((await s.execute(select(inbox.c.consumer).where(inbox.c.event_type == RECEIVED))).scalars())
    assert lines == [("u-1", "units_awaiting_repair", "received")]  # dispatch's consumer wrote the ledger's line
    assert [tuple(t) for t in await ledger.totals(rt.uow())] == [("units_awaiting_repair", "received", True, 1)]
    assert dead == [("bondline.dispatch.desk", RECEIVED)] and handled == {"bondline.dispatch"}
    page = await desk_unit.unit(rt.uow(), "u-1")
    assert page.dash.state == "announced"  # the failed event left nothing of the desk's, its timeline row neither
    assert [e.type.split(".")[-2] for e in page.timeline] == ["announced"]
    figures = await desk.figures(rt.uow(), POLICY)
    assert figures["ledger"]["units_awaiting_repair"]["on_hand"] == 1  # the ledger's figures, whatever the desk's
    repair(loop, "u-1", "fab-1", 2)  # the partition moved on: the next events are projected
    await loop.settle()
    assert (await desk_unit.unit(rt.uow(), "u-1")).dash.stage == "repair"
    await rt.dispose()


async def test_rebuild_empties_the_desk_and_a_replay_into_the_new_generation_gives_the_same_figures(db_url,
                                                                                                   monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    await scenario(rt, loop)
    before, rows = await desk.figures(rt.uow(), POLICY), await rows_of(rt)
    assert [tuple(t) for t in await ledger.totals(rt.uow())] == await lines_summed(rt)
    assert before["shipped"] == 2 and rows["desk_timeline"]
    assert await projections.rebuild(rt.sessions, projection_generations, DESK) == 1
    assert all(not r for r in (await rows_of(rt)).values())
    emptied = await desk.figures(rt.uow(), POLICY)
    assert emptied["backlog_by_stage"] == {"intake": 0, "repair": 0, "dispatch": 0} and emptied["shipped"] == 0
    assert emptied["ledger"] == before["ledger"]  # the ledger's totals are the ledger's: a desk rebuild keeps them
    assert [c.name for c in await rt.projection_consumers()] == ["bondline.dispatch.desk.g1"]
    loop.desk = loop.desk_consumer(1)  # the new group reads every topic from the start
    await loop.settle()
    assert await desk.figures(rt.uow(), POLICY) == before
    assert await rows_of(rt) == rows
    async with rt.sessions() as s:
        consumers = set((await s.execute(select(inbox.c.consumer).distinct())).scalars())
    assert consumers == {"bondline.dispatch", "bondline.dispatch.desk", "bondline.dispatch.desk.g1"}
    await rt.dispose()


T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
UNIT, OWNER, WO = "u-late", "fab-a", "wo-late"
FACTS = dict(unit_id=UNIT, owner_id=OWNER, serial_number="SN-1", part_number="RF-GEN-13", hs_code="8486909000",
             origin="foreign", origin_country="KR", declared_value=Money(amount="42000.00", currency="USD"))
FEE = Money(amount="1800.00", currency="CNY")
# (payload, ce_time, ce_sequence) in the order the desk consumes them; two tie on ce_time and source
CONSUMED = [
    (UnitAwaitingDispatch(unit_id=UNIT, owner_id=OWNER, outcome="repaired", since=T0 + timedelta(hours=4)), 4, 1),
    (QuoteIssued(unit_id=UNIT, work_order_id=WO, owner_id=OWNER, repair_fee=FEE, parts_estimate=FEE,
                 approval_required=False, issued_at=T0 + timedelta(hours=3)), 3, 2),
    (WorkOrderOpened(unit_id=UNIT, work_order_id=WO, owner_id=OWNER, opened_at=T0 + timedelta(hours=2)), 2, 1),
    (UnitReceived(**FACTS, custody_location="awaiting repair", received_at=T0 + timedelta(hours=1),
                  catalogue_version=1), 1, 2),
    (UnitAnnounced(**FACTS, request_id="rr-1", catalogue_version=1, announced_at=T0 + timedelta(hours=1)), 1, 1),
]
HAPPENED = ["unit.announced", "unit.received", "work_order.opened", "work_order.quote_issued",
            "unit.awaiting_dispatch"]


async def test_the_desk_timeline_is_in_the_order_things_happened(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    for payload, hours, sequence in CONSUMED:
        producer = REGISTRY.type_of(type(payload)).split(".")[2]  # com.bondline.<service>.…
        ce = dataclasses.replace(REGISTRY.to_event(payload, f"/bondline/{producer}"), time=T0 + timedelta(hours=hours),
                                 sequence=sequence)
        loop.broker.append(REGISTRY.spec_for_type(ce.type).topic, ce.key(), ce.value(), ce.headers())
        await loop.desk.poll_once()  # one at a time, in the order above
    page = await desk_unit.unit(rt.uow(), UNIT)
    assert [".".join(e.type.split(".")[3:-1]) for e in page.timeline] == HAPPENED
    assert [e.occurred_at for e in page.timeline] == sorted(e.occurred_at for e in page.timeline)
    assert [e.sequence for e in page.timeline] == [1, 2, 1, 2, 1]
    assert page.facts == {"owner_id": OWNER, "serial_number": "SN-1", "part_number": "RF-GEN-13",
                          "hs_code": "8486909000"}
    await rt.dispose()


DISPATCH_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "dispatch" / "migrations"
AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
JOURNAL = sa.table("journal", sa.column("event_id"), sa.column("type"), sa.column("source"), sa.column("unit_id"),
                   sa.column("owner_id"), sa.column("occurred_at", UtcDateTime), sa.column("sequence"),
                   sa.column("recorded_at", UtcDateTime), sa.column("data", sa.JSON))
LINES = sa.table("ledger_lines", *[sa.column(c) for c in ("item_id", "item_kind", "category", "movement", "quantity",
                                                         "note", "bonded", "recorded_by")],
                 sa.column("at", UtcDateTime), sa.column("recorded_at", UtcDateTime), sa.column("documents", sa.JSON),
                 sa.column("source"))
INBOX = sa.table("inbox", sa.column("consumer"), sa.column("event_id"), sa.column("event_type"),
                 sa.column("processed_at", UtcDateTime))
COUNTERS = sa.table("dash_counters", sa.column("metric"), sa.column("k1"), sa.column("k2"), sa.column("value"))


def _journal(n: int, kind: str, unit_id: str | None, hours: int) -> dict:
    return {"event_id": f"e{n}", "type": f"com.bondline.intake.{kind}.v1", "source": "/bondline/intake",
            "unit_id": unit_id, "owner_id": "fab-1", "occurred_at": AT + timedelta(hours=hours), "sequence": n,
            "recorded_at": AT, "data": {"unit_id": unit_id, "owner_id": "fab-1", "serial_number": "SN-9",
                                        "documents": {"gate_pass": f"GP{n}"}} if unit_id else {"receipt_id": "rc"}}


def _line(n: int, item: str, category: str, movement: str, quantity: int, bonded: bool = True) -> dict:
    return {"item_id": item, "item_kind": "part_lot", "category": category, "movement": movement, "quantity": quantity,
            "note": "", "bonded": bonded, "recorded_by": "t", "at": AT, "recorded_at": AT, "documents": {},
            "source": f"s{n}"}


async def test_an_upgraded_installation_keeps_its_timelines_ledger_figures_and_projected_events(db_url):
    cfg = migrations.config(DISPATCH_MIGRATIONS, db_url)
    await asyncio.to_thread(command.upgrade, cfg, "0009")
    engine = make_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(JOURNAL.insert(), [_journal(2, "unit.received", "u-9", 2), _journal(1, "unit.announced",
                                              "u-9", 1), _journal(3, "parts.received", None, 0)])
        await conn.execute(LINES.insert(), [_line(1, "u-9", "units_awaiting_repair", "received", 1),
                                            _line(2, "p#L1", "parts", "received", 20), _line(3, "p#L1", "parts",
                                            "consumed", 3), _line(4, "p#L2", "parts", "received", 5, bonded=False)])
        await conn.execute(INBOX.insert(), [{"consumer": c, "event_id": e, "event_type": "t", "processed_at": AT}
                                            for c, e in (("bondline.dispatch", "e1"), ("bondline.dispatch", "e2"),
                                                         ("bondline.other", "e9"))])
        await conn.execute(COUNTERS.insert(), [{"metric": "ledger", "k1": "parts", "k2": "received", "value": 25},
                                               {"metric": "stage", "k1": "intake", "k2": "", "value": 1}])
    await asyncio.to_thread(command.upgrade, cfg, "0010")
    async with make_sessions(engine)() as s:
        totals = await ledger_totals.totals(s)
        timeline = await TimelineRepository(s).of_unit("u-9", 10)
        desk_seen = set((await s.execute(select(INBOX.c.event_id).where(INBOX.c.consumer == "bondline.dispatch.desk")))
                        .scalars())
        counters = set((await s.execute(select(COUNTERS.c.metric, COUNTERS.c.k1))).all())
    assert [tuple(t) for t in totals] == [("parts", "consumed", True, 3), ("parts", "received", False, 5),
                                          ("parts", "received", True, 20),
                                          ("units_awaiting_repair", "received", True, 1)]
    assert [(e.event_id, e.sequence) for e in timeline] == [("e1", 1), ("e2", 2)]  # the parts receipt names no unit
    assert timeline[0].data["documents"] == {"gate_pass": "GP1"}
    assert desk_seen == {"e1", "e2"} and counters == {("stage", "intake")}
    await asyncio.to_thread(command.downgrade, cfg, "0009")
    async with engine.connect() as conn:
        restored = set((await conn.execute(select(COUNTERS.c.k1, COUNTERS.c.k2, COUNTERS.c.value)
                                           .where(COUNTERS.c.metric == "ledger"))).all())
    assert restored == {("parts", "received", 25), ("parts", "consumed", 3), ("units_awaiting_repair", "received", 1)}
    await engine.dispose()
