"""The repair itself: diagnosis, quote and the owner's decision, repair, testing."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.kit.auth import Role, forbid_other_owner
from services.repair.api.deps import Partner, ReaderOrPartner, Technician, UoW, Version
from services.repair.api.schemas import Body, DecisionIn, DiagnosisIn, QuoteIn, WorkOrderOut
from services.repair.domain.testing import Measurement, TestRecord
from services.repair.service import diagnosis, quotes, repairs

router = APIRouter(prefix="/v1/work-orders", tags=["repair"])


class MeasurementIn(Body):
    name: str = Field(min_length=1, max_length=200)
    value: float
    unit: str = Field("", max_length=50)
    lower: float | None = None
    upper: float | None = None


class TestIn(Body):
    procedure: str = Field(min_length=1, max_length=200)
    measurements: list[MeasurementIn] = Field(default_factory=list, max_length=500)
    passed: bool | None = Field(None, description="omit to judge by the measurements' limits")


class TestOut(BaseModel):
    id: str
    procedure: str
    measurements: list[MeasurementIn]
    passed: bool
    tested_at: datetime
    tested_by: str

    @classmethod
    def of(cls, t: TestRecord) -> TestOut:
        return cls(id=t.id, procedure=t.procedure, measurements=[MeasurementIn(**vars(m)) for m in t.measurements],
                   passed=t.passed, tested_at=t.tested_at, tested_by=t.tested_by)


class TestResultOut(BaseModel):
    test: TestOut
    work_order: WorkOrderOut


@router.post("/{work_order_id}/diagnosis/start", response_model=WorkOrderOut)
async def start_diagnosis(work_order_id: str, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    return WorkOrderOut.of(await diagnosis.start(uow, work_order_id, who.actor, version))


@router.post("/{work_order_id}/diagnosis", response_model=WorkOrderOut,
             summary="Record (or amend) the diagnosis: failure codes and findings, or no fault found")
async def diagnose(work_order_id: str, body: DiagnosisIn, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    wo = await diagnosis.record(uow, work_order_id, body.failure_codes, body.findings, body.no_fault_found,
                                who.actor, version)
    return WorkOrderOut.of(wo)


@router.post("/{work_order_id}/quote", response_model=WorkOrderOut,
             summary="Quote the repair; warranty units and owners with an agreement skip the owner's approval")
async def quote(work_order_id: str, body: QuoteIn, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    wo = await quotes.issue(uow, work_order_id, body.repair_fee, body.parts_estimate, body.currency, who.actor,
                            version)
    return WorkOrderOut.of(wo)


@router.post("/{work_order_id}/quote/decision", response_model=WorkOrderOut,
             summary="The owner approves or declines the quote (partner token of that owner)")
async def decide(work_order_id: str, body: DecisionIn, uow: UoW, who: Partner, version: Version) -> WorkOrderOut:
    by_owner = who.owner_id if who.role is Role.partner else None
    return WorkOrderOut.of(await quotes.decide(uow, work_order_id, body.approve, body.note, by_owner, who.actor,
                                               version))


@router.post("/{work_order_id}/repair/start", response_model=WorkOrderOut,
             summary="Start the repair (an approved quote; every requested part reserved)")
async def start_repair(work_order_id: str, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    return WorkOrderOut.of(await repairs.start_repair(uow, work_order_id, who.actor, version))


@router.post("/{work_order_id}/testing/start", response_model=WorkOrderOut)
async def start_testing(work_order_id: str, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    return WorkOrderOut.of(await repairs.start_testing(uow, work_order_id, who.actor, version))


@router.post("/{work_order_id}/tests", status_code=201, response_model=TestResultOut,
             summary="Record a test; a failed one sends the unit back to repair")
async def record_test(work_order_id: str, body: TestIn, uow: UoW, who: Technician, version: Version) -> TestResultOut:
    wo, test = await repairs.record_test(uow, work_order_id, body.procedure,
                                         [Measurement(**m.model_dump()) for m in body.measurements], body.passed,
                                         who.actor, version)
    return TestResultOut(test=TestOut.of(test), work_order=WorkOrderOut.of(wo))


@router.get("/{work_order_id}/tests", response_model=list[TestOut])
async def tests_of(work_order_id: str, uow: UoW, who: ReaderOrPartner) -> list[TestOut]:
    wo, tests = await repairs.tests_of(uow, work_order_id)
    forbid_other_owner(who, wo.owner_id, "read")
    return [TestOut.of(t) for t in tests]
