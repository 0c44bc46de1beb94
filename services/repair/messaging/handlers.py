"""Events repair consumes (each handler runs inside the inbox-guarded unit of work)."""
from __future__ import annotations

from shared.contract.envelope import CloudEvent
from shared.contract.events.intake import UnitReleasedToRepair
from shared.contract.registry import REGISTRY
from shared.contract.topics import INTAKE_EVENTS
from shared.messaging.consumer import Handler
from services.repair.service import work_orders
from services.repair.service.uow import RepairUnitOfWork


async def on_unit_released(uow: RepairUnitOfWork, e: UnitReleasedToRepair, _ce: CloudEvent) -> None:
    await work_orders.open_for_released_unit(uow, e)


HANDLERS: dict[str, Handler] = {
    REGISTRY.spec_for_model(UnitReleasedToRepair).ce_type: on_unit_released,  # type: ignore[dict-item]
}
SUBSCRIBE = [INTAKE_EVENTS]
