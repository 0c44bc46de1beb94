"""Receive a unit into bonded custody; release it to repair."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from services.intake.domain.units import Origin, Unit
from services.intake.service import outgoing
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import Conflict, NotFound


@dataclass(frozen=True)
class ReceiveUnit:
    owner_id: str
    serial_number: str
    part_number: str
    hs_code: str
    origin: Origin
    declared_value: Decimal
    currency: str
    description: str = ""
    origin_country: str | None = None
    warranty: bool = False
    fault_description: str = ""


async def receive_unit(uow: IntakeUnitOfWork, cmd: ReceiveUnit, actor: str) -> Unit:
    async with uow:
        uow.actor = actor
        if await uow.units.serial_in_zone(cmd.serial_number):
            raise Conflict(f"serial number {cmd.serial_number!r} is already in the zone", field="serial_number")
        unit = Unit(id=str(uuid.uuid4()), received_at=datetime.now(timezone.utc), **vars(cmd))
        await uow.units.add(unit, actor)
        uow.publish(outgoing.received(unit))
        await uow.commit()
        return unit


async def release_to_repair(uow: IntakeUnitOfWork, unit_id: str, actor: str) -> Unit:
    async with uow:
        uow.actor = actor
        unit = await uow.units.get(unit_id)
        if unit is None:
            raise NotFound(f"unit {unit_id} not found")
        unit.release_to_repair(datetime.now(timezone.utc))
        await uow.units.save(unit, actor)
        uow.publish(outgoing.released(unit))
        await uow.commit()
        return unit


async def get_unit(uow: IntakeUnitOfWork, unit_id: str) -> Unit:
    async with uow:
        unit = await uow.units.get(unit_id)
        if unit is None:
            raise NotFound(f"unit {unit_id} not found")
        return unit


async def list_units(uow: IntakeUnitOfWork, state: str | None, owner_id: str | None,
                     limit: int, offset: int) -> list[Unit]:
    async with uow:
        return await uow.units.list(state, owner_id, limit, offset)
