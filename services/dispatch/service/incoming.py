"""Learn about units and old parts from intake's and repair's events (run inside the consumer's unit of work)."""
from __future__ import annotations

from services.dispatch.db.owners import RegisteredOwner
from services.dispatch.domain.destinations import ItemKind
from services.dispatch.domain.items import DispatchItem, Money, PartUsed
from services.dispatch.service.uow import DispatchUnitOfWork
from shared.contract.events.dispatch import UnitAwaitingDispatch
from shared.contract.events.intake import OwnerRegistered, UnitReceived, UnitRejected
from shared.contract.events.repair import OldPartRecorded, WorkOrderCompleted


async def _load_or_new(uow: DispatchUnitOfWork, item_id: str, owner_id: str,
                       kind: ItemKind = ItemKind.unit, unit_id: str | None = None) -> tuple[DispatchItem, bool]:
    item = await uow.items.get(item_id)
    if item:
        return item, False
    return DispatchItem(item_id=item_id, kind=kind, unit_id=unit_id or item_id, owner_id=owner_id), True


async def _store(uow: DispatchUnitOfWork, item: DispatchItem, new: bool) -> None:
    actor = uow.actor or "system"
    await (uow.items.add(item, actor) if new else uow.items.save(item, actor))


async def unit_received(uow: DispatchUnitOfWork, e: UnitReceived) -> None:
    item, new = await _load_or_new(uow, e.unit_id, e.owner_id)
    item.serial_number, item.part_number, item.hs_code = e.serial_number, e.part_number, e.hs_code
    item.origin, item.origin_country, item.received_at = e.origin, e.origin_country, e.received_at
    item.declared_value, item.currency = e.declared_value.amount, e.declared_value.currency
    item.owner_group, item.own_products_only = e.owner_group, bool(e.own_products_only)
    item.in_catalogue = e.catalogue_version is not None
    await _store(uow, item, new)


async def unit_rejected(uow: DispatchUnitOfWork, e: UnitRejected) -> None:
    """A unit refused at intake after it was received goes back to its owner under 4561 (4500 never entered)."""
    item = await uow.items.get(e.unit_id)
    if item is None:
        return  # rejected before receipt: it never entered bonded custody, intake returns it directly
    item.return_mode = e.return_mode
    if item.becomes_candidate("rejected", e.rejected_at):
        uow.publish(UnitAwaitingDispatch(unit_id=item.unit_id, owner_id=item.owner_id, outcome="returned_unrepaired",
                                         since=e.rejected_at))
    await _store(uow, item, False)


async def repair_completed(uow: DispatchUnitOfWork, e: WorkOrderCompleted) -> None:
    item, new = await _load_or_new(uow, e.unit_id, e.owner_id)
    item.repair_fee, item.repair_currency = e.repair_fee.amount, e.repair_fee.currency
    item.parts_used = [PartUsed(p.part_number, p.quantity, Money(p.unit_value.amount, p.unit_value.currency), p.origin,
                                p.lot, p.hs_code) for p in e.parts_used]
    if item.becomes_candidate(e.outcome, e.completed_at):
        uow.publish(UnitAwaitingDispatch(unit_id=item.unit_id, owner_id=item.owner_id, outcome=e.outcome,
                                         since=e.completed_at))
    await _store(uow, item, new)


async def old_part_recorded(uow: DispatchUnitOfWork, e: OldPartRecorded) -> None:
    """Every replaced part is a dispatch candidate of its own: re-export, destruction or gate registration."""
    item, new = await _load_or_new(uow, e.old_part_id, e.owner_id, ItemKind.old_part, e.unit_id)
    parent = await uow.items.get(e.unit_id)
    item.part_number, item.origin, item.disposal_deadline = e.part_number, e.origin, e.disposal_deadline
    item.origin_country = parent.origin_country if parent else None
    item.becomes_candidate("old_part", e.removed_at)
    await _store(uow, item, new)


async def owner_registered(uow: DispatchUnitOfWork, e: OwnerRegistered) -> None:
    await uow.owners.save(RegisteredOwner(e.owner_id, e.name, e.kind, e.country, e.group, e.registered_at))
