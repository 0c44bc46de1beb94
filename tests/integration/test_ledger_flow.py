"""The bonded ledger on SQLite and PostgreSQL: lines from intake's and repair's events, dispatch's own exits,
and the SQL reports agreeing with the plain-Python ledger on random histories."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, func, select

from services.dispatch.db.ledger import LedgerLineRow, LedgerRepository, LineFilter
from services.dispatch.db.tables import metadata
from services.dispatch.domain.ledger import Category, ItemKind, Line, Movement, dips, positions, reconcile
from services.dispatch.domain.ledger_checks import FlagPolicy, inconsistencies
from services.dispatch.messaging.handlers import HANDLERS
from services.dispatch.messaging.ledger_handlers import LEDGER_HANDLERS, merged
from services.dispatch.service import ledger
from services.kit.errors import RuleViolation
from services.kit.runtime import Runtime
from shared.contract.events.common import Money, PartLine
from shared.contract.events.intake import PartsReceived, UnitReceived, UnitRejected
from shared.contract.events.repair import OldPartRecorded, PartsConsumed, WorkOrderCompleted
from shared.contract.registry import REGISTRY, Payload
from tests.support.runtime import runtime
from tests.unit.test_ledger_properties import T0, ops, simulate

C, M = Category, Movement
USD = Money(amount="10.00", currency="USD")
IN_DOCS = {"bonded_inventory_list": "QD224426I000000001", "gate_pass": "HF224400000001"}
OUT_DOCS = {"bonded_inventory_list": "QD224426E000000009", "gate_pass": "HF224400000009"}


@pytest.fixture
async def rt(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("dispatch", db_url, monkeypatch)
    yield rt
    await rt.dispose()


async def feed(rt: Runtime, payload: Payload, times: int = 1) -> None:
    """Deliver an event to the ledger's handler as the consumer would (``times`` > 1: a redelivery, same id)."""
    ce = REGISTRY.to_event(payload, "/bondline/test")
    for _ in range(times):
        async with rt.uow() as uow:
            await LEDGER_HANDLERS[ce.type](uow, payload, ce)
            await uow.commit()


def received(unit_id: str, at: datetime = T0, origin: str = "foreign") -> UnitReceived:
    return UnitReceived(unit_id=unit_id, owner_id="fab-1", serial_number=f"SN-{unit_id}", part_number="0040-1",
                        hs_code="8486909000", origin=origin, origin_country="KR" if origin == "foreign" else None,
                        declared_value=USD, custody_location="awaiting repair", received_at=at, documents=IN_DOCS)


def part(lot: str | None, qty: int, pn: str = "ORING") -> PartLine:
    return PartLine(part_number=pn, lot=lot, quantity=qty, unit_value=USD, origin="foreign")


def completed(unit_id: str, outcome: str = "repaired", parts: list[PartLine] | None = None,
              at: datetime = T0 + timedelta(days=3)) -> WorkOrderCompleted:
    return WorkOrderCompleted(unit_id=unit_id, work_order_id=f"wo-{unit_id}", owner_id="fab-1", outcome=outcome,
                              repair_fee=USD, parts_used=parts or [], completed_at=at)


async def item(rt: Runtime, item_id: str) -> list[tuple[str, str, int]]:
    lines = await ledger.lines(rt.uow(), LineFilter(item_id=item_id), 100, 0)
    return [(ln.category.value, ln.movement.value, ln.quantity) for ln in lines]


async def test_a_unit_through_receipt_repair_and_exit(rt):
    await feed(rt, received("u1"), times=2)  # redelivered: still one line
    await feed(rt, completed("u1"))
    async with rt.uow() as uow:
        with pytest.raises(RuleViolation, match=r"0 on hand there \(on hand: repaired_units=1\)"):
            await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="units_awaiting_repair",
                                         movement="exported", quantity=1, documents=OUT_DOCS, at=T0 + timedelta(days=4))
        assert await ledger.holding(uow, "u1") == {C.repaired_units: 1}
        await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="repaired_units",
                                     movement="exported", quantity=1, documents=OUT_DOCS, at=T0 + timedelta(days=4),
                                     source="exit-1", note="re-export to DE")
        await uow.commit()
    assert await item(rt, "u1") == [("units_awaiting_repair", "received", 1),
                                    ("units_awaiting_repair", "transferred_out", 1),
                                    ("repaired_units", "transferred_in", 1), ("repaired_units", "exported", 1)]
    [exit_] = await ledger.lines(rt.uow(), LineFilter(movement="exported"), 10, 0)
    assert (exit_.origin, exit_.owner_id, exit_.documents, exit_.source) == ("foreign", "fab-1", OUT_DOCS, "exit-1")
    async with rt.uow() as uow:
        with pytest.raises(RuleViolation, match="0 on hand there"):  # it already left
            await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="repaired_units",
                                         movement="exported", quantity=1, documents=OUT_DOCS, at=T0 + timedelta(days=5))
    report = await ledger.balances(rt.uow(), None)
    assert report.zone_holds and report.zone.closing == 0 and report.zone.moved[M.exported] == 1


async def test_two_desks_exiting_the_same_unit_at_once_one_is_refused(rt):
    await feed(rt, received("u1"))
    await feed(rt, completed("u1"))

    async def exit_(n: int) -> None:
        async with rt.uow() as uow:
            await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="repaired_units",
                                         movement="exported", quantity=1, documents=OUT_DOCS, at=T0 + timedelta(days=4),
                                         source=f"desk-{n}")
            await asyncio.sleep(0.2)  # hold the transaction open while the other desk tries
            await uow.commit()

    results = await asyncio.gather(exit_(1), exit_(2), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "RuleViolation"]
    assert [m for _, m, _ in await item(rt, "u1")].count("exported") == 1


async def test_beyond_repair_and_rejected_units_are_kept_apart_until_they_leave(rt):
    await feed(rt, received("u2"))
    await feed(rt, completed("u2", outcome="beyond_repair"))
    await feed(rt, received("u3"))
    await feed(rt, UnitRejected(unit_id="u3", owner_id="fab-1", reason="wrong unit", return_mode="4561",
                                rejected_at=T0 + timedelta(days=1), documents={"return_mode": "4561"}))
    await feed(rt, UnitRejected(unit_id="u4", owner_id="fab-1", reason="failed inspection", return_mode="4500",
                                rejected_at=T0))  # never received: nothing to record
    assert await item(rt, "u3") == [("units_awaiting_repair", "received", 1),
                                    ("units_awaiting_repair", "transferred_out", 1),
                                    ("unrepairable_units", "transferred_in", 1)]
    assert await item(rt, "u4") == []
    report = await ledger.balances(rt.uow(), None)
    assert {b.category: b.closing for b in report.categories if b.closing} == {"unrepairable_units": 2}


async def test_parts_consumed_once_whether_told_by_parts_consumed_or_by_the_completion(rt):
    await feed(rt, PartsReceived(receipt_id="r1", part_number="ORING", lot="L1", quantity=5, unit_value=USD,
                                 hs_code="8486909000", origin="foreign", received_at=T0, documents=IN_DOCS))
    await feed(rt, PartsReceived(receipt_id="r2", part_number="ORING", lot="L2", quantity=10, unit_value=USD,
                                 hs_code="8486909000", origin="foreign", received_at=T0 + timedelta(hours=1),
                                 documents=IN_DOCS))
    await feed(rt, PartsReceived(receipt_id="r3", part_number="ORING", lot="L1", quantity=50, unit_value=USD,
                                 hs_code="8486909000", origin="domestic", bonded=False, received_at=T0))
    await feed(rt, received("u1"))
    consumed = PartsConsumed(unit_id="u1", work_order_id="wo-u1", owner_id="fab-1", parts=[part(None, 7)],
                             consumed_at=T0 + timedelta(days=1))
    await feed(rt, consumed, times=2)
    assert await item(rt, "ORING@L1") == [("parts", "received", 5), ("parts", "consumed", 5)]  # oldest lot first
    assert await item(rt, "ORING@L2") == [("parts", "received", 10), ("parts", "consumed", 2)]
    # the completion repeats the consumption by lot and adds one more part: only that one is recorded
    await feed(rt, completed("u1", parts=[part("L1", 5), part("L2", 3)]))
    assert await item(rt, "ORING@L2") == [("parts", "received", 10), ("parts", "consumed", 2), ("parts", "consumed", 1)]
    assert await item(rt, "ORING@L1#duty-paid") == [("parts", "received", 50)]
    report = await ledger.balances(rt.uow(), None)
    parts = next(b for b in report.categories if b.category == "parts")
    assert (parts.moved[M.received], parts.moved[M.consumed], parts.closing, parts.holds) == (15, 8, 7, True)


async def test_a_consumed_lot_never_received_is_recorded_and_reported(rt):
    await feed(rt, received("u1"))
    await feed(rt, completed("u1", parts=[part("NOPE", 2, pn="FUSE")]))
    assert await item(rt, "FUSE@NOPE") == [("parts", "consumed", 2)]
    found = await ledger.inconsistencies(rt.uow())
    assert [(i.code, i.item_id) for i in found] == [("consumed_part_never_received", "FUSE@NOPE")]
    report = await ledger.balances(rt.uow(), None)
    assert not report.zone_holds and [b.difference for b in report.categories if not b.holds] == [2]


async def test_old_parts_from_record_to_disposal_with_flags(rt):
    await feed(rt, received("u1", at=datetime.now(timezone.utc) - timedelta(days=20)))
    now = datetime.now(timezone.utc)
    for i, days in enumerate((5, 30, -1)):
        await feed(rt, OldPartRecorded(unit_id="u1", old_part_id=f"op{i}", work_order_id="wo-u1", owner_id="fab-1",
                                       part_number="ESC", quantity=1, origin="foreign",
                                       allowed_routes=["reexport_0864", "destruction_0200"],
                                       disposal_deadline=now + timedelta(days=days),
                                       removed_at=now - timedelta(days=2)))
    async with rt.uow() as uow:  # the dispatch desk declares op1's supervised destruction
        await ledger.record_movement(uow, item_id="op1", item_kind="old_part", category="old_parts",
                                     movement="destroyed", quantity=1, at=now - timedelta(days=1),
                                     documents={"supervision_mode": "0200", "bonded_inventory_list_no": "D-1"})
        await uow.commit()
    assert await item(rt, "op1") == [("old_parts", "received", 1), ("old_parts", "destroyed", 1)]
    found = {(f.item_id, f.reason): f.status.value for f in await ledger.flags(rt.uow(), now, FlagPolicy())}
    assert found == {("op0", "disposal_deadline"): "at_risk", ("op2", "disposal_deadline"): "breached"}
    assert await ledger.inconsistencies(rt.uow()) == []


async def test_reconciliation_of_a_period(rt):
    await feed(rt, received("u1", at=T0))
    await feed(rt, received("u2", at=T0 + timedelta(days=10)))
    await feed(rt, completed("u1", at=T0 + timedelta(days=12)))
    async with rt.uow() as uow:
        await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="repaired_units",
                                     movement="released", quantity=1, documents=OUT_DOCS, at=T0 + timedelta(days=40))
        await uow.commit()
    r = await ledger.reconciliation(rt.uow(), T0 + timedelta(days=5), T0 + timedelta(days=30))
    rows = {b.category: (b.opening, b.moved[M.received], b.moved[M.transferred_out], b.moved[M.transferred_in],
                         b.closing) for b in r.categories}
    assert rows["units_awaiting_repair"] == (1, 1, 1, 0, 1) and rows["repaired_units"] == (0, 0, 0, 1, 1)
    assert r.zone_holds and all(b.holds for b in r.categories)
    with pytest.raises(RuleViolation, match="start must be before its end"):
        await ledger.reconciliation(rt.uow(), T0, T0)


async def test_composed_with_dispatchs_own_handlers_in_one_transaction(rt):
    handlers = merged(HANDLERS)
    assert set(handlers) == set(HANDLERS) | set(LEDGER_HANDLERS)
    payload = received("u9")
    ce = REGISTRY.to_event(payload, "/bondline/test")
    async with rt.uow() as uow:
        await handlers[ce.type](uow, payload, ce)
        assert await uow.items.get("u9") is not None and await ledger.holding(uow, "u9") == {C.units_awaiting_repair: 1}
        await uow.rollback()  # both or neither
    async with rt.uow() as uow:
        assert await uow.items.get("u9") is None and await ledger.holding(uow, "u9") == {}


async def test_a_batch_of_events_in_one_transaction_records_what_one_by_one_does(rt):
    """The consumer may apply a partition's batch in one unit of work: later events must see earlier lines."""
    batch = [PartsReceived(receipt_id="r1", part_number="ORING", lot="L1", quantity=5, unit_value=USD,
                           hs_code="8486909000", origin="foreign", received_at=T0, documents=IN_DOCS),
             received("u1"),
             PartsConsumed(unit_id="u1", work_order_id="wo-u1", owner_id="fab-1", parts=[part(None, 2)],
                           consumed_at=T0 + timedelta(days=1)),
             completed("u1", parts=[part("L1", 3)])]
    async with rt.uow() as uow:
        for payload in batch:
            ce = REGISTRY.to_event(payload, "/bondline/test")
            await LEDGER_HANDLERS[ce.type](uow, payload, ce)
        await uow.commit()
    assert await item(rt, "ORING@L1") == [("parts", "received", 5), ("parts", "consumed", 2), ("parts", "consumed", 1)]
    assert await item(rt, "u1") == [("units_awaiting_repair", "received", 1),
                                    ("units_awaiting_repair", "transferred_out", 1),
                                    ("repaired_units", "transferred_in", 1)]


async def test_the_ledger_table_matches_its_model(rt):
    async with rt.engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), metadata))
    assert [d for d in diff if "ledger_lines" in repr(d)] == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=ops)
async def test_sql_reports_agree_with_the_plain_python_ledger(rt, history):
    """Random histories, plus an exit with no entry and one dated before its entry: same numbers either way."""
    z = simulate(history + [(0, 1, 1, 1)])
    last = z.lines[-1]
    ghost = Line("ghost", ItemKind.unit, C.repaired_units, M.exported, 1, z.at, {}, source="g")
    early = Line(last.item_id, ItemKind.unit, C.units_awaiting_repair, M.exported, 1, last.at - timedelta(days=1), {},
                 source="early")
    lines = z.lines + [ghost, early]
    async with rt.uow() as uow:
        await uow.session.execute(delete(LedgerLineRow))
        await ledger.record(uow, *lines)
        await uow.commit()
    cut = z.at - timedelta(days=3)
    sql_whole = await ledger.balances(rt.uow(), None)
    sql_period = await ledger.reconciliation(rt.uow(), cut, z.at + timedelta(days=1))
    assert _rows(sql_whole) == _rows(reconcile([], positions(lines)))
    assert _rows(sql_period) == _rows(reconcile(positions([ln for ln in lines if ln.at < cut]),
                                                positions([ln for ln in lines if ln.at >= cut])))
    async with rt.uow() as uow:
        repo = LedgerRepository(uow.session)
        sql_dips = [(ln.item_id, ln.category, ln.at, b) for ln, b in await repo.negatives()]
        stored = await repo.find(LineFilter(), 10_000, 0)
        assert await uow.session.scalar(select(func.count()).select_from(LedgerLineRow)) == len(lines)
    assert sql_dips == [(ln.item_id, ln.category, ln.at, b) for ln, b in dips(stored)]
    expected = inconsistencies(positions(stored), dips(stored), [ln for ln in stored if not ln.documents])
    assert sorted(map(repr, await ledger.inconsistencies(rt.uow()))) == sorted(map(repr, expected))


def _rows(r) -> dict:  # type: ignore[no-untyped-def]
    return {b.category: (b.opening, dict(b.moved), b.closing, b.difference) for b in r.categories + [r.zone]}
