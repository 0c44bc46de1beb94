"""Repair's tables: work orders and their history, labour, tests, reference data; stock; messaging."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NotRequired

from sqlalchemy import JSON, Integer, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column
from typing_extensions import TypedDict

from services.kit.db import UtcDateTime
from services.kit.idempotency import idempotency_table
from services.repair.db.base import Audited, Base
from services.repair.db.stock_tables import (
    ConsumptionRow,
    ExpectedPartsRow,
    OldPartRow,
    PartsReceiptRow,
    ReservationRow,
    StockLotRow,
)
from shared.messaging.tables import BIGINT, messaging_tables, sequence_tables

__all__ = [
    "ConsumptionRow",
    "ExpectedPartsRow",
    "FailureCodeRow",
    "LabourEntryRow",
    "OldPartRow",
    "OwnerAgreementRow",
    "PartsReceiptRow",
    "ReservationRow",
    "StockLotRow",
    "TestRecordRow",
    "WorkOrderHistoryRow",
    "WorkOrderRow",
    "dead_letters",
    "idempotency_keys",
    "inbox",
    "metadata",
    "outbox",
]
Money = Numeric(18, 2)


class WorkOrderRow(Audited, Base):
    __tablename__ = "work_orders"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36), unique=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    serial_number: Mapped[str] = mapped_column(String(100))
    part_number: Mapped[str] = mapped_column(String(100), server_default="")
    hs_code: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(10))
    warranty: Mapped[bool] = mapped_column(server_default=false())
    fault_description: Mapped[str] = mapped_column(Text, server_default="")
    state: Mapped[str] = mapped_column(String(32), index=True)
    technician: Mapped[str | None] = mapped_column(String(200), index=True)
    failure_codes: Mapped[list[str] | None] = mapped_column(JSON)
    findings: Mapped[str | None] = mapped_column(Text)
    no_fault_found: Mapped[bool | None]
    diagnosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    diagnosed_by: Mapped[str | None] = mapped_column(String(200))
    quote_status: Mapped[str | None] = mapped_column(String(16))
    quote_repair_fee: Mapped[Decimal | None] = mapped_column(Money)
    quote_parts_estimate: Mapped[Decimal | None] = mapped_column(Money)
    quote_currency: Mapped[str | None] = mapped_column(String(3))
    quote_issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    quote_issued_by: Mapped[str | None] = mapped_column(String(200))
    quote_skip_reason: Mapped[str | None] = mapped_column(String(32))
    quote_decided_by: Mapped[str | None] = mapped_column(String(200))
    quote_decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    quote_note: Mapped[str | None] = mapped_column(Text)
    last_test_passed: Mapped[bool | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    repair_fee: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    labour_minutes: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))


class WorkOrderHistoryRow(Base):
    __tablename__ = "work_order_history"
    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")


class LabourEntryRow(Audited, Base):
    __tablename__ = "labour_entries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    work_order_id: Mapped[str] = mapped_column(String(36), index=True)
    technician: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class MeasurementDoc(TypedDict):
    """One element of ``test_records.measurements`` (JSON), as ``dataclasses.asdict`` writes a ``Measurement``."""
    name: str
    value: float
    unit: NotRequired[str]
    lower: NotRequired[float | None]
    upper: NotRequired[float | None]


class TestRecordRow(Audited, Base):
    __tablename__ = "test_records"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1 for a work order's first test
    work_order_id: Mapped[str] = mapped_column(String(36), index=True)
    procedure: Mapped[str] = mapped_column(String(200))
    measurements: Mapped[list[MeasurementDoc]] = mapped_column(JSON, default=list)
    passed: Mapped[bool]
    tested_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    tested_by: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("work_order_id", "seq", name="uq_test_records_work_order_seq"),)


class FailureCodeRow(Base):
    __tablename__ = "failure_codes"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OwnerAgreementRow(Audited, Base):
    __tablename__ = "owner_agreements"
    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    skip_quote: Mapped[bool]
    reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


outbox, inbox, dead_letters = messaging_tables(Base.metadata)
sequences = sequence_tables(Base.metadata)
idempotency_keys = idempotency_table(Base.metadata)
metadata = Base.metadata
