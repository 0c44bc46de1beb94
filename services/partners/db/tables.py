"""Partners' tables: the declarative base, plus the messaging and idempotency tables every service has.

The journal and unit status (db/journal.py) and the webhooks (db/webhooks.py) register on this metadata.
Partners publishes no events (it has no topic): its outbox stays empty, there for the unit of work's shape.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase

from services.kit.db import NAMING
from services.kit.idempotency import idempotency_table
from shared.messaging.tables import UTC_TIME, messaging_tables, sequence_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


outbox, inbox, dead_letters = messaging_tables(Base.metadata)
sequences = sequence_tables(Base.metadata)
idempotency_keys = idempotency_table(Base.metadata)
metadata = Base.metadata
# one row per installation upgraded from a dispatch that held the journal and webhooks: what was taken, and when
legacy_imports = Table("legacy_imports", metadata,
                       Column("source", String(100), primary_key=True),
                       Column("imported_at", UTC_TIME, nullable=False),
                       Column("counts", JSON, nullable=False))
