"""Receipt per unit, discrepancies, rejection and return, release to repair."""
from __future__ import annotations

from services.intake.domain.units import Unit
from services.intake.service import outgoing
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import NotFound
from shared.clock import utc_now
from shared.contract.events import intake as ev


async def _load(uow: IntakeUnitOfWork, unit_id: str) -> Unit:
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} not found")
    return unit


async def _received(uow: IntakeUnitOfWork, unit: Unit) -> ev.UnitReceived:
    """The received event also tells dispatch the owner's group and the catalogue entry's scope."""
    owner = await uow.owners.get(unit.owner_id)
    entry = (await uow.catalogue.get(unit.catalogue_version)).entries.get(unit.hs_code)
    return outgoing.received(unit, owner.group if owner else None, entry.own_products_only if entry else None)


async def receive(uow: IntakeUnitOfWork, unit_id: str, serial: str, part: str, condition: str,
                  actor: str) -> Unit:
    async with uow:
        uow.actor, now = actor, utc_now()
        unit = await _load(uow, unit_id)
        matched = unit.receive(serial, part, condition, now, actor)
        await uow.units.save(unit, actor)
        uow.publish(await _received(uow, unit) if matched else outgoing.discrepancy(unit, now))
        await uow.commit()
        return unit


async def resolve(uow: IntakeUnitOfWork, unit_id: str, accept: bool, note: str, actor: str) -> Unit:
    async with uow:
        uow.actor, now = actor, utc_now()
        unit = await _load(uow, unit_id)
        unit.resolve(accept, note, now, actor)
        await uow.units.save(unit, actor)
        uow.publish(outgoing.resolved(unit, accept, note, now))
        uow.publish(await _received(uow, unit) if accept else outgoing.rejected(unit, now))
        await uow.commit()
        return unit


async def reject(uow: IntakeUnitOfWork, unit_id: str, reason: str, actor: str) -> Unit:
    async with uow:
        uow.actor, now = actor, utc_now()
        unit = await _load(uow, unit_id)
        unit.reject(reason, now, actor)
        await uow.units.save(unit, actor)
        uow.publish(outgoing.rejected(unit, now))
        await uow.commit()
        return unit


async def release(uow: IntakeUnitOfWork, unit_id: str, actor: str) -> Unit:
    async with uow:
        uow.actor = actor
        unit = await _load(uow, unit_id)
        unit.release_to_repair(utc_now(), actor)
        await uow.units.save(unit, actor)
        uow.publish(outgoing.released(unit))
        await uow.commit()
        return unit
