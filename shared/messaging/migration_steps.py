"""Alembic steps for the messaging tables, shared by every service's own migration history.

Each service's revision calls these, so the outbox, inbox and sequence tables stay the same everywhere.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from shared.messaging.tables import BIGINT, UTC_TIME


def add_event_sequences(op: Any) -> None:
    """Per-key ce_sequence on the outbox, the consumers' view of it, gaps, and dead-letter encoding."""
    with op.batch_alter_table("outbox") as b:
        b.add_column(sa.Column("key_seq", sa.BigInteger(), nullable=True))
        b.create_index("ix_outbox_key_seq", ["key", "key_seq"], unique=False)
    with op.batch_alter_table("dead_letters") as b:
        b.add_column(sa.Column("encoding", sa.String(16), server_default="utf-8", nullable=False))
    op.create_table("outbox_sequences",
                    sa.Column("key", sa.String(200), nullable=False),
                    sa.Column("last_seq", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("key", name=op.f("pk_outbox_sequences")))
    op.create_table("event_sequences",
                    sa.Column("consumer", sa.String(100), nullable=False),
                    sa.Column("source", sa.String(200), nullable=False),
                    sa.Column("key", sa.String(200), nullable=False),
                    sa.Column("last_seq", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("consumer", "source", "key", name=op.f("pk_event_sequences")))
    op.create_table("event_cursors",
                    sa.Column("consumer", sa.String(100), nullable=False),
                    sa.Column("source", sa.String(200), nullable=False),
                    sa.Column("after_id", sa.BigInteger(), nullable=False),
                    sa.Column("checked_at", UTC_TIME, nullable=False),
                    sa.PrimaryKeyConstraint("consumer", "source", name=op.f("pk_event_cursors")))
    op.create_table("event_gaps",
                    sa.Column("id", BIGINT, autoincrement=True, nullable=False),
                    sa.Column("consumer", sa.String(100), nullable=False),
                    sa.Column("source", sa.String(200), nullable=False),
                    sa.Column("key", sa.String(200), nullable=False),
                    sa.Column("from_seq", sa.BigInteger(), nullable=False),
                    sa.Column("to_seq", sa.BigInteger(), nullable=False),
                    sa.Column("status", sa.String(16), nullable=False),
                    sa.Column("found_by", sa.String(16), nullable=False),
                    sa.Column("detected_at", UTC_TIME, nullable=False),
                    sa.Column("detail", sa.Text(), nullable=True),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_event_gaps")))
    op.create_index("ix_event_gaps_status", "event_gaps", ["status", "detected_at"], unique=False)


def drop_event_sequences(op: Any) -> None:
    op.drop_index("ix_event_gaps_status", table_name="event_gaps")
    for table in ("event_gaps", "event_cursors", "event_sequences", "outbox_sequences"):
        op.drop_table(table)
    with op.batch_alter_table("dead_letters") as b:
        b.drop_column("encoding")
    with op.batch_alter_table("outbox") as b:
        b.drop_index("ix_outbox_key_seq")
        b.drop_column("key_seq")
