"""A work order for one unit released to repair."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.kit.errors import Conflict, RuleViolation


class WorkOrderState(StrEnum):
    queued = "queued"
    completed = "completed"


class Outcome(StrEnum):
    repaired = "repaired"
    beyond_repair = "beyond_repair"
    returned_unrepaired = "returned_unrepaired"


@dataclass
class WorkOrder:
    id: str
    unit_id: str
    owner_id: str
    serial_number: str
    hs_code: str
    origin: str
    opened_at: datetime
    state: WorkOrderState = WorkOrderState.queued
    outcome: Outcome | None = None
    repair_fee: Decimal = Decimal("0")
    currency: str = "CNY"
    labour_minutes: int = 0
    completed_at: datetime | None = None
    version: int = 1

    def complete(self, outcome: Outcome, fee: Decimal, currency: str, labour_minutes: int,
                 now: datetime) -> None:
        if self.state is WorkOrderState.completed:
            raise Conflict(f"work order {self.id} is already completed", allowed=[])
        if fee < 0 or labour_minutes < 0:
            raise RuleViolation("repair fee and labour minutes cannot be negative")
        self.state, self.outcome, self.completed_at = WorkOrderState.completed, outcome, now
        self.repair_fee, self.currency, self.labour_minutes = fee, currency, labour_minutes
