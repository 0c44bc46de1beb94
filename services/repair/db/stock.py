"""Stock lots: every change is a conditional UPDATE whose row count is checked, so stock never goes negative."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.repair.db.tables import ExpectedPartsRow, PartsReceiptRow, ReservationRow, StockLotRow
from services.repair.domain.stock import ExpectedDelivery, PartPosition, StockLot
from shared.messaging.sql import rowcount

LOT_FIELDS = tuple(f.name for f in fields(StockLot))
EXPECTED_FIELDS = tuple(f.name for f in fields(ExpectedDelivery))
L = StockLotRow


class StockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lots(self, part_number: str | None = None, bonded: bool | None = None, free_only: bool = False,
                   limit: int = 500, offset: int = 0) -> list[StockLot]:
        """Oldest first (the order parts are drawn in)."""
        q = select(L)
        if part_number:
            q = q.where(L.part_number == part_number)
        if bonded is not None:
            q = q.where(L.bonded == bonded)
        if free_only:
            q = q.where(L.on_hand - L.reserved > 0)
        q = q.order_by(L.part_number, L.received_at, L.id).limit(limit).offset(offset)
        return [_lot(r) for r in await self.session.scalars(q.execution_options(populate_existing=True))]

    async def lot(self, lot_id: int) -> StockLot | None:
        row = await self.session.get(L, lot_id, populate_existing=True)
        return _lot(row) if row else None

    async def reserve(self, lot_id: int, n: int) -> bool:
        return await self._change(lot_id, L.on_hand - L.reserved >= n, reserved=L.reserved + n)

    async def release(self, lot_id: int, n: int) -> bool:
        return await self._change(lot_id, L.reserved >= n, reserved=L.reserved - n)

    async def consume_reserved(self, lot_id: int, n: int) -> bool:
        return await self._change(lot_id, (L.reserved >= n) & (L.on_hand >= n),
                                  on_hand=L.on_hand - n, reserved=L.reserved - n)

    async def consume_free(self, lot_id: int, n: int) -> bool:
        return await self._change(lot_id, L.on_hand - L.reserved >= n, on_hand=L.on_hand - n)

    async def _change(self, lot_id: int, condition: ColumnElement[bool], **values: object) -> bool:
        result = await self.session.execute(update(L).where(L.id == lot_id, condition).values(**values))
        return rowcount(result) == 1

    async def has_receipt(self, receipt_id: str) -> bool:
        return await self.session.get(PartsReceiptRow, receipt_id) is not None

    async def receive(self, receipt_id: str, lot: StockLot, documents: dict[str, str], actor: str) -> int:
        """Add a receipt to its lot (creating the lot)."""
        key = (L.part_number == lot.part_number, L.lot == lot.lot, L.bonded == lot.bonded)
        lot_id = await self.session.scalar(
            update(L).where(*key).values(on_hand=L.on_hand + lot.on_hand).returning(L.id))
        if lot_id is None:
            values = {f: getattr(lot, f) for f in LOT_FIELDS if f != "id"}
            lot_id = (await self.session.execute(insert(L).values(**values).returning(L.id))).scalar_one()
        self.session.add(PartsReceiptRow(receipt_id=receipt_id, stock_lot_id=lot_id, quantity=lot.on_hand,
                                         documents=documents, received_at=lot.received_at, created_by=actor))
        return lot_id

    async def position(self, part_number: str, bonded: bool | None = None) -> PartPosition:
        lot_q = select(func.coalesce(func.sum(L.on_hand), 0), func.coalesce(func.sum(L.reserved), 0)).where(
            L.part_number == part_number)
        if bonded is not None:
            lot_q = lot_q.where(L.bonded == bonded)
        on_hand, reserved = (await self.session.execute(lot_q)).one()
        expected = await self.session.scalar(select(func.coalesce(func.sum(ExpectedPartsRow.remaining), 0)).where(
            ExpectedPartsRow.part_number == part_number))
        R = ReservationRow
        waiting = await self.session.scalar(select(func.coalesce(func.sum(R.quantity), 0)).where(
            R.part_number == part_number, R.lot_id.is_(None), R.released.is_(False)))
        return PartPosition(part_number, int(on_hand), int(reserved), int(expected or 0), int(waiting or 0))

    async def expect(self, part_number: str, quantity: int, expected_by: datetime | None, note: str,
                     at: datetime, actor: str) -> int:
        return (await self.session.execute(insert(ExpectedPartsRow).values(
            part_number=part_number, quantity=quantity, remaining=quantity, expected_by=expected_by, note=note,
            created_at=at, created_by=actor).returning(ExpectedPartsRow.id))).scalar_one()

    async def expected(self, part_number: str | None, open_only: bool = True) -> list[ExpectedDelivery]:
        E = ExpectedPartsRow
        q = select(E).order_by(E.created_at, E.id)
        if part_number:
            q = q.where(E.part_number == part_number)
        if open_only:
            q = q.where(E.remaining > 0)
        return [ExpectedDelivery(**{f: getattr(r, f) for f in EXPECTED_FIELDS}) for r in await self.session.scalars(q)]

    async def arrived(self, part_number: str, quantity: int) -> None:
        """Deliveries expected for this part shrink by what arrived, oldest first."""
        E = ExpectedPartsRow
        rows = (await self.session.execute(select(E.id, E.remaining).where(
            E.part_number == part_number, E.remaining > 0).order_by(E.created_at, E.id))).all()
        for row_id, remaining in rows:
            take = min(quantity, remaining)
            if take <= 0:
                return
            result = await self.session.execute(update(E).where(E.id == row_id, E.remaining >= take)
                                                .values(remaining=E.remaining - take))
            quantity -= take if rowcount(result) == 1 else 0


def _lot(r: StockLotRow) -> StockLot:
    values = {f: getattr(r, f) for f in LOT_FIELDS}
    values["unit_value"] = Decimal(values["unit_value"])
    return StockLot(**values)
