"""Request and response bodies for work orders (kept apart from tables and domain)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.repair.domain.diagnosis import Diagnosis
from services.repair.domain.quotes import Quote
from services.repair.domain.states import Outcome
from services.repair.domain.work_orders import Step, WorkOrder
from shared.clock import utc_now

Amount = Field(max_digits=16, decimal_places=2, ge=0)


class Body(BaseModel):
    """A request body: unknown fields are refused (422), not silently dropped."""
    model_config = ConfigDict(extra="forbid")

Note = Field("", max_length=4000)


class AssignIn(Body):
    technician: str = Field(min_length=1, max_length=200)


class DiagnosisIn(Body):
    failure_codes: list[str] = Field(default_factory=list, max_length=50, description="see GET /v1/failure-codes")
    findings: str = Field(min_length=1, max_length=8000)
    no_fault_found: bool = False


class QuoteIn(Body):
    repair_fee: Decimal = Amount
    parts_estimate: Decimal = Field(Decimal("0"), max_digits=16, decimal_places=2, ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")


class DecisionIn(Body):
    approve: bool = Field(description="true approves the quote; false declines it and the unit goes back unrepaired")
    note: str = Note


class CompleteIn(Body):
    outcome: Outcome
    note: str = Note


class DiagnosisOut(BaseModel):
    failure_codes: list[str]
    findings: str
    no_fault_found: bool
    diagnosed_at: datetime
    diagnosed_by: str

    @classmethod
    def of(cls, d: Diagnosis) -> DiagnosisOut:
        return cls(**vars(d) | {"failure_codes": list(d.failure_codes)})


class QuoteOut(BaseModel):
    repair_fee: Decimal
    parts_estimate: Decimal
    total: Decimal
    currency: str
    status: str
    skip_reason: str | None
    issued_at: datetime
    issued_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @classmethod
    def of(cls, q: Quote) -> QuoteOut:
        return cls(**vars(q) | {"total": q.total})


class WorkOrderOut(BaseModel):
    id: str
    unit_id: str
    owner_id: str
    serial_number: str
    part_number: str
    hs_code: str
    origin: str
    warranty: bool
    fault_description: str
    state: str
    technician: str | None
    diagnosis: DiagnosisOut | None
    quote: QuoteOut | None
    last_test_passed: bool | None
    outcome: Outcome | None
    repair_fee: Decimal
    currency: str
    labour_minutes: int
    opened_at: datetime
    completed_at: datetime | None
    age_hours: float = Field(description="since opening, until completion for closed work orders")
    allowed_actions: list[str]
    version: int

    @classmethod
    def of(cls, wo: WorkOrder) -> WorkOrderOut:
        plain = {k: getattr(wo, k) for k in cls.model_fields if k not in ("diagnosis", "quote", "age_hours")}
        end = wo.completed_at or utc_now()
        return cls(**plain, diagnosis=DiagnosisOut.of(wo.diagnosis) if wo.diagnosis else None,
                   quote=QuoteOut.of(wo.quote) if wo.quote else None,
                   age_hours=round((end - wo.opened_at).total_seconds() / 3600, 2))


class StepOut(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str


class HistoryOut(BaseModel):
    work_order: WorkOrderOut
    history: list[StepOut]

    @classmethod
    def of(cls, wo: WorkOrder, steps: list[Step]) -> HistoryOut:
        return cls(work_order=WorkOrderOut.of(wo), history=[StepOut(**vars(s)) for s in steps])
