"""The journal of consumed events and the unit status read model: append, timelines, the owners' feed."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.journal import JournalRow, UnitStatusRow
from services.dispatch.domain.unit_status import UnitStatus

STATUS_FIELDS = tuple(f.name for f in fields(UnitStatus))


@dataclass(frozen=True)
class Entry:
    seq: int
    event_id: str
    type: str
    source: str
    unit_id: str | None
    owner_id: str | None
    occurred_at: datetime
    data: dict[str, Any]


def _entry(row: Any) -> Entry:
    return Entry(row.seq, row.event_id, row.type, row.source, row.unit_id, row.owner_id, row.occurred_at, row.data)


class JournalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, *, event_id: str, type: str, source: str, unit_id: str | None, owner_id: str | None,
                     occurred_at: datetime, recorded_at: datetime, data: dict[str, Any]) -> int:
        result = await self.session.execute(insert(JournalRow).values(
            event_id=event_id, type=type, source=source, unit_id=unit_id, owner_id=owner_id,
            occurred_at=occurred_at, recorded_at=recorded_at, data=data).returning(JournalRow.seq))
        return int(result.scalar_one())

    async def timeline(self, unit_id: str, owner_id: str | None = None, limit: int = 1000) -> list[Entry]:
        q = select(JournalRow).where(JournalRow.unit_id == unit_id)
        if owner_id is not None:
            q = q.where(JournalRow.owner_id == owner_id)
        rows = await self.session.scalars(q.order_by(JournalRow.seq).limit(limit))
        return [_entry(r) for r in rows]

    async def feed(self, owner_id: str, after_seq: int, limit: int, types: list[str] | None = None) -> list[Entry]:
        q = select(JournalRow).where(JournalRow.owner_id == owner_id, JournalRow.seq > after_seq)
        if types:
            q = q.where(JournalRow.type.in_(types))
        rows = await self.session.scalars(q.order_by(JournalRow.seq).limit(limit))
        return [_entry(r) for r in rows]

    async def get(self, seq: int) -> Entry | None:
        row = await self.session.get(JournalRow, seq)
        return _entry(row) if row else None

    async def status(self, unit_id: str) -> UnitStatus | None:
        row = await self.session.get(UnitStatusRow, unit_id)
        return UnitStatus(**{f: getattr(row, f) for f in STATUS_FIELDS}) if row else None

    async def save_status(self, status: UnitStatus, new: bool) -> None:
        values = asdict(status)
        if new:
            await self.session.execute(insert(UnitStatusRow).values(**values))
        else:
            await self.session.execute(update(UnitStatusRow).where(UnitStatusRow.unit_id == status.unit_id)
                                       .values(**values))

    async def units(self, owner_id: str, after_unit_id: str, limit: int, stage: str | None = None,
                    state: str | None = None) -> list[UnitStatus]:
        q = select(UnitStatusRow).where(UnitStatusRow.owner_id == owner_id, UnitStatusRow.unit_id > after_unit_id)
        if stage:
            q = q.where(UnitStatusRow.stage == stage)
        if state:
            q = q.where(UnitStatusRow.state == state)
        rows = await self.session.scalars(q.order_by(UnitStatusRow.unit_id).limit(limit))
        return [UnitStatus(**{f: getattr(r, f) for f in STATUS_FIELDS}) for r in rows]

    async def pending_quotes(self, owner_id: str, limit: int) -> list[UnitStatus]:
        q = select(UnitStatusRow).where(UnitStatusRow.owner_id == owner_id, UnitStatusRow.quote_pending.is_(True))
        rows = await self.session.scalars(q.order_by(UnitStatusRow.updated_at).limit(limit))
        return [UnitStatus(**{f: getattr(r, f) for f in STATUS_FIELDS}) for r in rows]

    async def latest(self, unit_id: str, type: str) -> Entry | None:
        row = await self.session.scalar(select(JournalRow).where(JournalRow.unit_id == unit_id, JournalRow.type == type)
                                        .order_by(JournalRow.seq.desc()).limit(1))
        return _entry(row) if row else None

    async def last_owner(self, unit_id: str, source: str) -> str | None:
        """The owner of the latest event from ``source`` about this unit that named one."""
        return await self.session.scalar(select(JournalRow.owner_id).where(
            JournalRow.unit_id == unit_id, JournalRow.source == source, JournalRow.owner_id.is_not(None))
            .order_by(JournalRow.seq.desc()).limit(1))
