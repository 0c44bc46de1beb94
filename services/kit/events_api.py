"""The service's own events, read back from its outbox for consumers that missed some.

Other services' consumers call these (role ``service``) when a unit's ce_sequence jumps, or when the
periodic high-water check finds a key they are behind on. Only what the outbox retention keeps.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from services.kit.auth import Principal, Role, require
from services.kit.errors import MAX_INT, MAX_JSON_INT
from shared.clock import utc_now
from shared.messaging import event_log, sequencing

router = APIRouter(prefix="/v1/events", tags=["operations"])
Service = Annotated[Principal, Depends(require(Role.service))]


class LoggedEventOut(BaseModel):
    key: str
    sequence: int
    headers: list[list[str]] = Field(description="the record's headers, ce_* included, as [name, value]")
    value: str = Field(description="the record's value: the event's JSON data")


class EventRange(BaseModel):
    key: str = Field(min_length=1, max_length=200)
    after: int = Field(ge=0, le=MAX_JSON_INT, description="the last sequence the caller has")
    before: int | None = Field(None, ge=1, le=MAX_JSON_INT,
                               description="stop before this sequence (the one the caller holds)")


class RangesIn(BaseModel):
    ranges: list[EventRange] = Field(min_length=1, max_length=500)


class HighWaterOut(BaseModel):
    heads: dict[str, int] = Field(description="key -> highest sequence published in the range")
    next_after_id: int = Field(description="pass as after_id next time")


@router.get("", summary="One key's events after a sequence (gap recovery)")
async def events(request: Request, _who: Service, key: Annotated[str, Query(min_length=1, max_length=200)],
                 after: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
                 before: Annotated[int | None, Query(ge=1, le=MAX_JSON_INT)] = None) -> list[LoggedEventOut]:
    rt = request.app.state.runtime
    async with rt.sessions() as s:
        found = await event_log.events_between(s, rt.d.outbox, key, after, before)
    return [LoggedEventOut(**e.as_json()) for e in found]


@router.post("/ranges", summary="Several keys' events at once (gap recovery after a broker loss)")
async def event_ranges(request: Request, _who: Service, body: RangesIn) -> list[LoggedEventOut]:
    rt = request.app.state.runtime
    out: list[LoggedEventOut] = []
    async with rt.sessions() as s:
        for r in body.ranges:
            out += [LoggedEventOut(**e.as_json())
                    for e in await event_log.events_between(s, rt.d.outbox, r.key, r.after, r.before)]
    return out


@router.get("/high-water", summary="Per key, the highest sequence published past a cursor (lost tails)")
async def high_water(request: Request, _who: Service, after_id: Annotated[int, Query(ge=0, le=MAX_JSON_INT)] = 0,
                     published_before: datetime | None = None) -> HighWaterOut:
    rt = request.app.state.runtime
    before = published_before or utc_now()
    if before.tzinfo is None:
        before = before.replace(tzinfo=timezone.utc)
    async with rt.sessions() as s:
        heads, next_after = await event_log.high_water(s, rt.d.outbox, after_id, before)
    return HighWaterOut(heads=heads, next_after_id=next_after)


gaps_router = APIRouter(prefix="/v1/event-gaps", tags=["operations"])
Admin = Annotated[Principal, Depends(require(Role.admin))]


class GapOut(BaseModel):
    id: int
    consumer: str
    source: str
    key: str = Field(description="the unit (ce_subject)")
    from_seq: int
    to_seq: int
    status: Literal["recovered", "lost", "resolved"]
    found_by: Literal["next_event", "high_water"]
    detected_at: datetime
    detail: str | None


class Resolution(BaseModel):
    note: str = Field(min_length=3, max_length=2000, description="what the operator did about the lost events")


@gaps_router.get("", summary="Gaps this service's consumer found in its producers' event sequences")
async def list_gaps(request: Request, _who: Admin,
                    status: Annotated[Literal["recovered", "lost", "resolved"] | None, Query()] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 50,
                    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[GapOut]:
    rt = request.app.state.runtime
    if rt.d.sequences is None:
        return []
    async with rt.sessions() as s:
        return [GapOut(**g) for g in await sequencing.list_gaps(s, rt.d.sequences, status, limit, offset)]


@gaps_router.post("/{gap_id}/resolution", summary="Mark a lost gap as dealt with (it leaves /readyz)")
async def resolve_gap(gap_id: Annotated[int, Path(ge=0, le=MAX_JSON_INT)], body: Resolution, request: Request,
                      who: Admin) -> GapOut:
    rt = request.app.state.runtime
    if rt.d.sequences is None:
        raise HTTPException(404, "this service records no event gaps")
    async with rt.sessions() as s, s.begin():
        gap, resolved = await sequencing.resolve_gap(s, rt.d.sequences, gap_id, f"{body.note} ({who.actor})")
    if gap is None:
        raise HTTPException(404, f"no event gap {gap_id}")
    if not resolved:
        raise HTTPException(409, f"gap {gap_id} is {gap['status']}: only lost gaps are resolved")
    return GapOut(**gap)
