"""Events published by repair on bondline.repair.events (key: the unit id, so a unit's events stay in order).

Old parts are keyed by their parent unit's id too.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.events.common import Money, Origin, Outcome, PartLine
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import REPAIR_EVENTS

NS = "com.bondline.repair"
STATES = "queued, diagnosing, quote_pending, approved, declined, awaiting_parts, in_repair, testing, repaired, " \
         "beyond_repair, returned_unrepaired"
ROUTES = "foreign origin: reexport_0864, reexport_0865, destruction_0200, destruction_0400; " \
         "domestic origin: gate_registration, destruction"


class WorkOrderFact(Payload):
    unit_id: str
    work_order_id: str
    owner_id: str


@REGISTRY.register(f"{NS}.work_order.opened", 1, REPAIR_EVENTS)
class WorkOrderOpened(Payload):
    """Repair opened a work order for a unit released to it."""
    unit_id: str
    work_order_id: str
    owner_id: str
    opened_at: datetime


@REGISTRY.register(f"{NS}.work_order.state_changed", 1, REPAIR_EVENTS)
class WorkOrderStateChanged(WorkOrderFact):
    """A work order moved from one state to another; published on every transition."""
    action: str = Field(description="what moved it, e.g. start_diagnosis, approve_quote, fail_test")
    from_state: str = Field(description=STATES)
    to_state: str = Field(description=STATES)
    technician: str | None = None
    note: str = ""
    changed_at: datetime


@REGISTRY.register(f"{NS}.work_order.diagnosed", 1, REPAIR_EVENTS)
class WorkOrderDiagnosed(WorkOrderFact):
    """A technician recorded (or amended) the diagnosis of a unit."""
    failure_codes: list[str] = Field(default_factory=list)
    findings: str
    no_fault_found: bool = False
    diagnosed_at: datetime


@REGISTRY.register(f"{NS}.work_order.quote_issued", 1, REPAIR_EVENTS)
class QuoteIssued(WorkOrderFact):
    """A quote for the repair; the owner must approve it unless it was skipped (warranty, owner agreement)."""
    repair_fee: Money
    parts_estimate: Money
    approval_required: bool
    skip_reason: Literal["warranty", "owner_agreement"] | None = None
    issued_at: datetime


@REGISTRY.register(f"{NS}.work_order.quote_decided", 1, REPAIR_EVENTS)
class QuoteDecided(WorkOrderFact):
    """The owner approved or declined the quote; a declined quote sends the unit back unrepaired."""
    decision: Literal["approved", "declined"]
    note: str = ""
    decided_at: datetime


@REGISTRY.register(f"{NS}.work_order.parts_consumed", 1, REPAIR_EVENTS)
class PartsConsumed(WorkOrderFact):
    """Spare parts were drawn from stock into the unit (bonded parts leave the parts ledger)."""
    parts: list[PartLine]
    consumed_at: datetime


class MeasurementLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    name: str
    value: float
    unit: str = ""
    lower: float | None = None
    upper: float | None = None


@REGISTRY.register(f"{NS}.work_order.tested", 1, REPAIR_EVENTS)
class UnitTested(WorkOrderFact):
    """A unit was tested after repair; a failed test sends it back to repair."""
    test_id: str
    procedure: str
    passed: bool
    first_test: bool = Field(description="true for the work order's first test (first-pass yield)")
    measurements: list[MeasurementLine] = Field(default_factory=list)
    tested_at: datetime


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
    failure_codes: list[str] = Field(default_factory=list)
    no_fault_found: bool = False
    technician: str | None = None
    old_part_ids: list[str] = Field(default_factory=list, description="old parts removed from the unit")


@REGISTRY.register(f"{NS}.old_part.recorded", 1, REPAIR_EVENTS)
class OldPartRecorded(Payload):
    """A replaced part became an item of its own, tied to its parent unit, awaiting disposal."""
    unit_id: str = Field(description="the parent unit")
    old_part_id: str
    work_order_id: str
    owner_id: str
    part_number: str
    quantity: int = Field(ge=1)
    origin: Origin = Field(description="inherited from the parent unit")
    allowed_routes: list[str] = Field(description=ROUTES)
    disposal_deadline: datetime
    removed_at: datetime


@REGISTRY.register(f"{NS}.old_part.disposed", 1, REPAIR_EVENTS)
class OldPartDisposed(Payload):
    """An old part left the centre: re-exported, destroyed, or (domestic origin only) gate-registered home."""
    unit_id: str = Field(description="the parent unit")
    old_part_id: str
    part_number: str
    quantity: int = Field(ge=1)
    origin: Origin
    route: str = Field(description=ROUTES)
    supervision_mode: str | None = Field(default=None, description="0864, 0865, 0200 or 0400")
    document_no: str
    late: bool = Field(description="disposed of after its deadline: a compliance breach")
    disposed_at: datetime
