"""The dashboard's read models on SQLite and PostgreSQL: fed by the desk's projection (its own consumer), they give
the seeded figures, with the ledger's from the ledger's running totals; the pre-aggregated counters always equal a
full count of the items; units due to ship are the units at dispatch bound to leave, never a unit still at intake."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from services.dispatch.db.dashboard import DashboardRepository, DashItemRow
from services.dispatch.service import dashboard, desk
from shared.contract.events.dispatch import (
    DestinationDecided,
    ExitCancelled,
    ItemAllocated,
    ItemDisposed,
    UnitAwaitingDispatch,
)
from shared.contract.events.intake import UnitAnnounced, UnitDeclared
from shared.contract.events.repair import OldPartRecorded
from shared.contract.registry import REGISTRY, Payload
from tests.browser.seed import EXPECTED, NOW, Loop, facts, intake, repair, scenario
from tests.support.runtime import deliver, runtime


def policy() -> dashboard.Policy:
    return dashboard.Policy(NOW.date(), 730, 60, 14)


async def figures(rt) -> dict:  # type: ignore[no-untyped-def]
    return await desk.figures(rt.uow(), policy())


async def test_seeded_units_give_the_expected_figures(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    await scenario(rt, loop)
    got = await figures(rt)
    for key, want in EXPECTED.items():
        assert got[key] == want, key
    assert got["aging"]["repair"] == {"0-7": 0, "8-30": 1, "31-90": 1, "90+": 0}
    assert got["ledger"]["repaired_units"]["exported"] == 2
    assert got["ledger"]["parts"] == {"received": 20, "exported": 0, "released": 0, "destroyed": 0, "other_out": 6,
                                      "on_hand": 14}  # 6 O-rings built into the 6 repaired units
    await rt.dispose()


async def test_counters_equal_a_full_count_and_events_count_once(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    await scenario(rt, loop)
    intake(loop, "u-late-intake", "fab-9", 2)
    repair(loop, "u-late-intake", "fab-9", 1, first_pass=True, outcome="repaired")
    intake(loop, "u-late-intake", "fab-9", 2)  # the same facts again, later: counted once, never moves it back
    await loop.settle()
    async with rt.sessions() as s:
        rows = list(await s.scalars(select(DashItemRow)))
        counters = {(m, a, b): n for m, a, b, n in await DashboardRepository(s).counters()}
    units = [r for r in rows if r.kind == "unit"]
    open_units = [r for r in units if r.stage != "left"]
    assert {k[1]: n for k, n in counters.items() if k[0] == "stage"} == Counter(r.stage for r in open_units)
    assert {k[1:]: n for k, n in counters.items() if k[0] == "owner"} == Counter((r.owner_id, r.stage)
                                                                               for r in open_units)
    assert {k[1:]: n for k, n in counters.items() if k[0] == "state"} == Counter((r.state, r.stage) for r in units)
    late = next(r for r in rows if r.item_id == "u-late-intake")
    assert (late.stage, late.state) == ("dispatch", "awaiting_dispatch")
    assert counters[("origin", "foreign", "")] == EXPECTED["origins"]["foreign"] + 1
    await rt.dispose()


async def project(rt, *payloads: Payload) -> None:  # type: ignore[no-untyped-def]
    for payload in payloads:
        producer = REGISTRY.type_of(type(payload)).split(".")[2]  # com.bondline.<service>.…
        await deliver(rt, payload, REGISTRY.to_event(payload, f"/bondline/{producer}"))


def awaiting(unit_id: str, hours: int) -> UnitAwaitingDispatch:
    return UnitAwaitingDispatch(unit_id=unit_id, owner_id="fab-1", outcome="repaired",
                                since=NOW - timedelta(hours=hours))


async def test_due_to_ship_counts_units_awaiting_dispatch_and_never_a_unit_whose_entry_is_declared(db_url,
                                                                                                   monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    at = NOW - timedelta(hours=6)
    await project(rt, UnitAnnounced(**facts("u-gate", "fab-1", "foreign"), request_id="rq-1", catalogue_version=1,
                                    announced_at=at),
                  UnitDeclared(unit_id="u-gate", owner_id="fab-1", declaration_id="D-1", inspection_selected=False,
                               declared_at=at + timedelta(hours=1)))
    assert (await figures(rt))["due_to_ship"] == 0  # its entry declared at intake: not even received
    await project(rt, awaiting("u-ready", 3), awaiting("u-pool", 4),
                  DestinationDecided(unit_id="u-pool", item_id="u-pool", item_kind="unit", owner_id="fab-1",
                                     destination="exchange_pool", decided_at=NOW - timedelta(hours=2)))
    got = await figures(rt)
    assert got["due_to_ship"] == 1 and got["backlog_by_stage"] == {"intake": 1, "repair": 0, "dispatch": 2}
    due = await desk.items(rt.uow(), desk.due_to_ship(), 10, 0)
    assert [(r.item_id, r.stage, r.state) for r in due] == [("u-ready", "dispatch", "awaiting_dispatch")]
    gate = await desk.items(rt.uow(), desk.ItemFilter(stage="intake"), 10, 0)
    assert [(r.item_id, r.state) for r in gate] == [("u-gate", "declared")]  # its entry declared: not due to ship
    await project(rt, ItemAllocated(unit_id="u-pool", item_id="u-pool", item_kind="unit", owner_id="fab-2",
                                    previous_owner_id="fab-1", allocated_at=NOW - timedelta(hours=1)))
    assert (await figures(rt))["due_to_ship"] == 2  # a spare allocated to its new owner is due to ship again
    await rt.dispose()


async def test_a_cancelled_disposal_brings_the_old_part_back_to_the_dispatch_backlog(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    op = {"unit_id": "u-op", "item_id": "u-op/op-1", "item_kind": "old_part", "owner_id": "fab-1"}
    await project(rt, OldPartRecorded(unit_id="u-op", old_part_id="u-op/op-1", work_order_id="wo-op",
                                      owner_id="fab-1", part_number="P-1", quantity=1, origin="foreign",
                                      allowed_routes=["destruction_0200"], disposal_deadline=NOW + timedelta(days=60),
                                      removed_at=NOW - timedelta(hours=5)),
                  ItemDisposed(**op, route="destruction", documents={"supervision_mode": "0200"},
                               disposed_at=NOW - timedelta(hours=3)))
    [gone] = await desk.items(rt.uow(), desk.ItemFilter(kind="old_part"), 10, 0)
    assert (gone.stage, gone.state) == ("left", "disposed")
    await project(rt, ExitCancelled(**op, destination="destruction", documents={"supervision_mode": "0200"},
                                    ledger_reversed=True, reason="destroyed the wrong part on paper",
                                    at=NOW - timedelta(hours=1)))
    [back] = await desk.items(rt.uow(), desk.ItemFilter(kind="old_part"), 10, 0)
    assert (back.stage, back.state) == ("dispatch", "destination_decided")
    await rt.dispose()
