"""Start the repair, hand the unit to testing, record a test (a failed test sends it back to repair)."""
from __future__ import annotations

import uuid

from services.repair.domain.testing import Measurement, TestRecord
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import outgoing
from services.repair.service.common import load, save
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now


async def start_repair(uow: RepairUnitOfWork, work_order_id: str, actor: str,
                       expected_version: int | None = None) -> WorkOrder:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        waiting = [f"{r.quantity} x {r.part_number}" for r in await uow.reservations.for_work_order(wo.id)
                   if r.waiting]
        wo.start_repair(waiting, at, actor)
        await save(uow, wo, actor, at)
        await uow.commit()
        return wo


async def start_testing(uow: RepairUnitOfWork, work_order_id: str, actor: str,
                        expected_version: int | None = None) -> WorkOrder:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.start_testing(at, actor)
        await save(uow, wo, actor, at)
        await uow.commit()
        return wo


async def record_test(uow: RepairUnitOfWork, work_order_id: str, procedure: str, measurements: list[Measurement],
                      passed: bool | None, actor: str,
                      expected_version: int | None = None) -> tuple[WorkOrder, TestRecord]:
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.check("record_test")
        test = TestRecord.judge(passed=passed, measurements=measurements, id=str(uuid.uuid4()),
                                work_order_id=wo.id, procedure=procedure, tested_at=at, tested_by=actor)
        first = not await uow.tests.for_work_order(wo.id)
        wo.record_test(test.passed, procedure, at, actor)
        await save(uow, wo, actor, at)
        await uow.tests.add(test, actor)
        uow.publish(outgoing.tested(wo, test, first))
        await uow.commit()
        return wo, test


async def tests_of(uow: RepairUnitOfWork, work_order_id: str) -> tuple[WorkOrder, list[TestRecord]]:
    async with uow:
        wo = await load(uow, work_order_id)
        return wo, await uow.tests.for_work_order(work_order_id)
