"""The dispatch desk's decisions: candidates with allowed destinations and tax estimates, decide, declare, allocate."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypedDict

from services.dispatch.db.items import assessment_json, item_values
from services.dispatch.domain import destinations, exits
from services.dispatch.domain.destinations import Destination
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.domain.taxes import Assessment, ItemTax, TaxTables
from services.dispatch.service import custody, ledger, screening, taxes
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit.errors import DomainError, NotFound, RuleViolation
from shared.clock import utc_now
from shared.contract.events import dispatch as ev

DISPOSALS: dict[Destination, Literal["destruction", "gate_registration"]] = {
    Destination.destruction: "destruction", Destination.gate_registration: "gate_registration"}


class Step(TypedDict):
    """What every item event starts with."""
    unit_id: str
    item_id: str
    item_kind: ev.ItemKind
    owner_id: str


@dataclass(frozen=True)
class DestinationOption:
    """An allowed destination, with its tax estimate where one is owed (or why none could be made)."""
    destination: Destination
    tax_estimate: Assessment | None = None
    tax_estimate_error: str | None = None


@dataclass(frozen=True)
class ItemOptions:
    item: DispatchItem
    allowed_destinations: list[DestinationOption]


async def load(uow: DispatchUnitOfWork, item_id: str) -> DispatchItem:
    item = await uow.items.get(item_id)
    if item is None:
        raise NotFound(f"item {item_id} is not known to dispatch")
    return item


def step(item: DispatchItem) -> Step:
    return {"unit_id": item.unit_id, "item_id": item.item_id, "item_kind": item.kind.value, "owner_id": item.owner_id}


def _option(item: DispatchItem, d: Destination, tables: TaxTables, on: date) -> DestinationOption:
    if not taxes.applies(item, d):
        return DestinationOption(d)
    try:
        return DestinationOption(d, tax_estimate=taxes.assessment(item, tables, on))
    except DomainError as exc:
        return DestinationOption(d, tax_estimate_error=exc.message)


async def options(uow: DispatchUnitOfWork, item: DispatchItem, vat_rate: Decimal) -> ItemOptions:
    """Allowed destinations, each with its tax estimate where one is owed."""
    tables, today = await uow.reference.tax_tables(vat_rate), utc_now().date()
    return ItemOptions(item, [_option(item, d, tables, today) for d in destinations.allowed(item.case())])


async def candidates(uow: DispatchUnitOfWork, owner_id: str | None, kind: str | None, limit: int, offset: int,
                     vat_rate: Decimal) -> list[ItemOptions]:
    async with uow:
        items = await uow.items.find([ItemState.awaiting_dispatch.value], owner_id, kind, limit, offset)
        return [await options(uow, i, vat_rate) for i in items]


async def decide(uow: DispatchUnitOfWork, item_id: str, d: Destination, country: str | None, vat_rate: Decimal,
                 actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, utc_now()
        item = await load(uow, item_id)
        item.decide(d, country, now)
        estimate = None
        if taxes.applies(item, d):
            estimate = taxes.assessment(item, await uow.reference.tax_tables(vat_rate), now.date())
            item.tax = ItemTax(estimate=estimate)
        await uow.items.save(item, actor)
        uow.publish(ev.DestinationDecided(**step(item), destination=d.value,
                                          destination_country=item.destination_country,
                                          tax_estimate=taxes.contract(estimate) if estimate else None, decided_at=now))
        await screening.screen_item(uow, item, "decision", actor, now)  # a hit holds the item, the decision stands
        await uow.commit()
        return item


@dataclass(frozen=True)
class Numbers:
    """Where the exit declaration's customs numbers come from: a filing's receipts, or typed with a reason."""
    filing_id: str | None = None
    override_reason: str | None = None
    from_receipts: bool = False  # a customs platform is connected: typed numbers are a manual override


FROM_FILING = ("bonded_inventory_list_no", "gate_pass_no", "supervision_mode")


async def _numbers(uow: DispatchUnitOfWork, item: DispatchItem, doc: exits.ExitDocuments, how: Numbers,
                   now: datetime, actor: str) -> exits.ExitDocuments:
    """The documents with customs' numbers from the filing (typed ones must agree), or typed under an override."""
    if how.filing_id:
        from services.dispatch.service import filings  # filings builds on this module's load()

        given = await filings.numbers_for(uow, how.filing_id, item.item_id)
        for name in FROM_FILING:
            typed = getattr(doc, name)
            if typed and name != "supervision_mode" and typed != given[name]:
                raise RuleViolation(f"{name} {typed!r} is not the number customs gave filing {how.filing_id} "
                                    f"({given[name]}); leave it out", field=name)
        return replace(doc, **given)
    if how.from_receipts or how.override_reason:
        item.numbers_typed(doc.numbers(), how.override_reason or "", now, actor)
    return doc


async def declare_exit(uow: DispatchUnitOfWork, item_id: str, doc: exits.ExitDocuments, vat_rate: Decimal,
                       actor: str, how: Numbers | None = None) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, utc_now()
        item = await load(uow, item_id)
        if item.state is ItemState.decided:
            doc = await _numbers(uow, item, doc, how or Numbers(), now, actor)
        if item.state is ItemState.decided and item.destination:
            exits.check(doc, item.kind, item.destination, item.abroad, item.return_mode, item.origin or "foreign")
            if held := await screening.screen_item(uow, item, "declaration", actor, now):
                await uow.commit()  # the screening and any hold it opened are kept; the declaration is refused
                raise screening.refuse(f"item {item.item_id}", held, "declared")
        documents = doc.numbers()
        final = None
        if taxes.applies(item, item.destination):
            final = taxes.assessment(item, await uow.reference.tax_tables(vat_rate), now.date())
        item.declare_exit(documents, final, now)
        await uow.items.save(item, actor)
        assert item.destination is not None
        uow.publish(ev.ExitDeclared(**step(item), destination=item.destination.value,
                                    supervision_mode=doc.supervision_mode, documents=documents,
                                    tax=taxes.contract(final) if final else None, declared_at=now))
        route = DISPOSALS.get(item.destination)
        if item.state is ItemState.disposed and route is not None:
            [disposed] = uow.publish(ev.ItemDisposed(**step(item), route=route, documents=documents, disposed_at=now))
            await custody.record_exit(uow, item, documents, now, disposed.id)
        await uow.commit()
        return item


async def allocate(uow: DispatchUnitOfWork, item_id: str, owner_id: str, owner_group: str | None,
                   actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, utc_now()
        item = await load(uow, item_id)
        owner = await uow.owners.get(owner_id)
        if owner is None:
            raise RuleViolation(f"owner {owner_id!r} is not registered at intake: only a registered owner can "
                                "receive an allocation", field="owner_id", rule="registered_owner")
        previous = item.owner_id
        item.allocate(owner_id, owner_group if owner_group is not None else owner.group, now)
        await uow.items.save(item, actor)
        [event] = uow.publish(ev.ItemAllocated(**step(item), previous_owner_id=previous, allocated_at=now))
        await ledger.transfer_owner(uow, item_id=item.item_id, item_kind=item.kind.value, from_owner=previous,
                                    to_owner=owner_id, at=now, source=event.id,
                                    documents={"allocation": event.id, "previous_owner": previous})
        await uow.commit()
        return item


async def view(uow: DispatchUnitOfWork, item_id: str, vat_rate: Decimal) -> ItemOptions:
    """An item with its allowed destinations and their tax estimates."""
    async with uow:
        return await options(uow, await load(uow, item_id), vat_rate)


async def get(uow: DispatchUnitOfWork, item_id: str, vat_rate: Decimal) -> dict[str, Any]:
    """``view`` as plain data (enums by value, the JSON columns as JSON), for the desk's unit page, which reads
    the item and its options as mappings (service/desk_unit.py)."""
    return plain(await view(uow, item_id, vat_rate))


def plain(o: ItemOptions) -> dict[str, Any]:
    allowed = [{"destination": x.destination.value}
               | ({"tax_estimate": assessment_json(x.tax_estimate)} if x.tax_estimate else {})
               | ({"tax_estimate_error": x.tax_estimate_error} if x.tax_estimate_error is not None else {})
               for x in o.allowed_destinations]
    return {"item": item_values(o.item), "allowed_destinations": allowed}
