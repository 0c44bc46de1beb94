"""Start diagnosing a unit; record its diagnosis (failure codes, findings, or no fault found)."""
from __future__ import annotations

from services.repair.domain.diagnosis import Diagnosis
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import outgoing
from services.repair.service.common import load, save
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now


async def start(uow: RepairUnitOfWork, work_order_id: str, actor: str,
                expected_version: int | None = None) -> WorkOrder:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.start_diagnosis(at, actor)
        await save(uow, wo, actor, at)
        await uow.commit()
        return wo


async def record(uow: RepairUnitOfWork, work_order_id: str, failure_codes: list[str], findings: str,
                 no_fault_found: bool, actor: str, expected_version: int | None = None) -> WorkOrder:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        known = frozenset(c.code for c in await uow.reference.failure_codes(active_only=True))
        wo.diagnose(Diagnosis(tuple(failure_codes), findings, no_fault_found, at, actor), known, at, actor)
        await save(uow, wo, actor, at)
        uow.publish(outgoing.diagnosed(wo))
        await uow.commit()
        return wo
