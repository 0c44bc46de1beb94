"""Dispatch's tables: SQLAlchemy 2 declarative models plus the messaging and idempotency tables."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Index, Integer, MetaData, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.kit.db import NAMING, UtcDateTime
from services.kit.idempotency import idempotency_table
from services.kit.projections import generations_table
from shared.messaging.tables import messaging_tables, sequence_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DispatchItemRow(Base):
    __tablename__ = "dispatch_items"
    item_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_group: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(32))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    part_number: Mapped[str | None] = mapped_column(String(100))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    origin: Mapped[str | None] = mapped_column(String(10))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    declared_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    in_catalogue: Mapped[bool] = mapped_column(default=True)
    own_products_only: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(32))
    repair_fee: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    repair_currency: Mapped[str | None] = mapped_column(String(3))
    parts_used: Mapped[list] = mapped_column(JSON, default=list)
    return_mode: Mapped[str | None] = mapped_column(String(4))
    disposal_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    awaiting_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    destination: Mapped[str | None] = mapped_column(String(32))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exit_documents: Mapped[dict] = mapped_column(JSON, default=dict)
    tax: Mapped[dict] = mapped_column(JSON, default=dict)
    history: Mapped[list] = mapped_column(JSON, default=list)
    shipment_id: Mapped[str | None] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))
    __table_args__ = (Index("ix_dispatch_items_state_since", "state", "awaiting_since"),)


class ShipmentRow(Base):
    __tablename__ = "shipments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    destination_country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str] = mapped_column(Text)
    incoterm: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(32), index=True)
    history: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


class DutyRateRow(Base):
    __tablename__ = "duty_rates"
    hs_prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(8, 5))
    description: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200))


class FxRateRow(Base):
    __tablename__ = "fx_rates"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    cny_per_unit: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    updated_by: Mapped[str] = mapped_column(String(200))



class DeskSessionRow(Base):
    """A desk sign-in: the cookie holds a random id, only its SHA-256 is stored; logout deletes the row."""
    __tablename__ = "desk_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str | None] = mapped_column(String(64))
    id_token: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


outbox, inbox, dead_letters = messaging_tables(Base.metadata)
sequences = sequence_tables(Base.metadata)
idempotency_keys = idempotency_table(Base.metadata)
projection_generations = generations_table(Base.metadata)
metadata = Base.metadata
