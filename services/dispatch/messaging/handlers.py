"""Events dispatch consumes (each handler runs inside the inbox-guarded unit of work)."""
from __future__ import annotations

from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import UnitReceived
from shared.contract.events.repair import WorkOrderCompleted
from shared.contract.registry import REGISTRY
from shared.contract.topics import INTAKE_EVENTS, REPAIR_EVENTS
from shared.messaging.consumer import Handler
from services.dispatch.service import candidates
from services.dispatch.service.uow import DispatchUnitOfWork


async def on_unit_received(uow: DispatchUnitOfWork, e: UnitReceived, _ce: CloudEvent) -> None:
    await candidates.record_receipt(uow, e)


async def on_work_order_completed(uow: DispatchUnitOfWork, e: WorkOrderCompleted, _ce: CloudEvent) -> None:
    await candidates.record_repair_outcome(uow, e)


def _type(model: type) -> str:
    return REGISTRY.spec_for_model(model).ce_type


HANDLERS: dict[str, Handler] = {
    _type(UnitReceived): on_unit_received,  # type: ignore[dict-item]
    _type(WorkOrderCompleted): on_work_order_completed,  # type: ignore[dict-item]
}
SUBSCRIBE = [INTAKE_EVENTS, REPAIR_EVENTS]
