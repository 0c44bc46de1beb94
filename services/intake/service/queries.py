"""Read side: a unit, its history, filtered lists."""
from __future__ import annotations

from services.intake.db.units import UnitFilter
from services.intake.domain.units import Step, Unit
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import NotFound


async def unit_with_history(uow: IntakeUnitOfWork, unit_id: str) -> tuple[Unit, list[Step]]:
    async with uow:
        unit = await uow.units.get(unit_id)
        if unit is None:
            raise NotFound(f"unit {unit_id} not found")
        return unit, await uow.units.history(unit_id)


async def find_units(uow: IntakeUnitOfWork, f: UnitFilter, limit: int, offset: int) -> list[Unit]:
    async with uow:
        return await uow.units.find(f, limit, offset)
