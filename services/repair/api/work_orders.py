"""Work orders: list and filter, read with history, assign, complete with an outcome."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from services.kit.auth import Role, forbid_other_owner
from services.kit.errors import MAX_INT
from services.repair.api.deps import ReaderOrPartner, Technician, UoW, Version
from services.repair.api.schemas import AssignIn, CompleteIn, HistoryOut, WorkOrderOut
from services.repair.db.work_orders import WorkOrderFilter
from services.repair.domain.states import WorkOrderState
from services.repair.service import completion, work_orders
from shared.clock import utc_now

router = APIRouter(prefix="/v1/work-orders", tags=["work orders"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Hours = Annotated[float | None, Query(ge=0, le=24 * 3650)]


@router.get("", response_model=list[WorkOrderOut], summary="Work orders, filtered, newest first")
async def find(uow: UoW, who: ReaderOrPartner, state: Annotated[list[WorkOrderState] | None, Query()] = None,
               technician: str | None = None, owner_id: str | None = None, unit_id: str | None = None,
               min_age_hours: Hours = None, max_age_hours: Hours = None,
               limit: Limit = 50, offset: Offset = 0) -> list[WorkOrderOut]:
    if who.role is Role.partner:
        owner_id = who.owner_id
    now = utc_now()
    f = WorkOrderFilter(
        states=tuple(s.value for s in state or ()), technician=technician, owner_id=owner_id, unit_id=unit_id,
        opened_before=now - timedelta(hours=min_age_hours) if min_age_hours is not None else None,
        opened_since=now - timedelta(hours=max_age_hours) if max_age_hours is not None else None)
    return [WorkOrderOut.of(w) for w in await work_orders.find(uow, f, limit, offset)]


@router.get("/{work_order_id}", response_model=WorkOrderOut)
async def get(work_order_id: str, uow: UoW, who: ReaderOrPartner) -> WorkOrderOut:
    wo = await work_orders.get(uow, work_order_id)
    forbid_other_owner(who, wo.owner_id, "read")
    return WorkOrderOut.of(wo)


@router.get("/{work_order_id}/history", response_model=HistoryOut,
            summary="The work order and every step of its history, with actor and time")
async def history(work_order_id: str, uow: UoW, who: ReaderOrPartner) -> HistoryOut:
    wo, steps = await work_orders.history(uow, work_order_id)
    forbid_other_owner(who, wo.owner_id, "read")
    return HistoryOut.of(wo, steps)


@router.post("/{work_order_id}/assignment", response_model=WorkOrderOut, summary="Assign to a technician")
async def assign(work_order_id: str, body: AssignIn, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    return WorkOrderOut.of(await work_orders.assign(uow, work_order_id, body.technician, who.actor, version))


@router.post("/{work_order_id}/complete", response_model=WorkOrderOut,
             summary="Close with an outcome: repaired (after a passing test), beyond_repair, returned_unrepaired")
async def complete(work_order_id: str, body: CompleteIn, uow: UoW, who: Technician, version: Version) -> WorkOrderOut:
    return WorkOrderOut.of(await completion.complete(uow, work_order_id, body.outcome, body.note, who.actor, version))
