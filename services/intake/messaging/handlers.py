"""Events intake consumes (each handler runs inside the inbox-guarded unit of work)."""
from __future__ import annotations

from services.intake.service import exits
from services.intake.service.uow import IntakeUnitOfWork
from shared.contract.envelope import CloudEvent
from shared.contract.events.dispatch import ItemAllocated, ItemShipped
from shared.contract.registry import REGISTRY
from shared.contract.topics import DISPATCH_EVENTS
from shared.messaging.consumer import Handler


async def on_item_shipped(uow: IntakeUnitOfWork, e: ItemShipped, _ce: CloudEvent) -> None:
    await exits.unit_shipped(uow, e)


async def on_item_allocated(uow: IntakeUnitOfWork, e: ItemAllocated, _ce: CloudEvent) -> None:
    await exits.unit_allocated(uow, e)


HANDLERS: dict[str, Handler] = {
    REGISTRY.type_of(ItemShipped): on_item_shipped,  # type: ignore[dict-item]
    REGISTRY.type_of(ItemAllocated): on_item_allocated,  # type: ignore[dict-item]
}
SUBSCRIBE = [DISPATCH_EVENTS]
