"""Inbox: a processed event id is inserted in the handler's transaction; duplicates are skipped."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contract.envelope import CloudEvent


async def claim(session: AsyncSession, table: Table, consumer: str, event: CloudEvent) -> bool:
    """True if this consumer has not processed the event yet; the claim commits with the handler."""
    seen = await session.scalar(
        select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id == event.id))
    if seen is not None:
        return False
    await session.execute(insert(table).values(
        consumer=consumer, event_id=event.id, event_type=event.type,
        processed_at=datetime.now(timezone.utc)))
    return True
