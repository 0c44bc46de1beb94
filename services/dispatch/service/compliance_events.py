"""The events of compliance holds, one per item concerned (a shipment's hold concerns each item in it): the unit's
owner sees its own in partners' timeline, feed and webhooks, and the desk on the unit's timeline."""
from __future__ import annotations

from typing import Any

from services.dispatch.domain.holds import Hold, HoldStatus
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.domain.shipments import ShipmentState
from services.dispatch.service.uow import DispatchUnitOfWork
from shared.contract.events import dispatch as ev
from shared.contract.stages import DispatchState, LeftState

RESUMES: dict[ItemState, DispatchState | LeftState] = {ItemState.awaiting_dispatch: DispatchState.awaiting_dispatch,
           ItemState.decided: DispatchState.destination_decided, ItemState.exchange_pool: DispatchState.exchange_pool,
           ItemState.declared: DispatchState.exit_declared, ItemState.shipped: LeftState.shipped,
           ItemState.delivered: LeftState.delivered, ItemState.disposed: LeftState.disposed}


def step(i: DispatchItem) -> dict[str, Any]:
    """What every item event starts with (as decisions.step; kept here: decisions screens through this module)."""
    return {"unit_id": i.unit_id, "item_id": i.item_id, "item_kind": i.kind.value, "owner_id": i.owner_id}


def matched(h: Hold) -> ev.MatchedEntry:
    e = h.hit.entry
    return ev.MatchedEntry(list_name=str(e.get("list_name", "")), entry_id=e.get("entry_id"), name=e.get("name"),
                           classification=e.get("classification"), regime=e.get("regime"),
                           country=e.get("country"), score=e.get("score"))


def held(uow: DispatchUnitOfWork, h: Hold, items: list[DispatchItem]) -> None:
    shipment_id = h.subject_id if h.subject == "shipment" else None
    uow.publish(*(ev.ItemComplianceHeld(
        **step(i), hold_id=h.id, scope=h.subject, shipment_id=shipment_id, screen=h.hit.screen,
        control=h.hit.control, point=h.point, reason=h.hit.reason, matched=matched(h), list_version=h.list_version,
        held_at=h.opened_at) for i in items))


async def closed(uow: DispatchUnitOfWork, h: Hold, items: list[DispatchItem]) -> None:
    assert h.closure is not None and h.status is not HoldStatus.open
    c = h.closure
    licence = ev.LicenceFacts(number=c.licence.number, valid_from=c.licence.valid_from,
                              valid_until=c.licence.valid_until) if c.licence else None
    for i in items:
        still = [x for x in await _open(uow, i) if x.id != h.id]
        uow.publish(ev.ItemComplianceReleased(
            **step(i), hold_id=h.id, shipment_id=h.subject_id if h.subject == "shipment" else None,
            resolution=c.basis, reason=c.reason, licence=licence, actor=c.actor, holds_open=len(still),
            resumes=(await _resumes(uow, i)).value, released_at=c.at))


async def _open(uow: DispatchUnitOfWork, item: DispatchItem) -> list[Hold]:
    found = await uow.compliance.holds("item", item.item_id, HoldStatus.open.value)
    shipment_id = await uow.items.shipment_of(item.item_id)
    return found + (await uow.compliance.holds("shipment", shipment_id, HoldStatus.open.value) if shipment_id else [])


async def _resumes(uow: DispatchUnitOfWork, item: DispatchItem) -> DispatchState | LeftState:
    if item.state is ItemState.declared:
        shipment_id = await uow.items.shipment_of(item.item_id)
        s = await uow.shipments.get(shipment_id, []) if shipment_id else None
        if s is not None and s.state is ShipmentState.customs_cleared:
            return DispatchState.customs_cleared
    return RESUMES.get(item.state, DispatchState.awaiting_dispatch)
