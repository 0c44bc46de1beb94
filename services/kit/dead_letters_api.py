"""Inspect and replay a service's dead letters (admin only).

A row's ``encoding`` says how its key, value and header values are stored: ``utf-8`` text, or ``base64``
when the record's bytes were not text (NUL bytes, invalid UTF-8); replay sends the original bytes.
"""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from services.kit.auth import Principal, Role, require
from services.kit.errors import MAX_INT, MAX_JSON_INT
from shared.clock import utc_now
from shared.messaging import kafka
from shared.messaging.dead_letters import original

router = APIRouter(prefix="/v1/dead-letters", tags=["operations"])
Admin = Annotated[Principal, Depends(require(Role.admin))]
DeadLetterId = Annotated[int, Path(ge=0, le=MAX_JSON_INT)]


class DeadLetterOut(BaseModel):
    """A row of the dead-letter table (``shared.messaging.tables``)."""

    id: int
    consumer: str = Field(description="the consumer group that gave up on the record")
    topic: str
    partition: int
    offset: int
    key: str | None = Field(description="the record's key, in the row's encoding")
    headers: list[tuple[str, str | None]] = Field(description="the record's headers as [name, value], values "
                                                              "in the row's encoding")
    value: str | None = Field(description="the record's value, in the row's encoding")
    event_id: str | None = Field(description="ce_id, when the headers parsed as an event")
    event_type: str | None = Field(description="ce_type, when the headers parsed as an event")
    reason: str
    attempts: int
    failed_at: datetime
    sent_to_topic: bool = Field(description="a copy went to the service's dead-letter topic")
    replayed_at: datetime | None
    encoding: Literal["utf-8", "base64"] = Field(description="how key, value and header values are stored")


class ReplayOut(BaseModel):
    id: int
    replayed_to: str = Field(description="the topic the original record was sent to again")
    replayed_at: datetime


@router.get("", summary="Dead-lettered events, newest first")
async def list_dead_letters(request: Request, _who: Admin, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                            offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[DeadLetterOut]:
    rt = request.app.state.runtime
    t = rt.d.dead_letters
    async with rt.sessions() as s:
        rows = (await s.execute(select(t).order_by(t.c.id.desc()).limit(limit).offset(offset))).mappings().all()
        await s.commit()
    return [DeadLetterOut.model_validate(dict(r)) for r in rows]


@router.get("/{dead_letter_id}", summary="One dead letter, with its encoding (utf-8 or base64)")
async def get_dead_letter(dead_letter_id: DeadLetterId, request: Request, _who: Admin) -> DeadLetterOut:
    return DeadLetterOut.model_validate(dict(await _row(request, dead_letter_id)))


@router.post("/{dead_letter_id}/replay", summary="Send the original record to its topic again")
async def replay(dead_letter_id: DeadLetterId, request: Request, _who: Admin) -> ReplayOut:
    rt = request.app.state.runtime
    row = await _row(request, dead_letter_id)
    key, value, headers = original(row)
    if key is None and value is None:
        raise HTTPException(422, f"dead letter {dead_letter_id} has neither key nor value: it cannot be sent")
    producer = kafka.producer(rt.kafka)
    try:
        await asyncio.wait_for(producer.start(), 10)
        await asyncio.wait_for(producer.send_and_wait(row["topic"], value=value, key=key, headers=headers), 10)
    except Exception as exc:  # noqa: BLE001 - reported to the caller
        raise HTTPException(503, f"broker unavailable, not replayed: {exc!r}") from None
    finally:
        await kafka.stop_quietly(producer)
    now = utc_now()
    t = rt.d.dead_letters
    async with rt.sessions() as s, s.begin():
        await s.execute(update(t).where(t.c.id == dead_letter_id).values(replayed_at=now))
    return ReplayOut(id=dead_letter_id, replayed_to=row["topic"], replayed_at=now)


async def _row(request: Request, dead_letter_id: int) -> Any:
    rt = request.app.state.runtime
    t = rt.d.dead_letters
    async with rt.sessions() as s:
        row = (await s.execute(select(t).where(t.c.id == dead_letter_id))).mappings().first()
        await s.commit()
    if row is None:
        raise HTTPException(404, f"dead letter {dead_letter_id} not found")
    return row
