"""The dispatch desk's read models, kept current by its own projection (messaging/desk.py, consumer group
``bondline.dispatch.desk``).

``dash_items`` is one row per unit or old part with what the desk's tables filter and sort on. The three small
tables hold pre-aggregated figures so no dashboard query scans the items: ``dash_counters`` (open units per stage,
per owner and stage, units per state and stage; test, outcome, origin and destination tallies), ``dash_days``
(open units per stage by the day they entered it, units in bond by the day they were received, old parts by their
disposal day: aging and deadlines are sums over at most a few hundred rows) and ``dash_histogram`` (turnaround
hours, for the median and the 90th percentile). The ledger's figures are the ledger's own running totals
(db/ledger_totals.py), not kept here.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, Select, String, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.tables import Base
from services.kit.db import UtcDateTime
from shared.messaging.sql import upsert


class DashItemRow(Base):
    __tablename__ = "dash_items"
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))          # unit | old_part
    unit_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(16))         # intake | repair | dispatch | left
    state: Mapped[str] = mapped_column(String(40))         # one of its stage's (shared/contract/stages.py)
    stage_since: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_kind: Mapped[str | None] = mapped_column(String(16))   # bond (since received_at) | disposal; None: no deadline
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    destination: Mapped[str | None] = mapped_column(String(32))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    part_number: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_dash_items_stage_since", "stage", "stage_since"),
                      Index("ix_dash_items_state_since", "state", "stage_since"),
                      Index("ix_dash_items_owner_since", "owner_id", "stage_since"),
                      Index("ix_dash_items_due", "due_kind", "due_at"),
                      Index("ix_dash_items_stage_due", "stage", "due_at"),
                      Index("ix_dash_items_since", "stage_since"),
                      Index("ix_dash_items_unit", "unit_id"),
                      Index("ix_dash_items_serial", "serial_number"),
                      Index("ix_dash_items_part", "part_number"))


class DashCounterRow(Base):
    __tablename__ = "dash_counters"
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    k1: Mapped[str] = mapped_column(String(64), primary_key=True)
    k2: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class DashDayRow(Base):
    __tablename__ = "dash_days"
    series: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class DashHistogramRow(Base):
    __tablename__ = "dash_histogram"
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


_COLUMNS = tuple(DashItemRow.__table__.columns)


_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(session: AsyncSession, row: Any, keys: list[str]) -> Any:
    """An increment-or-insert for many rows at once (each key once: the caller sums first); built once."""
    table, dialect = row.__table__, session.get_bind().dialect.name
    if (dialect, table.name) not in _UPSERTS:
        stmt = upsert(session, table)
        _UPSERTS[(dialect, table.name)] = stmt.on_conflict_do_update(
            index_elements=keys, set_={"value": table.c.value + stmt.excluded.value})
    return _UPSERTS[(dialect, table.name)]


BATCH = "desk.dashboard.batch"  # session.info key: the increments of a consumer batch, shared by its events


@dataclass
class Increments:
    counters: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)
    histogram: Counter = field(default_factory=Counter)
    items: dict[str, DashItemRow | None] = field(default_factory=dict)
    """a batch's items by id (None: looked up, not there); also keeps them alive in the session's weak identity map"""


class DashboardRepository:
    """Writes (atomic increments, upsert on conflict) and reads of the read models.

    Increments are summed in memory and written by ``flush`` in one statement per table: an event moves a unit
    out of one stage, state and day and into others, about eight increments, most of them cancelling nothing.
    In a consumer batch (``batch``) every event's repository adds to the batch's sums and ``flush`` waits for the
    batch's own at commit: one statement per table for the whole batch.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        shared = session.info.get(BATCH)
        self._batched = shared is not None
        self._sums: Increments = shared if shared is not None else Increments()
        self._counters, self._days = self._sums.counters, self._sums.days

    @classmethod
    async def batch(cls, session: AsyncSession, item_ids: list[str]) -> DashboardRepository:
        """Batch mode on this session: the items read ahead into the session (one statement; ``item`` then finds
        them without a query) and the increments summed for the batch. Call ``flush`` of the returned repository
        before the commit."""
        sums = session.info[BATCH] = Increments(items=dict.fromkeys(item_ids))
        if item_ids:
            found = await session.scalars(select(DashItemRow).where(DashItemRow.item_id.in_(set(item_ids))))
            sums.items.update({row.item_id: row for row in found})
        return cls(session)

    async def item(self, item_id: str) -> DashItemRow | None:
        if self._batched and item_id in self._sums.items:
            return self._sums.items[item_id]
        row = await self.session.get(DashItemRow, item_id)
        if self._batched:
            self._sums.items[item_id] = row
        return row

    def add(self, row: DashItemRow) -> None:
        self.session.add(row)
        if self._batched:
            self._sums.items[row.item_id] = row

    async def bump(self, metric: str, k1: str, k2: str = "", by: int = 1) -> None:
        self._counters[(metric, k1, k2)] += by  # written by flush()

    async def bump_day(self, series: str, day: date, by: int = 1) -> None:
        self._days[(series, day)] += by  # written by flush()

    async def flush(self) -> None:
        if self._batched and self.session.info.get(BATCH) is self._sums:  # an event's share: the batch writes it
            return
        counters = [{"metric": m, "k1": a, "k2": b, "value": n} for (m, a, b), n in self._counters.items() if n]
        days = [{"series": s, "day": d, "value": n} for (s, d), n in self._days.items() if n]
        self._counters.clear()
        self._days.clear()
        if counters:
            await self.session.execute(_upsert(self.session, DashCounterRow, ["metric", "k1", "k2"]), counters)
        if days:
            await self.session.execute(_upsert(self.session, DashDayRow, ["series", "day"]), days)
        buckets = [{"metric": m, "bucket": b, "value": n} for (m, b), n in self._sums.histogram.items() if n]
        self._sums.histogram.clear()
        if buckets:
            await self.session.execute(_upsert(self.session, DashHistogramRow, ["metric", "bucket"]), buckets)

    async def flush_batch(self) -> None:
        """The batch's sums, once, at its commit; the session leaves batch mode."""
        if self.session.info.get(BATCH) is self._sums:
            del self.session.info[BATCH]
        await self.flush()

    async def bump_histogram(self, metric: str, bucket: int, by: int = 1) -> None:
        self._sums.histogram[(metric, bucket)] += by  # written by flush()

    async def counters(self) -> list[tuple[str, str, str, int]]:
        q = select(DashCounterRow.metric, DashCounterRow.k1, DashCounterRow.k2, DashCounterRow.value)
        return [tuple(r) for r in await self.session.execute(q.where(DashCounterRow.value != 0))]  # type: ignore[misc]

    async def days(self) -> list[tuple[str, date, int]]:
        q = select(DashDayRow.series, DashDayRow.day, DashDayRow.value).where(DashDayRow.value != 0)
        return [tuple(r) for r in await self.session.execute(q)]  # type: ignore[misc]

    async def histogram(self, metric: str) -> list[tuple[int, int]]:
        q = select(DashHistogramRow.bucket, DashHistogramRow.value).where(
            DashHistogramRow.metric == metric, DashHistogramRow.value > 0).order_by(DashHistogramRow.bucket)
        return [tuple(r) for r in await self.session.execute(q)]  # type: ignore[misc]

    async def row(self, item_id: str) -> Any | None:
        """One item as a plain row (no ORM object: it outlives the session)."""
        return (await self.session.execute(select(*_COLUMNS).where(DashItemRow.item_id == item_id))).first()

    async def find(self, f: ItemFilter, limit: int, offset: int) -> list[Any]:
        """Plain rows, like ``row``."""
        return list(await self.session.execute(f.query(select(*_COLUMNS)).limit(limit).offset(offset)))

    async def stream(self, f: ItemFilter, chunk: int = 1000) -> AsyncIterator[list[Any]]:
        """Plain rows (no ORM objects: cheaper by far for exports), ``chunk`` at a time from a server-side cursor."""
        q = f.query(select(*_COLUMNS)).execution_options(yield_per=chunk)
        result = await self.session.stream(q)
        async for part in result.partitions(chunk):
            yield list(part)


SORTS = {"since": DashItemRow.stage_since, "unit": DashItemRow.item_id, "owner": DashItemRow.owner_id,
         "due": DashItemRow.due_at}


@dataclass(frozen=True)
class ItemFilter:
    """What the desk's tables filter and sort on; every combination is served by an index."""
    stage: str | None = None
    state: tuple[str, ...] = ()
    owner_id: str | None = None
    kind: str | None = None
    due_kind: str | None = None
    search: str | None = None
    """a serial, part number, unit or item id, exactly as scanned or typed (each has an index)"""
    sort: str = "since"
    descending: bool = False

    def query(self, q: Select[Any]) -> Select[Any]:
        r = DashItemRow
        if self.search:
            term = self.search.strip()
            q = q.where(or_(r.serial_number == term, r.part_number == term, r.item_id == term, r.unit_id == term))
        for column, value in ((r.stage, self.stage), (r.owner_id, self.owner_id), (r.kind, self.kind),
                              (r.due_kind, self.due_kind)):
            if value:
                q = q.where(column == value)
        if self.state:
            q = q.where(r.state.in_(self.state))
        by: Any = SORTS.get(self.sort, r.stage_since)
        order = by.desc() if self.descending else by.asc()
        return q.order_by(order, r.item_id.desc() if self.descending else r.item_id)
