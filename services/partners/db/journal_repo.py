"""The journal of consumed events and the unit status read model: append, timelines, the owners' feed.

The consumer writes here for every event, so the writes are Core statements (no ORM unit of work). On
PostgreSQL each writing transaction first takes a transaction-level advisory lock: journal rows then commit in
``seq`` order, so a reader paging by ``seq`` (the owners' feed, webhook fan-out) never skips a row that commits
late with a smaller ``seq``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from services.partners.db.journal import TIMELINE_ORDER, JournalRow, UnitStatusRow
from services.partners.domain.unit_status import UnitStatus
from shared.messaging.sql import upsert

STATUS_FIELDS = tuple(f.name for f in fields(UnitStatus))
JOURNAL, STATUS = cast(Table, JournalRow.__table__), cast(Table, UnitStatusRow.__table__)
ORDER_LOCK = 0x6A6F75726E616C  # "journal"
_LOCKED = "journal_order_locked"
_STATUS = select(*[STATUS.c[f] for f in STATUS_FIELDS]).where(STATUS.c.unit_id == bindparam("unit_id"))
_UPDATE_STATUS = update(STATUS).where(STATUS.c.unit_id == bindparam("b_unit_id"))  # executemany: SET from the keys
_LAST_OWNER = (select(JOURNAL.c.owner_id)
               .where(JOURNAL.c.unit_id == bindparam("unit_id"), JOURNAL.c.source == bindparam("source"),
                      JOURNAL.c.owner_id.is_not(None))
               .order_by(JOURNAL.c.seq.desc()).limit(1))


@event.listens_for(Session, "after_transaction_end")
def _lock_released(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_LOCKED, None)


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
    sequence: int | None = None
    traceparent: str | None = None
    tracestate: str | None = None


def _entry(row: Any) -> Entry:
    return Entry(row.seq, row.event_id, row.type, row.source, row.unit_id, row.owner_id, row.occurred_at, row.data,
                 row.sequence, row.traceparent, row.tracestate)


def _status(row: Any) -> UnitStatus:
    return UnitStatus(**{f: getattr(row, f) for f in STATUS_FIELDS})


@dataclass
class _Batch:
    """A consumer batch's journal rows and unit statuses, held until ``flush`` (the batch's commit)."""
    statuses: dict[str, UnitStatus | None] = field(default_factory=dict)  # None: the unit has no status row
    known: set[str] = field(default_factory=set)       # event ids the journal already holds
    rows: list[dict[str, Any]] = field(default_factory=list)
    dirty: dict[str, UnitStatus] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)         # dirty statuses with no row yet


class JournalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._batch: _Batch | None = None

    async def prefetch(self, unit_ids: list[str], event_ids: list[str]) -> None:
        """Batch mode, for a consumer batch in one transaction: the order lock, the units' statuses and which events
        the journal already holds, in three statements; appends and status changes are then held in memory and
        written by ``flush`` in one statement per table. Units not named here are read when first asked for."""
        await self._lock_order()
        batch = _Batch()
        if unit_ids:
            batch.statuses = dict.fromkeys(unit_ids)
            rows = await self.session.execute(select(*[STATUS.c[f] for f in STATUS_FIELDS])
                                              .where(STATUS.c.unit_id.in_(set(unit_ids))))
            batch.statuses.update({r.unit_id: _status(r) for r in rows})
        if event_ids:
            batch.known = set(await self.session.scalars(select(JOURNAL.c.event_id)
                                                         .where(JOURNAL.c.event_id.in_(set(event_ids)))))
        self._batch = batch

    async def flush(self) -> None:
        """Write what batch mode holds (the journal rows in the order they were appended, then the statuses)."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        if batch.rows:
            await self.session.execute(insert(JOURNAL), batch.rows)
        fresh = [asdict(s) for unit_id, s in batch.dirty.items() if unit_id in batch.new]
        if fresh:
            await self.session.execute(insert(STATUS), fresh)
        changed = [{"b_unit_id": unit_id, **asdict(s)} for unit_id, s in batch.dirty.items()
                   if unit_id not in batch.new]
        if changed:
            await self.session.execute(_UPDATE_STATUS, changed)

    async def _lock_order(self) -> None:
        if self.session.get_bind().dialect.name == "postgresql" and not self.session.info.get(_LOCKED):
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ORDER_LOCK})
            self.session.info[_LOCKED] = True  # cleared when the transaction ends (_lock_released)

    async def append(self, *, event_id: str, type: str, source: str, unit_id: str | None, owner_id: str | None,
                     occurred_at: datetime, recorded_at: datetime, data: dict[str, Any],
                     sequence: int | None = None, trace: tuple[str | None, str | None] = (None, None)) -> bool:
        """True if the event is journaled now, False if the journal already holds it (one statement, no look-up
        first; in batch mode, held for ``flush``)."""
        row = {"event_id": event_id, "type": type, "source": source, "unit_id": unit_id, "owner_id": owner_id,
               "occurred_at": occurred_at, "sequence": sequence, "recorded_at": recorded_at, "data": data,
               "traceparent": trace[0], "tracestate": trace[1]}
        if (batch := self._batch) is not None:
            if event_id in batch.known:
                return False
            batch.known.add(event_id)
            batch.rows.append(row)
            return True
        await self._lock_order()
        stmt = (upsert(self.session, JOURNAL).on_conflict_do_nothing(index_elements=["event_id"])
                .returning(JOURNAL.c.seq))
        return (await self.session.execute(stmt, row)).scalar_one_or_none() is not None

    async def last_seq(self) -> int:
        return int(await self.session.scalar(select(func.coalesce(func.max(JOURNAL.c.seq), 0))) or 0)

    async def timeline(self, unit_id: str, owner_id: str | None = None, limit: int = 1000) -> list[Entry]:
        """The unit's events in the order they happened (``TIMELINE_ORDER``), not the order partners consumed them."""
        q = select(JOURNAL).where(JOURNAL.c.unit_id == unit_id)
        if owner_id is not None:
            q = q.where(JOURNAL.c.owner_id == owner_id)
        return [_entry(r) for r in await self.session.execute(q.order_by(*TIMELINE_ORDER).limit(limit))]

    async def feed(self, owner_id: str, after_seq: int, limit: int, types: list[str] | None = None) -> list[Entry]:
        """The owner's events after ``after_seq`` in journal order. Deliberately not the timeline's happened order:
        ``seq`` is the cursor, and an event consumed late with an earlier ``ce_time`` would otherwise land behind a
        cursor already handed out and never be delivered. Each item carries ``time`` and ``sequence`` to sort by."""
        q = select(JOURNAL).where(JOURNAL.c.owner_id == owner_id, JOURNAL.c.seq > after_seq)
        if types:
            q = q.where(JOURNAL.c.type.in_(types))
        return [_entry(r) for r in await self.session.execute(q.order_by(JOURNAL.c.seq).limit(limit))]

    async def get(self, seq: int) -> Entry | None:
        row = (await self.session.execute(select(JOURNAL).where(JOURNAL.c.seq == seq))).first()
        return _entry(row) if row else None

    async def status(self, unit_id: str) -> UnitStatus | None:
        batch = self._batch
        if batch is not None and unit_id in batch.statuses:
            return batch.statuses[unit_id]
        row = (await self.session.execute(_STATUS, {"unit_id": unit_id})).first()
        status = _status(row) if row else None
        if batch is not None:
            batch.statuses[unit_id] = status
        return status

    async def save_status(self, status: UnitStatus, new: bool) -> None:
        if (batch := self._batch) is not None:
            batch.statuses[status.unit_id] = batch.dirty[status.unit_id] = status
            if new:
                batch.new.add(status.unit_id)
            return
        values = asdict(status)
        if new:
            await self.session.execute(insert(STATUS), values)
        else:
            await self.session.execute(update(STATUS).where(STATUS.c.unit_id == status.unit_id).values(**values))

    async def last_owner(self, unit_id: str, source: str) -> str | None:
        """The owner of the latest event from ``source`` about this unit that named one."""
        for row in reversed(self._batch.rows if self._batch is not None else []):
            if row["unit_id"] == unit_id and row["source"] == source and row["owner_id"] is not None:
                return str(row["owner_id"])
        return await self.session.scalar(_LAST_OWNER, {"unit_id": unit_id, "source": source})

    async def units(self, owner_id: str, after_unit_id: str, limit: int, stage: str | None = None,
                    state: str | None = None) -> list[UnitStatus]:
        q = select(STATUS).where(STATUS.c.owner_id == owner_id, STATUS.c.unit_id > after_unit_id)
        if stage:
            q = q.where(STATUS.c.stage == stage)
        if state:
            q = q.where(STATUS.c.state == state)
        return [_status(r) for r in await self.session.execute(q.order_by(STATUS.c.unit_id).limit(limit))]

    async def pending_quotes(self, owner_id: str, limit: int) -> list[UnitStatus]:
        q = select(STATUS).where(STATUS.c.owner_id == owner_id, STATUS.c.quote_pending.is_(True))
        return [_status(r) for r in await self.session.execute(q.order_by(STATUS.c.updated_at).limit(limit))]

    async def latest(self, unit_ids: list[str], type: str) -> dict[str, Entry]:
        """Each unit's latest event of this type, in one query."""
        rows = await self.session.execute(select(JOURNAL).where(JOURNAL.c.unit_id.in_(unit_ids), JOURNAL.c.type == type)
                                          .order_by(JOURNAL.c.seq))
        return {e.unit_id: e for e in map(_entry, rows) if e.unit_id}
