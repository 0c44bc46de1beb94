"""The dispatch desk's decisions: candidates with allowed destinations and tax estimates, decide, declare, allocate."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from decimal import Decimal

from shared.contract.events import dispatch as ev
from services.dispatch.domain import destinations, exits
from services.dispatch.domain.destinations import Destination
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.service import custody, taxes
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit.errors import DomainError, NotFound


async def load(uow: DispatchUnitOfWork, item_id: str) -> DispatchItem:
    item = await uow.items.get(item_id)
    if item is None:
        raise NotFound(f"item {item_id} is not known to dispatch")
    return item


def step(item: DispatchItem) -> dict:
    return {"unit_id": item.unit_id, "item_id": item.item_id, "item_kind": item.kind.value, "owner_id": item.owner_id}


async def options(uow: DispatchUnitOfWork, item: DispatchItem, vat_rate: Decimal) -> dict:
    """Allowed destinations, each with its tax estimate where one is owed."""
    tables = await uow.reference.tax_tables(vat_rate)
    out = []
    for d in destinations.allowed(item.case()):
        entry: dict = {"destination": d.value}
        if taxes.applies(item, d):
            try:
                entry["tax_estimate"] = taxes.as_dict(taxes.assessment(item, tables, datetime.now(timezone.utc).date()))
            except DomainError as exc:
                entry["tax_estimate_error"] = exc.message
        out.append(entry)
    return {"item": asdict(item), "allowed_destinations": out}


async def candidates(uow: DispatchUnitOfWork, owner_id: str | None, kind: str | None, limit: int, offset: int,
                     vat_rate: Decimal) -> list[dict]:
    async with uow:
        items = await uow.items.find([ItemState.awaiting_dispatch.value], owner_id, kind, limit, offset)
        return [await options(uow, i, vat_rate) for i in items]


async def decide(uow: DispatchUnitOfWork, item_id: str, d: Destination, country: str | None, vat_rate: Decimal,
                 actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, datetime.now(timezone.utc)
        item = await load(uow, item_id)
        item.decide(d, country, now)
        estimate = None
        if taxes.applies(item, d):
            estimate = taxes.assessment(item, await uow.reference.tax_tables(vat_rate), now.date())
            item.tax = {"estimate": taxes.as_dict(estimate)}
        await uow.items.save(item, actor)
        uow.publish(ev.DestinationDecided(**step(item), destination=d.value, destination_country=item.destination_country,
                                          tax_estimate=taxes.contract(estimate) if estimate else None, decided_at=now))
        await uow.commit()
        return item


async def declare_exit(uow: DispatchUnitOfWork, item_id: str, doc: exits.ExitDocuments, vat_rate: Decimal,
                       actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, datetime.now(timezone.utc)
        item = await load(uow, item_id)
        if item.state is ItemState.decided and item.destination:
            exits.check(doc, item.kind, item.destination, item.abroad, item.return_mode, item.origin or "foreign")
        documents = {k: v for k, v in asdict(doc).items() if v}
        final = None
        if taxes.applies(item, item.destination):
            final = taxes.assessment(item, await uow.reference.tax_tables(vat_rate), now.date())
        item.declare_exit(documents, item.tax | ({"final": taxes.as_dict(final)} if final else {}), now)
        await uow.items.save(item, actor)
        assert item.destination is not None
        uow.publish(ev.ExitDeclared(**step(item), destination=item.destination.value, supervision_mode=doc.supervision_mode,
                                    documents=documents, tax=taxes.contract(final) if final else None, declared_at=now))
        if item.state is ItemState.disposed:
            [disposed] = uow.publish(ev.ItemDisposed(**step(item), route=item.destination.value, documents=documents,
                                                     disposed_at=now))
            await custody.record_exit(uow, item, documents, now, disposed.id)
        await uow.commit()
        return item


async def allocate(uow: DispatchUnitOfWork, item_id: str, owner_id: str, owner_group: str | None,
                   actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, datetime.now(timezone.utc)
        item = await load(uow, item_id)
        previous = item.owner_id
        item.allocate(owner_id, owner_group, now)
        await uow.items.save(item, actor)
        uow.publish(ev.ItemAllocated(**step(item), previous_owner_id=previous, allocated_at=now))
        await uow.commit()
        return item


async def get(uow: DispatchUnitOfWork, item_id: str, vat_rate: Decimal) -> dict:
    async with uow:
        return await options(uow, await load(uow, item_id), vat_rate)
