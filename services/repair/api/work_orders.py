"""Work orders: read, list, complete."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.repair.api.deps import Reader, Technician, UoW
from services.repair.api.schemas import CompleteIn, WorkOrderOut
from services.repair.service import work_orders

router = APIRouter(prefix="/v1/work-orders", tags=["work orders"])


@router.get("", response_model=list[WorkOrderOut])
async def list_work_orders(uow: UoW, _who: Reader, state: str | None = None, owner_id: str | None = None,
                           unit_id: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                           offset: Annotated[int, Query(ge=0)] = 0) -> list[WorkOrderOut]:
    found = await work_orders.find(uow, state, owner_id, unit_id, limit, offset)
    return [WorkOrderOut.of(w) for w in found]


@router.get("/{work_order_id}", response_model=WorkOrderOut)
async def get(work_order_id: str, uow: UoW, _who: Reader) -> WorkOrderOut:
    return WorkOrderOut.of(await work_orders.get(uow, work_order_id))


@router.post("/{work_order_id}/complete", response_model=WorkOrderOut, summary="Close with an outcome")
async def complete(work_order_id: str, body: CompleteIn, uow: UoW, who: Technician) -> WorkOrderOut:
    wo = await work_orders.complete(uow, work_order_id, body.outcome, body.repair_fee, body.currency,
                                    body.labour_minutes, who.actor)
    return WorkOrderOut.of(wo)
