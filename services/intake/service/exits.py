"""A unit shipped out of the zone (dispatch's fact): intake's record closes and its serial is free again."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from services.intake.service.uow import IntakeUnitOfWork
from shared.contract.events.dispatch import ItemAllocated, ItemShipped

log = logging.getLogger("bondline.intake.exits")


async def unit_shipped(uow: IntakeUnitOfWork, e: ItemShipped) -> bool:
    """Called inside the consumer's unit of work. Old parts and scrap are not intake's units: ignored.
    A unit intake never announced is logged and ignored. Returns whether the unit's state changed."""
    if e.item_kind != "unit":
        return False
    unit = await uow.units.get(e.unit_id, for_update=True)
    if unit is None:
        log.warning("shipped unit %s is not one of intake's units; ignored", e.unit_id)
        return False
    s = e.shipment
    note = f"left the zone in shipment {s.shipment_id} to {s.destination_country} ({s.carrier} {s.tracking_number})"
    actor = uow.actor or "event:dispatch"
    if not unit.exit_zone(_utc(e.at), actor, note,
                          {"shipment_id": s.shipment_id, "tracking_number": s.tracking_number}):
        return False
    await uow.units.save(unit, actor)
    return True


def _utc(at: datetime) -> datetime:
    return at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)


async def unit_allocated(uow: IntakeUnitOfWork, e: ItemAllocated) -> bool:
    """An exchange-pool unit went to another owner at dispatch: intake's record follows (the new owner's partner
    token reads it, the old one's no longer). Old parts and units intake never announced are ignored."""
    if e.item_kind != "unit":
        return False
    unit = await uow.units.get(e.unit_id, for_update=True)
    if unit is None or unit.owner_id == e.owner_id:
        return False
    actor = uow.actor or "event:dispatch"
    unit.allocate(e.owner_id, _utc(e.allocated_at), actor, f"allocated by dispatch from {e.previous_owner_id}")
    await uow.units.save(unit, actor)
    return True
