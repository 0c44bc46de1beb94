"""The desk's unit timelines (``desk_timeline``) and the emptying of all its read models (a rebuild's first step).

One row per event of the three services that names a unit, written by the desk's projection: when it happened
(``occurred_at``: ce_time; ``sequence``: the producer's per-unit ce_sequence, None on older events) and a small
summary of its data (what the unit page shows). Migration 0010 filled it from dispatch's journal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, Index, String, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.dashboard import DashCounterRow, DashDayRow, DashHistogramRow, DashItemRow
from services.dispatch.db.tables import Base
from services.kit.db import UtcDateTime
from shared.messaging.sql import upsert


class DeskTimelineRow(Base):
    __tablename__ = "desk_timeline"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(120))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict] = mapped_column(JSON)
    __table_args__ = (Index("ix_desk_timeline_unit_happened", "unit_id", "occurred_at", "source", "sequence"),)


TIMELINE = cast(Table, DeskTimelineRow.__table__)
# In the order the events happened across the three services: ce_time, then the producer and its per-unit number
# where times tie (events without a number first, the same on SQLite and PostgreSQL), then the event id.
TIMELINE_ORDER = (TIMELINE.c.occurred_at, TIMELINE.c.source, TIMELINE.c.sequence.asc().nulls_first(),
                  TIMELINE.c.event_id)
READ_MODELS = (DashItemRow, DashCounterRow, DashDayRow, DashHistogramRow, DeskTimelineRow)


@dataclass(frozen=True)
class Entry:
    event_id: str
    type: str
    source: str
    occurred_at: datetime
    sequence: int | None
    data: dict[str, Any]


BATCH = "desk.timeline.batch"  # session.info key: a consumer batch's timeline rows, written at its commit


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def batch(cls, session: AsyncSession) -> TimelineRepository:
        """Batch mode on this session: ``add`` holds the rows, ``flush_batch`` writes them in one statement."""
        session.info[BATCH] = []
        return cls(session)

    async def add(self, unit_id: str, e: Entry) -> None:
        """Once per event (the inbox already says so; a row already there is left as it is)."""
        row = {"unit_id": unit_id, **vars(e)}
        held = self.session.info.get(BATCH)
        if held is not None:
            held.append(row)
            return
        await self.session.execute(upsert(self.session, TIMELINE).values(**row).on_conflict_do_nothing())

    async def flush_batch(self) -> None:
        rows = self.session.info.pop(BATCH, None)
        if rows:
            await self.session.execute(upsert(self.session, TIMELINE).values(rows).on_conflict_do_nothing())

    async def of_unit(self, unit_id: str, limit: int) -> list[Entry]:
        q = (select(TIMELINE.c.event_id, TIMELINE.c.type, TIMELINE.c.source, TIMELINE.c.occurred_at,
                    TIMELINE.c.sequence, TIMELINE.c.data)
             .where(TIMELINE.c.unit_id == unit_id).order_by(*TIMELINE_ORDER).limit(limit))
        return [Entry(*row) for row in await self.session.execute(q)]


async def delete_read_models(session: AsyncSession) -> None:
    """Every row of the desk's read models (its items, counters, day series, histogram and timelines)."""
    for model in READ_MODELS:
        await session.execute(delete(model))
