"""Close a work order with its outcome: clocks stopped, unused reservations released, dispatch told."""
from __future__ import annotations

from datetime import datetime

from services.kit.errors import Conflict
from services.repair.db.old_parts import OldPartFilter
from services.repair.domain.states import COMPLETION, Outcome
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import outgoing
from services.repair.service.common import load, save
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now


async def complete(uow: RepairUnitOfWork, work_order_id: str, outcome: Outcome, note: str, actor: str,
                   expected_version: int | None = None) -> WorkOrder:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.check(COMPLETION[outcome])
        await _stop_clocks(uow, wo, at, actor)
        wo.complete(outcome, note, at, actor)
        await save(uow, wo, actor, at)
        await _release_reservations(uow, wo.id)
        old = await uow.old_parts.find(OldPartFilter(work_order_id=wo.id), limit=10_000, offset=0)
        uow.publish(outgoing.completed(wo, await uow.reservations.used(wo.id), [p.id for p in old]))
        await uow.commit()
        return wo


async def _stop_clocks(uow: RepairUnitOfWork, wo: WorkOrder, at: datetime, actor: str) -> None:
    for entry in await uow.labour.running(wo.id):
        minutes = entry.stop(at)
        await uow.labour.save(entry)
        wo.log_labour(minutes, f"{entry.technician}'s clock stopped at completion: {minutes} min", at, actor)


async def _release_reservations(uow: RepairUnitOfWork, work_order_id: str) -> None:
    for r in await uow.reservations.for_work_order(work_order_id):
        if r.released or not await uow.reservations.release(r.id):
            continue
        if r.lot_id is not None and r.remaining > 0 and not await uow.stock.release(r.lot_id, r.remaining):
            raise Conflict(f"stock of reservation {r.id} changed meanwhile; retry")
