"""删改单: amend a destination decision before the exit is declared; cancel an exit declaration before the item left.

Each is an audited command (reason and actor in the item's history and in the event it publishes). A cancelled exit
whose line is already in the ledger (a disposal: destroyed or gate-registered at its declaration) is reversed by a
line of its own: ``received`` back into the category it left, documented by the cancelled declaration's numbers
(``cancels_*``) and the cancellation's receipt; nothing is deleted. An item in an open shipment is taken out of it.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from services.dispatch.domain.destinations import Destination
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.domain.ledger import Movement
from services.dispatch.domain.taxes import ItemTax
from services.dispatch.service import ledger, screening, taxes
from services.dispatch.service.decisions import load, step
from services.dispatch.service.uow import DispatchUnitOfWork
from shared.clock import utc_now
from shared.contract.events import dispatch as ev


async def amend_decision(uow: DispatchUnitOfWork, item_id: str, d: Destination, country: str | None, reason: str,
                         vat_rate: Decimal, actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, utc_now()
        item = await load(uow, item_id)
        entry = item.amend_decision(d, country, reason, actor, now)
        estimate = None
        if taxes.applies(item, d):
            estimate = taxes.assessment(item, await uow.reference.tax_tables(vat_rate), now.date())
            item.tax = ItemTax(estimate=estimate)
        await uow.items.save(item, actor)
        before = entry.before
        uow.publish(ev.DestinationAmended(
            **step(item), previous_destination=before.destination.value if before.destination else None,
            previous_destination_country=before.destination_country, destination=d.value,
            destination_country=item.destination_country, tax_estimate=taxes.contract(estimate) if estimate else None,
            reason=reason, actor=actor, decided_at=now))
        await screening.screen_item(uow, item, "amendment", actor, now)
        await uow.commit()
        return item


async def cancel_exit(uow: DispatchUnitOfWork, item_id: str, reason: str, reference: str | None,
                      actor: str) -> DispatchItem:
    async with uow:
        uow.actor, now = actor, utc_now()
        item = await load(uow, item_id)
        was, documents = item.state, dict(item.exit_documents)
        shipment_id = await uow.items.shipment_of(item_id) if was is ItemState.declared else None
        item.cancel_exit(reason, actor, now)
        await uow.items.save(item, actor, shipment_id=None)
        assert item.destination is not None
        [event] = uow.publish(ev.ExitCancelled(
            **step(item), destination=item.destination.value, documents=documents, reference=reference,
            shipment_id=shipment_id, ledger_reversed=was is ItemState.disposed, reason=reason, actor=actor, at=now))
        if was is ItemState.disposed:
            await _reverse_exit(uow, item, documents, reference, reason, now, event.id)
        await uow.commit()
        return item


async def _reverse_exit(uow: DispatchUnitOfWork, item: DispatchItem, documents: dict[str, str],
                        reference: str | None, reason: str, at: datetime, source: str) -> None:
    """The disposal's exit line stays; a counter-line brings the item back into the category it left."""
    exited = await ledger.unreversed_exit(uow, item.item_id)
    if exited is None:
        return  # its exit never reached the ledger: nothing to reverse
    category, quantity = exited
    docs = {f"cancels_{k}": v for k, v in documents.items()} | ({"cancellation": reference} if reference else {})
    await ledger.record_movement(uow, item_id=item.item_id, item_kind=item.kind.value, category=category,
                                 movement=Movement.received.value, quantity=quantity, documents=docs, at=at,
                                 owner_id=item.owner_id, source=source,
                                 note=f"exit declaration cancelled (删单): {reason}")
