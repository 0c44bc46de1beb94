"""Open a work order for a released unit; complete it."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

from shared.contract.events.common import Money
from shared.contract.events.intake import UnitReleasedToRepair
from shared.contract.events.repair import WorkOrderCompleted, WorkOrderOpened
from services.kit.errors import NotFound
from services.repair.domain.work_orders import Outcome, WorkOrder
from services.repair.service.uow import RepairUnitOfWork


async def open_for_released_unit(uow: RepairUnitOfWork, e: UnitReleasedToRepair) -> WorkOrder:
    """Called inside the consumer's unit of work; one work order per unit."""
    existing = await uow.work_orders.for_unit(e.unit_id)
    if existing is not None:
        return existing
    wo = WorkOrder(id=str(uuid.uuid4()), unit_id=e.unit_id, owner_id=e.owner_id,
                   serial_number=e.serial_number, hs_code=e.hs_code, origin=e.origin,
                   opened_at=datetime.now(timezone.utc))
    await uow.work_orders.add(wo, uow.actor or "system")
    uow.publish(WorkOrderOpened(unit_id=wo.unit_id, work_order_id=wo.id, owner_id=wo.owner_id,
                                opened_at=wo.opened_at))
    return wo


async def complete(uow: RepairUnitOfWork, work_order_id: str, outcome: Outcome, fee: Decimal,
                   currency: str, labour_minutes: int, actor: str) -> WorkOrder:
    async with uow:
        uow.actor = actor
        wo = await uow.work_orders.get(work_order_id)
        if wo is None:
            raise NotFound(f"work order {work_order_id} not found")
        wo.complete(outcome, fee, currency, labour_minutes, datetime.now(timezone.utc))
        await uow.work_orders.save(wo, actor)
        uow.publish(WorkOrderCompleted(
            unit_id=wo.unit_id, work_order_id=wo.id, owner_id=wo.owner_id, outcome=outcome.value,
            repair_fee=Money(amount=fee, currency=currency), labour_minutes=labour_minutes,
            completed_at=wo.completed_at))
        await uow.commit()
        return wo


async def get(uow: RepairUnitOfWork, work_order_id: str) -> WorkOrder:
    async with uow:
        wo = await uow.work_orders.get(work_order_id)
        if wo is None:
            raise NotFound(f"work order {work_order_id} not found")
        return wo


async def find(uow: RepairUnitOfWork, state: str | None, owner_id: str | None, unit_id: str | None,
               limit: int, offset: int) -> list[WorkOrder]:
    async with uow:
        if unit_id:
            wo = await uow.work_orders.for_unit(unit_id)
            return [wo] if wo else []
        return await uow.work_orders.list(state, owner_id, limit, offset)
