"""Events dispatch consumes (each handler runs inside the inbox-guarded unit of work)."""
from __future__ import annotations

from services.dispatch.messaging.ledger_handlers import merged
from services.dispatch.service import incoming
from services.dispatch.service.uow import DispatchUnitOfWork
from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import OwnerRegistered, UnitReceived, UnitRejected
from shared.contract.events.repair import OldPartRecorded, WorkOrderCompleted
from shared.contract.registry import REGISTRY
from shared.contract.topics import INTAKE_EVENTS, REPAIR_EVENTS
from shared.messaging.consumer import Handler


async def on_unit_received(uow: DispatchUnitOfWork, e: UnitReceived, _ce: CloudEvent) -> None:
    await incoming.unit_received(uow, e)


async def on_unit_rejected(uow: DispatchUnitOfWork, e: UnitRejected, _ce: CloudEvent) -> None:
    await incoming.unit_rejected(uow, e)


async def on_owner_registered(uow: DispatchUnitOfWork, e: OwnerRegistered, _ce: CloudEvent) -> None:
    await incoming.owner_registered(uow, e)


async def on_work_order_completed(uow: DispatchUnitOfWork, e: WorkOrderCompleted, _ce: CloudEvent) -> None:
    await incoming.repair_completed(uow, e)


async def on_old_part_recorded(uow: DispatchUnitOfWork, e: OldPartRecorded, _ce: CloudEvent) -> None:
    await incoming.old_part_recorded(uow, e)


_OWN: dict[str, Handler] = {
    REGISTRY.type_of(UnitReceived): on_unit_received,  # type: ignore[dict-item]
    REGISTRY.type_of(UnitRejected): on_unit_rejected,  # type: ignore[dict-item]
    REGISTRY.type_of(OwnerRegistered): on_owner_registered,  # type: ignore[dict-item]
    REGISTRY.type_of(WorkOrderCompleted): on_work_order_completed,  # type: ignore[dict-item]
    REGISTRY.type_of(OldPartRecorded): on_old_part_recorded,  # type: ignore[dict-item]
}


# one transaction per event: dispatch's own handler, then the ledger's (the desk's read models have their own consumer)
HANDLERS = merged(_OWN)
SUBSCRIBE = [INTAKE_EVENTS, REPAIR_EVENTS]  # dispatch's own events feed only the desk's projection and partners
