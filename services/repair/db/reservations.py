"""Reservations of stock for work orders (waiting ones have no lot yet) and consumptions."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.repair.db.tables import ConsumptionRow, ReservationRow, StockLotRow
from services.repair.domain.stock import Reservation
from shared.contract.events.common import Origin
from shared.messaging.sql import rowcount

R, C, L = ReservationRow, ConsumptionRow, StockLotRow
FIELDS = tuple(f.name for f in fields(Reservation))


@dataclass(frozen=True)
class UsedPart:
    """Parts a work order consumed from one lot, with what the ledger and taxes need."""
    part_number: str
    lot: str
    quantity: int
    unit_value: Decimal
    currency: str
    origin: Origin
    hs_code: str
    bonded: bool


class ReservationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, work_order_id: str, part_number: str, quantity: int, bonded: bool | None,
                  lot_id: int | None, at: datetime, actor: str) -> int:
        return (await self.session.execute(insert(R).values(
            work_order_id=work_order_id, part_number=part_number, quantity=quantity, bonded=bonded, lot_id=lot_id,
            consumed=0, released=False, created_at=at, created_by=actor).returning(R.id))).scalar_one()

    async def for_work_order(self, work_order_id: str, part_number: str | None = None) -> list[Reservation]:
        q = select(R).where(R.work_order_id == work_order_id)
        if part_number:
            q = q.where(R.part_number == part_number)
        rows = await self.session.scalars(q.order_by(R.id).execution_options(populate_existing=True))
        return [Reservation(**{f: getattr(r, f) for f in FIELDS}) for r in rows]

    async def waiting(self, part_number: str) -> list[Reservation]:
        rows = await self.session.scalars(select(R).where(
            R.part_number == part_number, R.lot_id.is_(None), R.released.is_(False)).order_by(R.id)
            .execution_options(populate_existing=True))
        return [Reservation(**{f: getattr(r, f) for f in FIELDS}) for r in rows]

    async def shrink_waiting(self, reservation_id: int, n: int) -> bool:
        """Take ``n`` off a waiting reservation (they were reserved from a lot); drop it when it reaches 0."""
        result = await self.session.execute(update(R).where(
            R.id == reservation_id, R.lot_id.is_(None), R.released.is_(False), R.quantity >= n)
            .values(quantity=R.quantity - n))
        if rowcount(result) != 1:
            return False
        await self.session.execute(update(R).where(R.id == reservation_id, R.quantity == 0).values(released=True))
        return True

    async def consume(self, reservation_id: int, n: int) -> bool:
        result = await self.session.execute(update(R).where(
            R.id == reservation_id, R.lot_id.is_not(None), R.released.is_(False), R.quantity - R.consumed >= n)
            .values(consumed=R.consumed + n))
        return rowcount(result) == 1

    async def release(self, reservation_id: int) -> bool:
        result = await self.session.execute(update(R).where(R.id == reservation_id, R.released.is_(False))
                                            .values(released=True))
        return rowcount(result) == 1

    async def record_consumption(self, work_order_id: str, lot_id: int, reservation_id: int | None, n: int,
                                 at: datetime, actor: str) -> None:
        await self.session.execute(insert(C).values(
            work_order_id=work_order_id, lot_id=lot_id, reservation_id=reservation_id, quantity=n,
            consumed_at=at, created_by=actor))

    async def used(self, work_order_id: str) -> list[UsedPart]:
        cols = (L.part_number, L.lot, L.unit_value, L.currency, L.origin, L.hs_code, L.bonded)
        q = (select(*cols, func.sum(C.quantity)).join(L, L.id == C.lot_id).where(C.work_order_id == work_order_id)
             .group_by(*cols).order_by(L.part_number, L.lot))
        return [UsedPart(part_number=r[0], lot=r[1], unit_value=Decimal(r[2]), currency=r[3], origin=r[4],
                         hs_code=r[5], bonded=r[6], quantity=int(r[7])) for r in await self.session.execute(q)]
