"""Shipments: group declared items, then planned -> customs cleared -> shipped -> delivered."""
from __future__ import annotations

import uuid

from services.dispatch.domain.holds import HoldStatus, Point
from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.screening import Party
from services.dispatch.domain.shipments import NEXT, Shipment, ShipmentState
from services.dispatch.service import compliance_events, custody, screening
from services.dispatch.service.decisions import load, step
from services.dispatch.service.reference import countries
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit import iso
from services.kit.errors import Conflict, NotFound, RuleViolation
from shared.clock import utc_now
from shared.contract.events import dispatch as ev

SCREENED_AT: dict[ShipmentState, Point] = {ShipmentState.customs_cleared: "customs_clearance",
                                           ShipmentState.shipped: "shipping"}
EVENTS = {ShipmentState.customs_cleared: ev.ItemCustomsCleared, ShipmentState.shipped: ev.ItemShipped,
          ShipmentState.delivered: ev.ItemDelivered}


async def create(uow: DispatchUnitOfWork, s: Shipment, actor: str, consignee: Party | None = None) -> Shipment:
    async with uow:
        s.check(countries())
        await uow.shipments.add(s, actor)
        if consignee is not None:
            await _name_consignee(uow, s, [], consignee, actor)
        await uow.commit()
        return s


async def set_consignee(uow: DispatchUnitOfWork, shipment_id: str, consignee: Party,
                        actor: str) -> tuple[Shipment, list[DispatchItem]]:
    """Name (or change) the consignee while the shipment is planned; it is screened against the party lists."""
    async with uow:
        uow.actor = actor
        s, items = await _load(uow, shipment_id)
        if s.state is not ShipmentState.planned:
            raise Conflict(f"shipment {s.id} is {s.state.value}; its consignee is named while planned")
        await _name_consignee(uow, s, items, consignee, actor)
        await uow.commit()
        return s, items


async def _name_consignee(uow: DispatchUnitOfWork, s: Shipment, items: list[DispatchItem], consignee: Party,
                          actor: str) -> None:
    if consignee.country is not None and (wrong := iso.check_country(consignee.country)):
        raise RuleViolation(wrong, field="consignee.country")
    now = utc_now()
    await uow.compliance.set_consignee(s.id, consignee, actor, now)
    await screening.screen_shipment(uow, s, items, "consignee", actor, now, with_items=False)


async def _load(uow: DispatchUnitOfWork, shipment_id: str) -> tuple[Shipment, list[DispatchItem]]:
    items = await uow.items.in_shipment(shipment_id)
    s = await uow.shipments.get(shipment_id, [i.item_id for i in items])
    if s is None:
        raise NotFound(f"shipment {shipment_id} not found")
    return s, items


async def add_item(uow: DispatchUnitOfWork, shipment_id: str, item_id: str,
                   actor: str) -> tuple[Shipment, list[DispatchItem]]:
    async with uow:
        s, items = await _load(uow, shipment_id)
        item = await load(uow, item_id)
        current = await uow.items.shipment_of(item_id)
        if current is not None:
            raise Conflict(f"item {item_id} is already in shipment {current}; an item is in one open shipment only")
        item.ready_to_ship()
        s.add(item_id, item.destination_country)
        await uow.items.save(item, actor, shipment_id=s.id)
        await uow.shipments.save(s)
        for h in await uow.compliance.holds("shipment", s.id, HoldStatus.open.value):
            compliance_events.held(uow, h, [item])  # the item joins a held shipment: its owner learns of the hold
        await uow.commit()
        return s, items + [item]


async def advance(uow: DispatchUnitOfWork, shipment_id: str, to: ShipmentState,
                  actor: str) -> tuple[Shipment, list[DispatchItem]]:
    async with uow:
        uow.actor, now = actor, utc_now()
        s, items = await _load(uow, shipment_id)
        point = SCREENED_AT.get(to)
        held = await screening.screen_shipment(uow, s, items, point, actor, now) \
            if point and NEXT.get(s.state) is to and items else []
        if held:
            await uow.commit()  # the screening and any hold it opened are kept; the move is refused
            raise screening.refuse(f"shipment {s.id}", held, to.value.replace("_", " "))
        s.advance(to, now, actor)
        facts = ev.ShipmentFacts(shipment_id=s.id, carrier=s.carrier, tracking_number=s.tracking_number,
                                 destination_country=s.destination_country, incoterm=s.incoterm)
        for item in items:
            if to is ShipmentState.shipped:
                item.ship()
            elif to is ShipmentState.delivered:
                item.deliver()
            await uow.items.save(item, actor)
            [event] = uow.publish(EVENTS[to](**step(item), shipment=facts, at=now))
            if to is ShipmentState.shipped:
                docs = item.exit_documents | {"shipment": s.id, "tracking_number": s.tracking_number}
                await custody.record_exit(uow, item, docs, now, event.id)
        await uow.shipments.save(s)
        await uow.commit()
        return s, items


async def get(uow: DispatchUnitOfWork, shipment_id: str) -> tuple[Shipment, list[DispatchItem]]:
    async with uow:
        return await _load(uow, shipment_id)


def new(carrier: str, tracking_number: str, destination_country: str, address: str, incoterm: str) -> Shipment:
    return Shipment(id=str(uuid.uuid4()), carrier=carrier, tracking_number=tracking_number,
                    destination_country=destination_country, address=address, incoterm=incoterm,
                    created_at=utc_now())
