"""Events dispatch consumes (each handler runs inside the inbox-guarded unit of work)."""
from __future__ import annotations

from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import UnitReceived, UnitRejected
from shared.contract.events.repair import OldPartRecorded, WorkOrderCompleted
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS
from shared.messaging.consumer import Handler
from services.dispatch.messaging.dashboard_handlers import with_dashboard
from services.dispatch.messaging.ledger_handlers import merged
from services.dispatch.service import incoming, journal
from services.dispatch.service.uow import DispatchUnitOfWork


async def on_unit_received(uow: DispatchUnitOfWork, e: UnitReceived, _ce: CloudEvent) -> None:
    await incoming.unit_received(uow, e)


async def on_unit_rejected(uow: DispatchUnitOfWork, e: UnitRejected, _ce: CloudEvent) -> None:
    await incoming.unit_rejected(uow, e)


async def on_work_order_completed(uow: DispatchUnitOfWork, e: WorkOrderCompleted, _ce: CloudEvent) -> None:
    await incoming.repair_completed(uow, e)


async def on_old_part_recorded(uow: DispatchUnitOfWork, e: OldPartRecorded, _ce: CloudEvent) -> None:
    await incoming.old_part_recorded(uow, e)


_OWN: dict[str, Handler] = {
    REGISTRY.type_of(UnitReceived): on_unit_received,  # type: ignore[dict-item]
    REGISTRY.type_of(UnitRejected): on_unit_rejected,  # type: ignore[dict-item]
    REGISTRY.type_of(WorkOrderCompleted): on_work_order_completed,  # type: ignore[dict-item]
    REGISTRY.type_of(OldPartRecorded): on_old_part_recorded,  # type: ignore[dict-item]
}


async def on_any_event(uow: DispatchUnitOfWork, e: Payload, ce: CloudEvent) -> None:
    """Every event of the three services: the journal (timelines, owners' feed), unit status and webhooks."""
    await journal.record(uow, e, ce)


JOURNAL: dict[str, Handler] = {spec.ce_type: on_any_event for spec in REGISTRY.specs()}  # type: ignore[misc]
# one transaction per event: the journal, dispatch's own handler, the ledger's, then the desk's read models
HANDLERS = with_dashboard(merged(JOURNAL, _OWN))
SUBSCRIBE = [INTAKE_EVENTS, REPAIR_EVENTS, DISPATCH_EVENTS]
