"""Labour on a work order: minutes booked directly, or a clock started and stopped."""
from __future__ import annotations

import uuid

from services.kit.errors import Conflict
from services.repair.domain.labour import LabourEntry
from services.repair.domain.work_orders import WorkOrder
from services.repair.service.common import load, save
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now


async def book(uow: RepairUnitOfWork, work_order_id: str, technician: str, minutes: int, note: str, actor: str,
               expected_version: int | None = None) -> LabourEntry:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.check("log_labour")
        entry = LabourEntry.booked(str(uuid.uuid4()), wo.id, technician, minutes, at, note)
        wo.log_labour(minutes, f"{minutes} min booked for {technician}", at, actor)
        await save(uow, wo, actor, at)
        await uow.labour.add(entry, actor)
        await uow.commit()
        return entry


async def start(uow: RepairUnitOfWork, work_order_id: str, technician: str, note: str, actor: str,
                expected_version: int | None = None) -> LabourEntry:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.check("log_labour")
        running = await uow.labour.running(wo.id, technician)
        entry = LabourEntry.start(str(uuid.uuid4()), wo.id, technician, at, running[0] if running else None, note)
        wo.log_labour(0, f"{technician}'s clock started", at, actor)
        await save(uow, wo, actor, at)
        await uow.labour.add(entry, actor)
        await uow.commit()
        return entry


async def stop(uow: RepairUnitOfWork, work_order_id: str, technician: str, actor: str,
               expected_version: int | None = None) -> LabourEntry:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        running = await uow.labour.running(wo.id, technician)
        if not running:
            raise Conflict(f"{technician} has no labour clock running on work order {wo.id}")
        minutes = running[0].stop(at)
        wo.log_labour(minutes, f"{technician}'s clock stopped: {minutes} min", at, actor)
        await save(uow, wo, actor, at)
        await uow.labour.save(running[0])
        await uow.commit()
        return running[0]


async def of_work_order(uow: RepairUnitOfWork, work_order_id: str) -> tuple[WorkOrder, list[LabourEntry]]:
    async with uow:
        wo = await load(uow, work_order_id)
        return wo, await uow.labour.for_work_order(work_order_id)
