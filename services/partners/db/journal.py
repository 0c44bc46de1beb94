"""Partners' journal of every event it consumed (all three services) and the per-unit status read model.

The journal is the source of unit timelines, the owners' event feed (its ``seq`` is the cursor) and webhook
deliveries. ``seq`` is the order partners consumed the events in; ``occurred_at`` (``ce_time``) and ``sequence``
(``ce_sequence``, the producer's per-unit counter, None on events older than it) say when each one happened, which
is how a unit's timeline is ordered (``TIMELINE_ORDER``). ``unit_status`` is one row per unit, kept current from
the same events.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.kit.db import UtcDateTime
from services.partners.db.tables import Base
from shared.messaging.tables import BIGINT

SEQ = BIGINT  # SQLite autoincrements INTEGER PRIMARY KEY only


class JournalRow(Base):
    __tablename__ = "journal"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict] = mapped_column(JSON)
    traceparent: Mapped[str | None] = mapped_column(String(55))  # the trace the webhook deliveries join
    tracestate: Mapped[str | None] = mapped_column(String(512))
    __table_args__ = (Index("ix_journal_unit_seq", "unit_id", "seq"),
                      Index("ix_journal_owner_seq", "owner_id", "seq"),
                      Index("ix_journal_unit_happened", "unit_id", "occurred_at", "source", "sequence", "seq"))


JOURNAL_TABLE = JournalRow.__table__
# A unit's timeline in the order its events happened, across the three services: ce_time, then the producer and its
# per-unit number where times tie, then the journal position. Events without a number (older than ce_sequence) come
# first among their ties, the same on SQLite and PostgreSQL (whose defaults for NULLs differ).
TIMELINE_ORDER = (JOURNAL_TABLE.c.occurred_at, JOURNAL_TABLE.c.source, JOURNAL_TABLE.c.sequence.asc().nulls_first(),
                  JOURNAL_TABLE.c.seq)


class UnitStatusRow(Base):
    __tablename__ = "unit_status"
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    part_number: Mapped[str | None] = mapped_column(String(100))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    origin: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(40))
    work_order_id: Mapped[str | None] = mapped_column(String(64))
    quote_pending: Mapped[bool] = mapped_column(default=False)
    last_event_type: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_unit_status_owner_unit", "owner_id", "unit_id"),
                      Index("ix_unit_status_stage_state", "stage", "state"))
