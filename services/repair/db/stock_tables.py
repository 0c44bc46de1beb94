"""Spare parts stock, receipts, expected deliveries, reservations, consumptions and old parts."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.kit.db import UtcDateTime
from services.repair.db.base import Audited, Base
from shared.contract.events.common import Origin
from shared.messaging.tables import BIGINT

Money = Numeric(18, 2)


class StockLotRow(Base):
    __tablename__ = "stock_lots"
    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    part_number: Mapped[str] = mapped_column(String(100), index=True)
    lot: Mapped[str] = mapped_column(String(100))
    bonded: Mapped[bool]
    origin: Mapped[Origin] = mapped_column(String(10))  # written from StockLot.origin only
    hs_code: Mapped[str] = mapped_column(String(10))
    unit_value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    on_hand: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (UniqueConstraint("part_number", "lot", "bonded", name="uq_stock_lots_part_lot_bonded"),
                      CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
                      CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"))


class PartsReceiptRow(Audited, Base):
    __tablename__ = "parts_receipts"
    receipt_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    stock_lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExpectedPartsRow(Audited, Base):
    __tablename__ = "expected_parts"
    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    part_number: Mapped[str] = mapped_column(String(100), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    expected_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("remaining >= 0 AND remaining <= quantity", name="remaining_in_range"),)


class ReservationRow(Audited, Base):
    __tablename__ = "reservations"
    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(String(36), index=True)
    part_number: Mapped[str] = mapped_column(String(100), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    bonded: Mapped[bool | None]
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    released: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (CheckConstraint("consumed >= 0 AND consumed <= quantity", name="consumed_in_range"),)


class ConsumptionRow(Audited, Base):
    __tablename__ = "consumptions"
    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(String(36), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    consumed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OldPartRow(Audited, Base):
    __tablename__ = "old_parts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    work_order_id: Mapped[str] = mapped_column(String(36), index=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    part_number: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(10))
    removed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disposal_deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    route: Mapped[str | None] = mapped_column(String(32))
    document_no: Mapped[str | None] = mapped_column(String(64))
    disposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disposed_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
