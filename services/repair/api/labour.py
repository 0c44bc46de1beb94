"""Labour on a work order: book minutes, or start and stop a clock (the caller is the technician)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.kit.auth import forbid_other_owner
from services.repair.api.deps import ReaderOrPartner, Technician, UoW, Version
from services.repair.api.schemas import Body
from services.repair.domain.labour import MAX_ENTRY_MINUTES, LabourEntry
from services.repair.service import labour

router = APIRouter(prefix="/v1/work-orders/{work_order_id}/labour", tags=["labour"])


class BookIn(Body):
    minutes: int = Field(ge=1, le=MAX_ENTRY_MINUTES)
    note: str = Field("", max_length=4000)


class ClockIn(Body):
    note: str = Field("", max_length=4000)


class LabourOut(BaseModel):
    id: str
    work_order_id: str
    technician: str
    started_at: datetime
    stopped_at: datetime | None
    minutes: int
    note: str
    running: bool

    @classmethod
    def of(cls, e: LabourEntry) -> LabourOut:
        return cls(**asdict(e), running=e.running)


@router.post("", status_code=201, response_model=LabourOut, summary="Book minutes of labour")
async def book(work_order_id: str, body: BookIn, uow: UoW, who: Technician, version: Version) -> LabourOut:
    return LabourOut.of(await labour.book(uow, work_order_id, who.subject, body.minutes, body.note, who.actor,
                                          version))


@router.post("/start", status_code=201, response_model=LabourOut, summary="Start your labour clock")
async def start(work_order_id: str, uow: UoW, who: Technician, version: Version,
                body: ClockIn | None = None) -> LabourOut:
    note = body.note if body else ""
    return LabourOut.of(await labour.start(uow, work_order_id, who.subject, note, who.actor, version))


@router.post("/stop", response_model=LabourOut, summary="Stop your labour clock; its minutes are booked")
async def stop(work_order_id: str, uow: UoW, who: Technician, version: Version) -> LabourOut:
    return LabourOut.of(await labour.stop(uow, work_order_id, who.subject, who.actor, version))


@router.get("", response_model=list[LabourOut])
async def of_work_order(work_order_id: str, uow: UoW, who: ReaderOrPartner) -> list[LabourOut]:
    wo, entries = await labour.of_work_order(uow, work_order_id)
    forbid_other_owner(who, wo.owner_id, "read")
    return [LabourOut.of(e) for e in entries]
