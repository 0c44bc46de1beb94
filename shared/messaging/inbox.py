"""Inbox: a processed event id is inserted in the handler's transaction; duplicates are skipped."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.contract.envelope import CloudEvent
from shared.messaging.sql import rowcount, supports_upsert, upsert

_statements: dict[tuple[str, Table], Any] = {}


async def claim(session: AsyncSession, table: Table, consumer: str, event: CloudEvent) -> bool:
    """True if this consumer has not processed the event yet; the claim commits with the handler.

    One round trip on PostgreSQL and SQLite: INSERT ... ON CONFLICT DO NOTHING, a duplicate inserts no row.
    """
    values = {"consumer": consumer, "event_id": event.id, "event_type": event.type,
              "processed_at": utc_now()}
    dialect = session.bind.dialect.name if session.bind is not None else ""
    if not supports_upsert(session):
        seen = await session.scalar(
            select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id == event.id))
        if seen is not None:
            return False
        await session.execute(insert(table).values(**values))
        return True
    stmt = _statements.get((dialect, table))
    if stmt is None:
        stmt = _statements[(dialect, table)] = upsert(session, table).on_conflict_do_nothing(
            index_elements=[table.c.consumer, table.c.event_id])
    return rowcount(await session.execute(stmt, values)) == 1
