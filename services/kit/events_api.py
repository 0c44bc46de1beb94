"""The service's own events, read back from its outbox for consumers that missed some.

Other services' consumers call these (role ``service``) when a unit's ce_sequence jumps, or when the
periodic high-water check finds a key they are behind on. Only what the outbox retention keeps.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from shared.messaging import event_log
from services.kit.auth import Principal, Role, require

router = APIRouter(prefix="/v1/events", tags=["operations"])
Service = Annotated[Principal, Depends(require(Role.service))]


class LoggedEventOut(BaseModel):
    key: str
    sequence: int
    headers: list[list[str]] = Field(description="the record's headers, ce_* included, as [name, value]")
    value: str = Field(description="the record's value: the event's JSON data")


class EventRange(BaseModel):
    key: str = Field(min_length=1, max_length=200)
    after: int = Field(ge=0, description="the last sequence the caller has")
    before: int | None = Field(None, ge=1, description="stop before this sequence (the one the caller holds)")


class RangesIn(BaseModel):
    ranges: list[EventRange] = Field(min_length=1, max_length=500)


class HighWaterOut(BaseModel):
    heads: dict[str, int] = Field(description="key -> highest sequence published in the range")
    next_after_id: int = Field(description="pass as after_id next time")


@router.get("", summary="One key's events after a sequence (gap recovery)")
async def events(request: Request, _who: Service, key: Annotated[str, Query(min_length=1, max_length=200)],
                 after: Annotated[int, Query(ge=0)] = 0,
                 before: Annotated[int | None, Query(ge=1)] = None) -> list[LoggedEventOut]:
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
async def high_water(request: Request, _who: Service, after_id: Annotated[int, Query(ge=0)] = 0,
                     published_before: datetime | None = None) -> HighWaterOut:
    rt = request.app.state.runtime
    before = published_before or datetime.now(timezone.utc)
    if before.tzinfo is None:
        before = before.replace(tzinfo=timezone.utc)
    async with rt.sessions() as s:
        heads, next_after = await event_log.high_water(s, rt.d.outbox, after_id, before)
    return HighWaterOut(heads=heads, next_after_id=next_after)
