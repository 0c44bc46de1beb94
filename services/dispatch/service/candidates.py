"""Learn about units from intake and repair; list the dispatch candidates."""
from __future__ import annotations

from shared.contract.events.dispatch import UnitAwaitingDispatch
from shared.contract.events.intake import UnitReceived
from shared.contract.events.repair import WorkOrderCompleted
from services.dispatch.domain.units import DispatchUnit
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit.errors import NotFound


async def _load_or_new(uow: DispatchUnitOfWork, unit_id: str, owner_id: str) -> tuple[DispatchUnit, bool]:
    unit = await uow.units.get(unit_id)
    return (unit, False) if unit else (DispatchUnit(unit_id=unit_id, owner_id=owner_id), True)


async def _store(uow: DispatchUnitOfWork, unit: DispatchUnit, new: bool) -> None:
    actor = uow.actor or "system"
    await (uow.units.add(unit, actor) if new else uow.units.save(unit, actor))


async def record_receipt(uow: DispatchUnitOfWork, e: UnitReceived) -> None:
    unit, new = await _load_or_new(uow, e.unit_id, e.owner_id)
    unit.learn_receipt({
        "serial_number": e.serial_number, "part_number": e.part_number, "hs_code": e.hs_code,
        "origin": e.origin, "origin_country": e.origin_country, "declared_value": e.declared_value.amount,
        "currency": e.declared_value.currency, "received_at": e.received_at})
    await _store(uow, unit, new)


async def record_repair_outcome(uow: DispatchUnitOfWork, e: WorkOrderCompleted) -> None:
    unit, new = await _load_or_new(uow, e.unit_id, e.owner_id)
    if unit.repair_ended(e.outcome, e.repair_fee.amount, e.repair_fee.currency, e.completed_at):
        uow.publish(UnitAwaitingDispatch(unit_id=unit.unit_id, owner_id=unit.owner_id, outcome=e.outcome,
                                         since=e.completed_at))
    await _store(uow, unit, new)


async def get(uow: DispatchUnitOfWork, unit_id: str) -> DispatchUnit:
    async with uow:
        unit = await uow.units.get(unit_id)
        if unit is None:
            raise NotFound(f"unit {unit_id} is not known to dispatch")
        return unit


async def find(uow: DispatchUnitOfWork, state: str | None, owner_id: str | None,
               limit: int, offset: int) -> list[DispatchUnit]:
    async with uow:
        return await uow.units.list(state, owner_id, limit, offset)
