"""Projections (read models with a consumer of their own): their generations and the rebuild command.

A projection's consumer group is ``bondline.<service>.<name>`` in generation 0 and ``...<name>.g<n>`` after the
n-th rebuild. A rebuild empties the read model and moves to the next generation in one transaction: the new group
has no committed offsets, so it reads every topic from the start (``auto_offset_reset=earliest``), with no inbox
rows and no sequences of its own yet. What the broker no longer keeps (older than the topics' retention) comes
back through gap recovery from the producers' outboxes while they still hold it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.messaging.tables import UTC_TIME


def generations_table(metadata: MetaData) -> Table:
    return Table("projection_generations", metadata,
                 Column("name", String(100), primary_key=True),
                 Column("generation", Integer, nullable=False),
                 Column("rebuilt_at", UTC_TIME, nullable=False))


def group(service: str, name: str, generation: int) -> str:
    base = f"bondline.{service}.{name}"
    return base if generation == 0 else f"{base}.g{generation}"


async def generations(session: AsyncSession, table: Table | None) -> dict[str, int]:
    if table is None:
        return {}
    return {n: int(g) for n, g in await session.execute(select(table.c.name, table.c.generation))}


async def rebuild(sessions: Any, table: Table, projection: Any) -> int:
    """Empty ``projection``'s read model and move it to its next generation (one transaction); the new one."""
    async with sessions() as s, s.begin():
        current = (await generations(s, table)).get(projection.name)
        await projection.reset(s)
        now = utc_now()
        if current is None:
            await s.execute(table.insert().values(name=projection.name, generation=1, rebuilt_at=now))
            return 1
        await s.execute(update(table).where(table.c.name == projection.name)
                        .values(generation=current + 1, rebuilt_at=now))
        return current + 1
