"""A technician's queue and first-pass yield."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.kit.errors import MAX_INT
from services.repair.api.deps import Reader, UoW
from services.repair.api.schemas import WorkOrderOut
from services.repair.service import reports, work_orders

router = APIRouter(tags=["reports"])


class FirstPassYieldOut(BaseModel):
    since: datetime | None = Field(description="as asked (null: from the first test)")
    until: datetime | None = Field(description="as asked (null: up to now)")
    tested: int = Field(description="work orders first tested in [since, until)")
    passed_first_time: int
    first_pass_yield: float | None = Field(description="passed_first_time / tested; null when nothing was tested")


@router.get("/v1/technicians/{technician}/queue", response_model=list[WorkOrderOut],
            summary="A technician's open work orders, oldest first ('me' for the caller)")
async def queue(technician: str, uow: UoW, who: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[WorkOrderOut]:
    name = who.subject if technician == "me" else technician
    return [WorkOrderOut.of(w) for w in await work_orders.queue(uow, name, limit, offset)]


@router.get("/v1/reports/first-pass-yield", response_model=FirstPassYieldOut,
            summary="Share of work orders whose first test passed, among those first tested in [since, until)")
async def first_pass_yield(uow: UoW, _who: Reader, since: datetime | None = None,
                           until: datetime | None = None) -> FirstPassYieldOut:
    y = await reports.first_pass(uow, since, until)
    return FirstPassYieldOut(since=since, until=until, tested=y.tested, passed_first_time=y.passed_first_time,
                             first_pass_yield=y.rate)
