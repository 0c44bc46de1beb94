"""Repair requests and units: announce, receive, resolve, reject, release; read, filter, history."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.intake.api.deps import Clerk, ClerkOrPartner, ClerkOrTech, Reader, UoW
from services.intake.api.schemas import RepairRequestIn, RepairRequestOut, UnitHistoryOut, UnitOut
from services.intake.db.units import UnitFilter
from services.intake.domain.requests import RequestedUnit
from services.intake.domain.units import UnitState
from services.intake.service import queries, receipts, requests, withdrawals
from services.kit.auth import Role, forbid_other_owner
from services.kit.errors import MAX_INT

router = APIRouter(prefix="/v1", tags=["units"])


class ReceiptIn(BaseModel):
    serial_number: str = Field(min_length=1, max_length=100, description="as read on the unit")
    part_number: str = Field(min_length=1, max_length=100, description="as read on the unit")
    condition_notes: str = Field("", max_length=4000)


class ResolutionIn(BaseModel):
    accept: bool = Field(description="true: accept the unit as found; false: reject and return it")
    note: str = Field(min_length=1, max_length=4000)


class RejectionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


class WithdrawalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000, description="why the pre-alerted unit will not come")


@router.post("/repair-requests", status_code=201, response_model=RepairRequestOut,
             summary="Pre-alert units for repair (all are checked; all announced or none)")
async def submit(body: RepairRequestIn, uow: UoW, who: ClerkOrPartner) -> RepairRequestOut:
    forbid_other_owner(who, body.owner_id, "act for")
    cmd = requests.SubmitRequest(body.owner_id, body.origin, [RequestedUnit(**u.model_dump()) for u in body.units])
    request_id, units = await requests.submit(uow, cmd, who.actor)
    return RepairRequestOut(request_id=request_id, units=[UnitOut.of(u) for u in units])


@router.post("/units/{unit_id}/receipt", response_model=UnitOut,
             summary="Receive a declared unit; a serial/part mismatch becomes a discrepancy")
async def receive(unit_id: str, body: ReceiptIn, uow: UoW, who: Clerk) -> UnitOut:
    unit = await receipts.receive(uow, unit_id, body.serial_number, body.part_number, body.condition_notes, who.actor)
    return UnitOut.of(unit)


@router.post("/units/{unit_id}/discrepancy/resolution", response_model=UnitOut)
async def resolve(unit_id: str, body: ResolutionIn, uow: UoW, who: Clerk) -> UnitOut:
    return UnitOut.of(await receipts.resolve(uow, unit_id, body.accept, body.note, who.actor))


@router.post("/units/{unit_id}/rejection", response_model=UnitOut,
             summary="Reject and return a unit (4500 before customs release, 4561 after)")
async def reject(unit_id: str, body: RejectionIn, uow: UoW, who: Clerk) -> UnitOut:
    return UnitOut.of(await receipts.reject(uow, unit_id, body.reason, who.actor))


@router.post("/units/{unit_id}/withdrawal", response_model=UnitOut,
             summary="Withdraw a pre-alerted unit that never arrived (only while announced); its serial is freed")
async def withdraw(unit_id: str, body: WithdrawalIn, uow: UoW, who: ClerkOrPartner) -> UnitOut:
    by_owner = who.owner_id if who.role is Role.partner else None
    return UnitOut.of(await withdrawals.withdraw(uow, unit_id, body.reason, by_owner, who.actor))


@router.post("/units/{unit_id}/release", response_model=UnitOut, summary="Release a received unit to repair")
async def release(unit_id: str, uow: UoW, who: ClerkOrTech) -> UnitOut:
    return UnitOut.of(await receipts.release(uow, unit_id, who.actor))


@router.get("/units/{unit_id}", response_model=UnitHistoryOut, summary="A unit and its full history")
async def get(unit_id: str, uow: UoW, who: Reader) -> UnitHistoryOut:
    unit, steps = await queries.unit_with_history(uow, unit_id)
    forbid_other_owner(who, unit.owner_id, "read")
    return UnitHistoryOut.of(unit, steps)


@router.get("/units", response_model=list[UnitOut], summary="Units, filtered and paginated, newest first")
async def find(uow: UoW, who: Reader, state: UnitState | None = None, owner_id: str | None = None,
               serial_number: str | None = None, hs_code: str | None = None,
               announced_since: datetime | None = None, announced_before: datetime | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[UnitOut]:
    if who.role is Role.partner:
        owner_id = who.owner_id
    f = UnitFilter(state.value if state else None, owner_id, serial_number, hs_code, announced_since,
                   announced_before)
    return [UnitOut.of(u) for u in await queries.find_units(uow, f, limit, offset)]
