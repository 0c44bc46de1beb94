"""Events repair consumes (each handler runs inside the inbox-guarded unit of work)."""
from __future__ import annotations

from services.repair.service import old_parts, stock, work_orders
from services.repair.service.uow import RepairUnitOfWork
from shared.contract.envelope import CloudEvent
from shared.contract.events.dispatch import ExitCancelled, ExitDeclared, ItemAllocated
from shared.contract.events.intake import PartsReceived, UnitReleasedToRepair
from shared.contract.registry import REGISTRY
from shared.contract.topics import DISPATCH_EVENTS, INTAKE_EVENTS
from shared.messaging.consumer import Handler


async def on_unit_released(uow: RepairUnitOfWork, e: UnitReleasedToRepair, _ce: CloudEvent) -> None:
    await work_orders.open_for_released_unit(uow, e)


async def on_parts_received(uow: RepairUnitOfWork, e: PartsReceived, _ce: CloudEvent) -> None:
    await stock.receive(uow, e)


async def on_exit_declared(uow: RepairUnitOfWork, e: ExitDeclared, _ce: CloudEvent) -> None:
    await old_parts.disposed_by_dispatch(uow, e)


async def on_item_allocated(uow: RepairUnitOfWork, e: ItemAllocated, _ce: CloudEvent) -> None:
    await work_orders.unit_allocated(uow, e)


async def on_exit_cancelled(uow: RepairUnitOfWork, e: ExitCancelled, _ce: CloudEvent) -> None:
    await old_parts.disposal_cancelled_by_dispatch(uow, e)


HANDLERS: dict[str, Handler] = {
    REGISTRY.type_of(UnitReleasedToRepair): on_unit_released,  # type: ignore[dict-item]
    REGISTRY.type_of(PartsReceived): on_parts_received,  # type: ignore[dict-item]
    REGISTRY.type_of(ExitDeclared): on_exit_declared,  # type: ignore[dict-item]
    REGISTRY.type_of(ExitCancelled): on_exit_cancelled,  # type: ignore[dict-item]
    REGISTRY.type_of(ItemAllocated): on_item_allocated,  # type: ignore[dict-item]
}
SUBSCRIBE = [INTAKE_EVENTS, DISPATCH_EVENTS]
