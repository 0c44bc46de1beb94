"""Upgrading to the one vocabulary of stages and states on SQLite and PostgreSQL: dispatch's 0012 renames the desk's
states and counts its state counters by (state, stage), so the upgraded desk shows the same numbers (and units due
to ship without an intake state among them); partners' 0002 moves what has left the zone's care to ``left``."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.dispatch.db.dashboard import DashboardRepository
from services.dispatch.service import dashboard
from services.kit import migrations
from services.kit.db import UtcDateTime, make_engine, make_sessions

SERVICES = Path(__file__).resolve().parents[2] / "services"
AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
ITEMS = sa.table("dash_items", *[sa.column(c) for c in ("item_id", "kind", "unit_id", "owner_id", "stage", "state")],
                 sa.column("stage_since", UtcDateTime), sa.column("updated_at", UtcDateTime))
COUNTERS = sa.table("dash_counters", sa.column("metric"), sa.column("k1"), sa.column("k2"), sa.column("value"))
TIMELINE = sa.table("desk_timeline", *[sa.column(c) for c in ("event_id", "unit_id", "type", "source", "sequence")],
                    sa.column("occurred_at", UtcDateTime), sa.column("data", sa.JSON))
# (item, kind, stage, state before 0012, state after)
DESK = [("u-gate", "unit", "intake", "declared", "declared"),
        ("u-pass", "unit", "intake", "inspection_passed", "inspected"),
        ("u-rep", "unit", "repair", "released_to_repair", "released"),
        ("u-dec", "unit", "dispatch", "decided", "destination_decided"),
        ("u-exit", "unit", "dispatch", "declared", "exit_declared"),
        ("u-aw", "unit", "dispatch", "awaiting_dispatch", "awaiting_dispatch"),
        ("u-pool", "unit", "dispatch", "exchange_pool", "exchange_pool"),
        ("op-1", "old_part", "dispatch", "declared", "exit_declared"),
        ("u-rej1", "unit", "left", "rejected", "rejected_4561"),
        ("u-rej2", "unit", "left", "rejected", "rejected_4500"),
        ("u-sh", "unit", "left", "shipped", "shipped")]


def _item(item: str, kind: str, stage: str, state: str) -> dict:
    return {"item_id": item, "kind": kind, "unit_id": "u-exit" if kind == "old_part" else item, "owner_id": "fab-1",
            "stage": stage, "state": state, "stage_since": AT, "updated_at": AT}


def _rejection(unit_id: str, mode: str) -> dict:
    return {"event_id": f"e-{unit_id}", "unit_id": unit_id, "type": "com.bondline.intake.unit.rejected.v1",
            "source": "/bondline/intake", "sequence": 4, "occurred_at": AT,
            "data": {"owner_id": "fab-1", "reason": "discrepancy not accepted", "documents": {"return_mode": mode}}}


def _old_counters() -> list[dict]:
    """What the old projection's ``contributions`` kept: units per state alone."""
    counted: dict[str, int] = {}
    for _, kind, _, before, _ in DESK:
        if kind == "unit":
            counted[before] = counted.get(before, 0) + 1
    return [{"metric": "state", "k1": state, "k2": "", "value": n} for state, n in counted.items()] + \
        [{"metric": "outcome", "k1": "repaired", "k2": "", "value": 3}]


async def _states(engine: AsyncEngine) -> tuple[dict, dict]:
    async with engine.connect() as conn:
        items = dict((await conn.execute(select(ITEMS.c.item_id, ITEMS.c.state))).all())
        counters = {(m, a, b): n for m, a, b, n in await conn.execute(select(*COUNTERS.c))}
    return items, counters


async def test_dispatch_0012_renames_the_desks_states_and_counts_them_by_stage(db_url):
    cfg = migrations.config(SERVICES / "dispatch" / "migrations", db_url)
    await asyncio.to_thread(command.upgrade, cfg, "0011")
    engine = make_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(ITEMS.insert(), [_item(i, k, s, before) for i, k, s, before, _ in DESK])
        await conn.execute(TIMELINE.insert(), [_rejection("u-rej1", "4561")])  # u-rej2's rejection is not there
        await conn.execute(COUNTERS.insert(), _old_counters())
    await asyncio.to_thread(command.upgrade, cfg, "0012")
    items, counters = await _states(engine)
    assert items == {i: after for i, _, _, _, after in DESK}
    units = [(s, after) for _, k, s, _, after in DESK if k == "unit"]
    assert {k[1:]: n for k, n in counters.items() if k[0] == "state"} == {(a, s): units.count((s, a)) for s, a in units}
    assert counters[("outcome", "repaired", "")] == 3  # other counters untouched
    async with make_sessions(engine)() as s:
        got = await dashboard.figures(DashboardRepository(s), dashboard.Policy(date(2026, 11, 24), 730, 60, 14), [])
    assert (got["due_to_ship"], got["shipped"]) == (3, 1)  # u-dec, u-exit, u-aw; never u-gate's entry declaration
    await asyncio.to_thread(command.downgrade, cfg, "0011")
    items, counters = await _states(engine)
    assert items == {i: before for i, _, _, before, _ in DESK}
    assert sorted(counters.items()) == sorted(((r["metric"], r["k1"], r["k2"]), r["value"]) for r in _old_counters())
    await engine.dispose()


STATUS = sa.table("unit_status", *[sa.column(c) for c in ("unit_id", "owner_id", "stage", "state", "quote_pending",
                                                         "last_event_type")],
                  sa.column("updated_at", UtcDateTime), sa.column("first_seen_at", UtcDateTime))
JOURNAL = sa.table("journal", *[sa.column(c) for c in ("event_id", "type", "source", "unit_id", "owner_id")],
                   sa.column("occurred_at", UtcDateTime), sa.column("recorded_at", UtcDateTime),
                   sa.column("data", sa.JSON))
# (unit, stage and state before 0002, after)
OWNERS = [("u-sh", ("dispatch", "shipped"), ("left", "shipped")),
          ("u-wd", ("intake", "withdrawn"), ("left", "withdrawn")),
          ("u-r1", ("intake", "rejected_4500"), ("left", "rejected_4500")),
          ("u-r2", ("intake", "rejected_4561"), ("left", "rejected_4561")),
          ("u-r3", ("intake", "rejected_4561"), ("dispatch", "awaiting_dispatch")),  # received before its rejection
          ("u-gate", ("intake", "declared"), ("intake", "declared")),
          ("u-cc", ("dispatch", "customs_cleared"), ("dispatch", "customs_cleared")),
          ("u-dl", ("left", "delivered"), ("left", "delivered"))]


def _status(unit_id: str, stage: str, state: str) -> dict:
    return {"unit_id": unit_id, "owner_id": "fab-1", "stage": stage, "state": state, "quote_pending": False,
            "last_event_type": "x", "updated_at": AT, "first_seen_at": AT}


def _journal(n: int, unit_id: str, kind: str) -> dict:
    return {"event_id": f"e{n}", "type": f"com.bondline.intake.unit.{kind}.v1", "source": "/bondline/intake",
            "unit_id": unit_id, "owner_id": "fab-1", "occurred_at": AT, "recorded_at": AT, "data": {}}


async def _stages(engine: AsyncEngine) -> dict:
    async with engine.connect() as conn:
        return {u: (s, st) for u, s, st in await conn.execute(select(STATUS.c.unit_id, STATUS.c.stage, STATUS.c.state))}


async def test_partners_0002_moves_what_has_left_to_left_and_renames_no_state(db_url):
    cfg = migrations.config(SERVICES / "partners" / "migrations", db_url)
    await asyncio.to_thread(command.upgrade, cfg, "0001")
    engine = make_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(STATUS.insert(), [_status(u, *before) for u, before, _ in OWNERS])
        await conn.execute(JOURNAL.insert(), [_journal(1, "u-r3", "received"), _journal(2, "u-r3", "rejected"),
                                              _journal(3, "u-r2", "declared"), _journal(4, "u-r2", "rejected")])
    await asyncio.to_thread(command.upgrade, cfg, "0002")
    assert await _stages(engine) == {u: after for u, _, after in OWNERS}
    await asyncio.to_thread(command.downgrade, cfg, "0001")
    assert await _stages(engine) == {u: after if u == "u-r3" else before for u, before, after in OWNERS}
    await engine.dispose()
