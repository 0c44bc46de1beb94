"""Ledger lines from intake's and repair's events (each runs in the consumer's inbox-guarded unit of work).

The CloudEvent id is each line's source, so a line per (event, item, movement) is recorded once. Compose these
with dispatch's own handlers so both run in one transaction per event type (``compose`` below).
"""
from __future__ import annotations

from typing import Any

from services.dispatch.domain.ledger import AFTER_REPAIR, Category, ItemKind, Line, Movement, part_lot_id
from services.dispatch.service import ledger
from services.dispatch.service.uow import DispatchUnitOfWork
from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import PartsReceived, UnitReceived, UnitRejected
from shared.contract.events.repair import OldPartRecorded, PartsConsumed, WorkOrderCompleted
from shared.contract.registry import REGISTRY
from shared.messaging.consumer import Handler


async def on_unit_received(uow: DispatchUnitOfWork, e: UnitReceived, ce: CloudEvent) -> None:
    await ledger.record(uow, Line(
        e.unit_id, ItemKind.unit, Category.units_awaiting_repair, Movement.received, 1, e.received_at,
        dict(e.documents), e.owner_id, ce.id, f"serial {e.serial_number}, {e.custody_location}", e.part_number,
        origin=e.origin, value=e.declared_value.amount, currency=e.declared_value.currency,
        serial_number=e.serial_number))


async def on_unit_rejected(uow: DispatchUnitOfWork, e: UnitRejected, ce: CloudEvent) -> None:
    await ledger.set_aside_rejected(uow, unit_id=e.unit_id, owner_id=e.owner_id, documents=dict(e.documents),
                                    at=e.rejected_at, source=ce.id, reason=e.reason)


async def on_parts_received(uow: DispatchUnitOfWork, e: PartsReceived, ce: CloudEvent) -> None:
    await ledger.record(uow, Line(
        part_lot_id(e.part_number, e.lot, e.bonded), ItemKind.part_lot, Category.parts, Movement.received, e.quantity,
        e.received_at, dict(e.documents), None, ce.id, f"receipt {e.receipt_id}" + ("" if e.bonded else ", duty-paid"),
        e.part_number, origin=e.origin, bonded=e.bonded, value=e.unit_value.amount * e.quantity,
        currency=e.unit_value.currency))


async def on_parts_consumed(uow: DispatchUnitOfWork, e: PartsConsumed, ce: CloudEvent) -> None:
    await ledger.consume_parts(uow, e.parts, unit_id=e.unit_id, work_order_id=e.work_order_id, owner_id=e.owner_id,
                               at=e.consumed_at, source=ce.id)


async def on_work_order_completed(uow: DispatchUnitOfWork, e: WorkOrderCompleted, ce: CloudEvent) -> None:
    """The unit moves to repaired or unrepairable units; parts_used tops up what parts_consumed did not record."""
    await ledger.record_transfer(uow, item_id=e.unit_id, item_kind=ItemKind.unit,
                                 from_category=Category.units_awaiting_repair, to_category=AFTER_REPAIR[e.outcome],
                                 quantity=1, at=e.completed_at, documents={"work_order": e.work_order_id},
                                 source=ce.id, owner_id=e.owner_id, note=f"work order {e.work_order_id}: {e.outcome}")
    await ledger.consume_parts(uow, e.parts_used, unit_id=e.unit_id, work_order_id=e.work_order_id,
                               owner_id=e.owner_id, at=e.completed_at, source=ce.id, top_up=True)


async def on_old_part_recorded(uow: DispatchUnitOfWork, e: OldPartRecorded, ce: CloudEvent) -> None:
    await ledger.record_old_part(
        uow, old_part_id=e.old_part_id, unit_id=e.unit_id, part_number=e.part_number, quantity=e.quantity,
        origin=e.origin, owner_id=e.owner_id, disposal_deadline=e.disposal_deadline, at=e.removed_at, source=ce.id,
        documents={"work_order": e.work_order_id}, note=f"allowed routes: {', '.join(e.allowed_routes)}")


LEDGER_HANDLERS: dict[str, Handler] = {
    REGISTRY.type_of(UnitReceived): on_unit_received,  # type: ignore[dict-item]
    REGISTRY.type_of(UnitRejected): on_unit_rejected,  # type: ignore[dict-item]
    REGISTRY.type_of(PartsReceived): on_parts_received,  # type: ignore[dict-item]
    REGISTRY.type_of(PartsConsumed): on_parts_consumed,  # type: ignore[dict-item]
    REGISTRY.type_of(WorkOrderCompleted): on_work_order_completed,  # type: ignore[dict-item]
    REGISTRY.type_of(OldPartRecorded): on_old_part_recorded,  # type: ignore[dict-item]
}


def compose(*handlers: Handler) -> Handler:
    """One handler that runs several in order, in the same unit of work (so in one transaction)."""
    async def both(uow: Any, payload: Any, ce: CloudEvent) -> None:
        for h in handlers:
            await h(uow, payload, ce)
    return both


def merged(*tables: dict[str, Handler]) -> dict[str, Handler]:
    """The given handler tables and then the ledger's, composed per event type (one transaction per event)."""
    everything = [*tables, LEDGER_HANDLERS]
    types = sorted(set().union(*everything))
    return {t: compose(*[table[t] for table in everything if t in table]) for t in types}
