"""Events published by repair on bondline.repair.events."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.contract.events.common import Money, Outcome, PartLine
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import REPAIR_EVENTS

NS = "com.bondline.repair"


@REGISTRY.register(f"{NS}.work_order.opened", 1, REPAIR_EVENTS)
class WorkOrderOpened(Payload):
    """Repair opened a work order for a unit released to it."""
    unit_id: str
    work_order_id: str
    owner_id: str
    opened_at: datetime


@REGISTRY.register(f"{NS}.work_order.completed", 1, REPAIR_EVENTS)
class WorkOrderCompleted(Payload):
    """A work order ended; carries what dispatch needs for taxes and the ledger."""
    unit_id: str
    work_order_id: str
    owner_id: str
    outcome: Outcome
    repair_fee: Money
    parts_used: list[PartLine] = Field(default_factory=list)
    labour_minutes: int = Field(default=0, ge=0)
    completed_at: datetime
