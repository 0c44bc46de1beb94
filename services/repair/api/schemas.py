"""Request and response bodies for work orders."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.repair.domain.work_orders import Outcome, WorkOrder


class CompleteIn(BaseModel):
    outcome: Outcome
    repair_fee: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217")
    labour_minutes: int = Field(0, ge=0, le=100_000)


class WorkOrderOut(BaseModel):
    id: str
    unit_id: str
    owner_id: str
    serial_number: str
    hs_code: str
    origin: str
    state: str
    outcome: Outcome | None
    repair_fee: Decimal
    currency: str
    labour_minutes: int
    opened_at: datetime
    completed_at: datetime | None
    version: int

    @classmethod
    def of(cls, wo: WorkOrder) -> "WorkOrderOut":
        return cls(**{k: getattr(wo, k) for k in cls.model_fields})
