"""Open a work order for a released unit; read, filter, history, a technician's queue; assign."""
from __future__ import annotations

import uuid

from services.kit.errors import RuleViolation
from services.repair.db.work_orders import WorkOrderFilter
from services.repair.domain.work_orders import Step, WorkOrder
from services.repair.service import outgoing
from services.repair.service.common import load, save
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now
from shared.contract.events.dispatch import ItemAllocated
from shared.contract.events.intake import UnitReleasedToRepair


async def open_for_released_unit(uow: RepairUnitOfWork, e: UnitReleasedToRepair) -> WorkOrder:
    """Called inside the consumer's unit of work; one work order per unit."""
    at, actor = utc_now(), uow.actor or "system"
    wo = WorkOrder.open(at, actor, id=str(uuid.uuid4()), unit_id=e.unit_id, owner_id=e.owner_id,
                        serial_number=e.serial_number, part_number=e.part_number, hs_code=e.hs_code,
                        origin=e.origin, warranty=e.warranty, fault_description=e.fault_description)
    if not await uow.work_orders.add_unless_unit_has_one(wo, actor, at):
        existing = await uow.work_orders.for_unit(e.unit_id)
        assert existing is not None
        return existing
    uow.publish(outgoing.opened(wo))
    return wo


async def unit_allocated(uow: RepairUnitOfWork, e: ItemAllocated) -> WorkOrder | None:
    """Called inside the consumer's unit of work: the unit's work order follows its new owner (old parts keep
    theirs: they were removed while the old owner held the unit)."""
    wo = await uow.work_orders.for_unit(e.unit_id) if e.item_kind == "unit" else None
    if wo is None or wo.owner_id == e.owner_id:
        return None
    at, actor = utc_now(), uow.actor or "event:dispatch"
    wo.change_owner(e.owner_id, at, actor)
    await uow.work_orders.save(wo, actor, at)
    return wo


async def assign(uow: RepairUnitOfWork, work_order_id: str, technician: str, actor: str,
                 expected_version: int | None = None) -> WorkOrder:
    if not technician.strip():
        raise RuleViolation("name the technician to assign", field="technician")
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.assign(technician, at, actor)
        await save(uow, wo, actor, at)
        await uow.commit()
        return wo


async def get(uow: RepairUnitOfWork, work_order_id: str) -> WorkOrder:
    async with uow:
        return await load(uow, work_order_id)


async def history(uow: RepairUnitOfWork, work_order_id: str) -> tuple[WorkOrder, list[Step]]:
    async with uow:
        wo = await load(uow, work_order_id)
        return wo, await uow.work_orders.history(work_order_id)


async def find(uow: RepairUnitOfWork, f: WorkOrderFilter, limit: int, offset: int) -> list[WorkOrder]:
    async with uow:
        return await uow.work_orders.find(f, limit, offset)


async def queue(uow: RepairUnitOfWork, technician: str, limit: int, offset: int) -> list[WorkOrder]:
    """The technician's open work orders, oldest first."""
    async with uow:
        return await uow.work_orders.queue(technician, limit, offset)
