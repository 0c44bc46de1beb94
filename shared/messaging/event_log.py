"""The producer's side of gap recovery: its outbox, read back as the log of its own events.

A consumer that missed events (the broker lost them, or never delivered them) asks the producer for
them by key and sequence range, and for the high-water mark of every key it published.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

MAX_EVENTS = 1000      # events per key range in one answer
MAX_HEADS_SPAN = 20_000  # outbox ids covered by one high-water answer


@dataclass(frozen=True)
class LoggedEvent:
    key: str
    sequence: int
    headers: list[list[str]]
    value: str

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "sequence": self.sequence, "headers": self.headers, "value": self.value}


async def events_between(session: AsyncSession, outbox: Table, key: str, after: int,
                         before: int | None = None, limit: int = MAX_EVENTS) -> list[LoggedEvent]:
    """The key's events with after < sequence < before, in order (only what retention still keeps)."""
    t = outbox
    q = select(t.c.key, t.c.key_seq, t.c.headers, t.c.payload).where(t.c.key == key, t.c.key_seq > after)
    if before is not None:
        q = q.where(t.c.key_seq < before)
    rows = (await session.execute(q.order_by(t.c.key_seq).limit(min(limit, MAX_EVENTS)))).all()
    return [LoggedEvent(r.key, r.key_seq, r.headers, r.payload) for r in rows]


async def high_water(session: AsyncSession, outbox: Table, after_id: int,
                     published_before: datetime) -> tuple[dict[str, int], int]:
    """Per key, the highest sequence among published rows past ``after_id``; and the id to ask from next.

    The range ends before the first row not yet published (it may still be in flight) and at the last
    row published before ``published_before``, so a consumer never moves its cursor past an event it
    could not have received yet.
    """
    t = outbox
    upto = await session.scalar(select(func.max(t.c.id)).where(
        t.c.id > after_id, t.c.id <= after_id + MAX_HEADS_SPAN, t.c.published_at <= published_before))
    if upto is None:
        return {}, after_id
    unpublished = await session.scalar(select(func.min(t.c.id)).where(t.c.published_at.is_(None)))
    if unpublished is not None:
        upto = min(upto, unpublished - 1)
    if upto <= after_id:
        return {}, after_id
    rows = (await session.execute(select(t.c.key, func.max(t.c.key_seq)).where(
        t.c.id > after_id, t.c.id <= upto, t.c.key_seq.is_not(None)).group_by(t.c.key))).all()
    return {k: int(n) for k, n in rows}, upto
