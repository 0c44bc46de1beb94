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


async def claim_many(session: AsyncSession, table: Table, consumer: str, events: list[CloudEvent]) -> set[str]:
    """The ids of ``events`` this consumer has not processed yet, all claimed in one statement (the batch path).

    ``INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING event_id``: the ids returned are the rows
    inserted, so an id claimed before (or twice in ``events``) is not fresh. Where the database has no upsert,
    one claim per event.
    """
    if not events:
        return set()
    if not supports_upsert(session):
        return {e.id for e in events if await claim(session, table, consumer, e)}
    now = utc_now()
    values, ids = [], set()
    for e in events:
        if e.id not in ids:  # the same event twice in a batch: claimed once, the second is a duplicate
            ids.add(e.id)
            values.append({"consumer": consumer, "event_id": e.id, "event_type": e.type, "processed_at": now})
    stmt = upsert(session, table).values(values).on_conflict_do_nothing(
        index_elements=[table.c.consumer, table.c.event_id]).returning(table.c.event_id)
    return set((await session.execute(stmt)).scalars())
