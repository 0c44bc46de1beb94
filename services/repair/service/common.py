"""What every work order command shares: load with an optional expected version, save and announce."""
from __future__ import annotations

from datetime import datetime

from services.kit.errors import Conflict, NotFound
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import outgoing
from services.repair.service.uow import RepairUnitOfWork


async def load(uow: RepairUnitOfWork, work_order_id: str, expected_version: int | None = None) -> WorkOrder:
    wo = await uow.work_orders.get(work_order_id)
    if wo is None:
        raise NotFound(f"work order {work_order_id} not found")
    if expected_version is not None and expected_version != wo.version:
        raise Conflict(f"work order {work_order_id} is at version {wo.version}, not {expected_version}: it was "
                       "changed by someone else; reload and retry", version=wo.version)
    return wo


async def save(uow: RepairUnitOfWork, wo: WorkOrder, actor: str, at: datetime) -> None:
    """Write the work order (optimistic lock) and its history; publish a state_changed per transition."""
    transitions = [s for s in wo.steps if s.is_transition and s.from_state is not None]
    await uow.work_orders.save(wo, actor, at)
    uow.publish(*(outgoing.state_changed(wo, s) for s in transitions))
