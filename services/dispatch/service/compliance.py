"""Trade compliance's own use cases: read and edit the lists (every edit a new version, and everything still in the
zone screened again against it), release a hold, and read holds and screenings."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.dispatch.db.compliance import Screening
from services.dispatch.domain.compliance_lists import ComplianceLists, ListsEdit, ListsVersion
from services.dispatch.domain.holds import Basis, Hold, HoldStatus, Licence
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.domain.screening import Party
from services.dispatch.domain.shipments import ShipmentState
from services.dispatch.service import compliance_events as events
from services.dispatch.service import screening
from services.dispatch.service.decisions import load
from services.dispatch.service.uow import DispatchUnitOfWork
from shared.clock import utc_now

OPEN_ITEMS = (ItemState.decided.value, ItemState.declared.value)
OPEN_SHIPMENTS = (ShipmentState.planned.value, ShipmentState.customs_cleared.value)


@dataclass(frozen=True)
class Edited:
    lists: ComplianceLists
    holds_opened: list[str]
    holds_cleared: list[str]


async def lists(uow: DispatchUnitOfWork, version: int | None = None) -> ComplianceLists:
    async with uow:
        return await uow.compliance.lists(version)


async def versions(uow: DispatchUnitOfWork) -> list[ListsVersion]:
    async with uow:
        return await uow.compliance.versions()


async def edit(uow: DispatchUnitOfWork, change: Callable[[ComplianceLists], ComplianceLists],
               who: ListsEdit) -> Edited:
    """A new version of the lists; every open decision and shipment is screened again against it, in the same
    transaction (a hold it opens or clears is published with it)."""
    async with uow:
        uow.actor, now = who.actor, utc_now()
        before = {h.id for h in await uow.compliance.holds(status=HoldStatus.open.value, limit=100_000)}
        new = change(await uow.compliance.lists())
        await uow.compliance.add_version(new, who, now)
        for item_id in await uow.compliance.open_item_ids(OPEN_ITEMS):
            await screening.screen_item(uow, await load(uow, item_id), "list_change", who.actor, now)
        for shipment_id in await uow.compliance.open_shipment_ids(OPEN_SHIPMENTS):
            items = await uow.items.in_shipment(shipment_id)
            s = await uow.shipments.get(shipment_id, [i.item_id for i in items])
            assert s is not None
            await screening.screen_shipment(uow, s, items, "list_change", who.actor, now, with_items=False)
        after = {h.id for h in await uow.compliance.holds(status=HoldStatus.open.value, limit=100_000)}
        await uow.commit()
        return Edited(new, sorted(after - before), sorted(before - after))


async def release(uow: DispatchUnitOfWork, hold_id: str, basis: Basis, reason: str, licence: Licence | None,
                  actor: str) -> Hold:
    async with uow:
        uow.actor, now = actor, utc_now()
        h = await uow.compliance.hold(hold_id)
        h.release(basis, reason, licence, actor, now)
        await uow.compliance.save_hold(h)
        await events.closed(uow, h, await _items_of(uow, h))
        await uow.commit()
        return h


async def _items_of(uow: DispatchUnitOfWork, h: Hold) -> list[DispatchItem]:
    if h.subject == "shipment":
        return await uow.items.in_shipment(h.subject_id)
    return [await load(uow, h.subject_id)]


async def holds(uow: DispatchUnitOfWork, status: str | None, item_id: str | None, shipment_id: str | None,
                limit: int, offset: int) -> list[Hold]:
    """Holds by status; of one item (its own and its shipment's) or of one shipment."""
    async with uow:
        if item_id is None:
            return await uow.compliance.holds("shipment" if shipment_id else None, shipment_id, status, limit, offset)
        await load(uow, item_id)
        found = [h for h in await _all_of_item(uow, item_id) if status is None or h.status.value == status]
        return found[offset:offset + limit]


async def _all_of_item(uow: DispatchUnitOfWork, item_id: str) -> list[Hold]:
    found = await uow.compliance.holds("item", item_id)
    shipment_id = await uow.items.shipment_of(item_id)
    return found + (await uow.compliance.holds("shipment", shipment_id) if shipment_id else [])


async def shipment_facts(uow: DispatchUnitOfWork, shipment_id: str) -> tuple[Party | None, list[Hold]]:
    """A shipment's consignee and the open holds on it or its items."""
    async with uow:
        held = await uow.compliance.holds("shipment", shipment_id, HoldStatus.open.value)
        for item in await uow.items.in_shipment(shipment_id):
            held += await uow.compliance.holds("item", item.item_id, HoldStatus.open.value)
        return await uow.compliance.consignee(shipment_id), held


async def hold(uow: DispatchUnitOfWork, hold_id: str) -> Hold:
    async with uow:
        return await uow.compliance.hold(hold_id)


async def screenings(uow: DispatchUnitOfWork, subject: str, subject_id: str) -> list[Screening]:
    async with uow:
        return await uow.compliance.screenings(subject, subject_id)
