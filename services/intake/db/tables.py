"""Intake's tables: SQLAlchemy 2 declarative models plus the messaging and idempotency tables."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, MetaData, Numeric, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from typing_extensions import TypedDict

from services.intake.domain.units import GONE
from services.kit.db import NAMING, UtcDateTime
from services.kit.idempotency import idempotency_table
from shared.messaging.tables import messaging_tables, sequence_tables

# units whose serial is still in the zone's care: not in a state of domain.units.GONE
SERIAL_IN_ZONE = "state NOT IN ({})".format(", ".join(f"'{s.value}'" for s in GONE))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Audited:
    created_by: Mapped[str] = mapped_column(String(200))


class ContactDoc(TypedDict):
    """One element of ``owners.contacts`` (JSON), as ``dataclasses.asdict`` writes a domain ``Contact``."""
    name: str
    email: str | None
    phone: str | None


class OwnerRow(Audited, Base):
    __tablename__ = "owners"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    credit_tier: Mapped[str] = mapped_column(String(32))
    group_name: Mapped[str | None] = mapped_column(String(100))
    contacts: Mapped[list[ContactDoc]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(200))
    # when the owner.registered event went out (None: owners registered before the event existed, announced
    # once at the next start)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    customs_code: Mapped[str | None] = mapped_column(String(10))


class CatalogueVersionRow(Audited, Base):
    __tablename__ = "catalogue_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class CatalogueEntryRow(Base):
    __tablename__ = "catalogue_entries"
    version: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.version"), primary_key=True)
    hs_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    own_products_only: Mapped[bool] = mapped_column(default=False)


class ProhibitionRow(Base):
    __tablename__ = "catalogue_prohibitions"
    version: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.version"), primary_key=True)
    hs_prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)


class RepairRequestRow(Audited, Base):
    __tablename__ = "repair_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("owners.id"), index=True)
    origin: Mapped[str] = mapped_column(String(10))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    catalogue_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnitRow(Audited, Base):
    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(36), index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    serial_number: Mapped[str] = mapped_column(String(100))
    part_number: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    origin: Mapped[str] = mapped_column(String(10))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    declared_value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    warranty: Mapped[bool] = mapped_column(default=False)
    fault_description: Mapped[str] = mapped_column(Text, default="")
    maker_group: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(32), index=True)
    custody_location: Mapped[str] = mapped_column(String(64))
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    catalogue_version: Mapped[int | None] = mapped_column(Integer)
    declaration_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customs_released: Mapped[bool] = mapped_column(default=False)
    condition_notes: Mapped[str] = mapped_column(Text, default="")
    discrepancy: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(200))
    __table_args__ = (
        Index("ix_units_serial_number", "serial_number"),
        # a serial is in the zone once: concurrent requests cannot both announce it; once the unit is
        # rejected, withdrawn or has left the zone, the same serial may come back for another repair
        Index("uq_units_serial_in_zone", "serial_number", unique=True,
              sqlite_where=text(SERIAL_IN_ZONE), postgresql_where=text(SERIAL_IN_ZONE)),
    )


class UnitHistoryRow(Base):
    __tablename__ = "unit_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class DeclarationRow(Audited, Base):
    __tablename__ = "declarations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    bonded_inventory_list_no: Mapped[str] = mapped_column(String(18), unique=True)
    supervision_mode: Mapped[str] = mapped_column(String(4))
    gate_pass_no: Mapped[str] = mapped_column(String(32))
    gate_pass_type: Mapped[str] = mapped_column(String(1))
    origin: Mapped[str] = mapped_column(String(10))
    entry_record_list_no: Mapped[str | None] = mapped_column(String(32))
    export_declaration_no: Mapped[str | None] = mapped_column(String(32))
    selected: Mapped[bool] = mapped_column(default=False)
    selection_rate: Mapped[float] = mapped_column(Float)
    selection_draw: Mapped[float] = mapped_column(Float)
    credit_tier: Mapped[str] = mapped_column(String(32))
    methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    selected_by: Mapped[str] = mapped_column(String(16), default="bondline", server_default="bondline")
    inspection_result: Mapped[str | None] = mapped_column(String(16))
    inspection_method: Mapped[str | None] = mapped_column(String(16))
    seals: Mapped[list[str]] = mapped_column(JSON, default=list)
    inspection_notes: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class PartsReceiptRow(Audited, Base):
    __tablename__ = "parts_receipts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    part_number: Mapped[str] = mapped_column(String(100), index=True)
    lot: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    hs_code: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(10))
    bonded: Mapped[bool] = mapped_column(default=True)
    documents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


outbox, inbox, dead_letters = messaging_tables(Base.metadata)
sequences = sequence_tables(Base.metadata)
idempotency_keys = idempotency_table(Base.metadata)
metadata = Base.metadata
