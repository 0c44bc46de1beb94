"""Withdraw a pre-alerted unit that never arrived (audited: reason and actor, an event, the serial freed)."""
from __future__ import annotations

from services.intake.domain.units import Unit
from services.intake.service import outgoing
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import Forbidden, NotFound
from shared.clock import utc_now


async def withdraw(uow: IntakeUnitOfWork, unit_id: str, reason: str, by_owner: str | None, actor: str) -> Unit:
    """``by_owner``: the owner a partner acts for (None for a clerk)."""
    async with uow:
        uow.actor, now = actor, utc_now()
        unit = await uow.units.get(unit_id)
        if unit is None:
            raise NotFound(f"unit {unit_id} not found")
        if by_owner is not None and by_owner != unit.owner_id:
            raise Forbidden(f"partner token for owner {by_owner} cannot act for owner {unit.owner_id}")
        unit.withdraw(reason, now, actor)
        await uow.units.save(unit, actor)
        uow.publish(outgoing.withdrawn(unit, now))
        await uow.commit()
        return unit
