"""Stocktakes and closed periods of the account book: each one aggregate, stored as one row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.tables import Base
from services.dispatch.domain.stocktake import Count, Handling, State, Stocktake
from services.kit.db import UtcDateTime
from services.kit.errors import Conflict


class StocktakeRow(Base):
    __tablename__ = "stocktakes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    location: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    book: Mapped[dict] = mapped_column(JSON)
    counts: Mapped[dict] = mapped_column(JSON)
    handled: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


class BookPeriodRow(Base):
    __tablename__ = "book_periods"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    book_no: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    report: Mapped[dict] = mapped_column(JSON)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_by: Mapped[str] = mapped_column(String(200))
    __table_args__ = (Index("ix_book_periods_book_since", "book_no", "since"),)


@dataclass(frozen=True)
class ClosedPeriod:
    id: str
    book_no: str
    since: datetime
    until: datetime
    report: dict[str, Any]
    closed_at: datetime
    closed_by: str


def _period(r: BookPeriodRow) -> ClosedPeriod:
    return ClosedPeriod(r.id, r.book_no, r.since, r.until, r.report, r.closed_at, r.closed_by)


def _to_row(s: Stocktake) -> dict[str, Any]:
    return {"location": s.location, "as_of": s.as_of, "state": s.state.value, "closed_at": s.closed_at,
            "book": {str(k): [str(q), serials] for k, (q, serials) in s.book.items()},
            "counts": {str(k): [str(c.quantity), c.serials] for k, c in s.counts.items()},
            "handled": {str(k): [h.value, note, by] for k, (h, note, by) in s.handled.items()}}


def _from_row(r: StocktakeRow) -> Stocktake:
    return Stocktake(
        r.id, r.location, r.as_of, {int(k): (Decimal(q), list(serials)) for k, (q, serials) in r.book.items()},
        State(r.state), {int(k): Count(int(k), Decimal(q), list(s)) for k, (q, s) in r.counts.items()},
        {int(k): (Handling(h), note, by) for k, (h, note, by) in r.handled.items()}, r.closed_at)


class StocktakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._versions: dict[str, int] = {}

    async def add(self, s: Stocktake, actor: str) -> None:
        self.session.add(StocktakeRow(id=s.id, created_by=actor, version=1, **_to_row(s)))
        await self.session.flush()

    async def get(self, stocktake_id: str, for_update: bool = False) -> Stocktake | None:
        q = select(StocktakeRow).where(StocktakeRow.id == stocktake_id)
        row = (await self.session.execute(q.with_for_update() if for_update else q)).scalar_one_or_none()
        if row is None:
            return None
        self._versions[row.id] = row.version
        return _from_row(row)

    async def save(self, s: Stocktake, actor: str | None = None) -> None:
        row = await self.session.get(StocktakeRow, s.id)
        assert row is not None
        if row.version != self._versions.get(s.id, row.version):
            raise Conflict(f"stocktake {s.id} changed meanwhile; read it again")
        for k, v in _to_row(s).items():
            setattr(row, k, v)
        row.version += 1
        if actor and s.closed_at:
            row.closed_by = actor
        await self.session.flush()

    async def recent(self, limit: int = 50) -> list[Stocktake]:
        q = select(StocktakeRow).order_by(StocktakeRow.as_of.desc()).limit(limit)
        return [_from_row(r) for r in (await self.session.execute(q)).scalars()]

    async def periods(self, book_no: str) -> list[ClosedPeriod]:
        q = select(BookPeriodRow).where(BookPeriodRow.book_no == book_no).order_by(BookPeriodRow.since)
        return [_period(r) for r in (await self.session.execute(q)).scalars()]

    async def period(self, period_id: str) -> ClosedPeriod | None:
        row = await self.session.get(BookPeriodRow, period_id)
        return _period(row) if row else None

    async def add_period(self, p: ClosedPeriod) -> None:
        self.session.add(BookPeriodRow(**vars(p)))
        await self.session.flush()
