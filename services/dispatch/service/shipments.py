"""Shipments: group declared items, then planned -> customs cleared -> shipped -> delivered."""
from __future__ import annotations

import uuid

from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.shipments import Shipment, ShipmentState
from services.dispatch.service import custody
from services.dispatch.service.decisions import load, step
from services.dispatch.service.reference import countries
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit.errors import Conflict, NotFound
from shared.clock import utc_now
from shared.contract.events import dispatch as ev

EVENTS = {ShipmentState.customs_cleared: ev.ItemCustomsCleared, ShipmentState.shipped: ev.ItemShipped,
          ShipmentState.delivered: ev.ItemDelivered}


async def create(uow: DispatchUnitOfWork, s: Shipment, actor: str) -> Shipment:
    async with uow:
        s.check(countries())
        await uow.shipments.add(s, actor)
        await uow.commit()
        return s


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
        await uow.commit()
        return s, items + [item]


async def advance(uow: DispatchUnitOfWork, shipment_id: str, to: ShipmentState,
                  actor: str) -> tuple[Shipment, list[DispatchItem]]:
    async with uow:
        uow.actor, now = actor, utc_now()
        s, items = await _load(uow, shipment_id)
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
