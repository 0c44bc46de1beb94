"""Table factories for the outbox, the inbox and the dead-letter table.

Every service builds these into its own metadata; its own migrations create them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, MetaData,
                        String, Table, Text)

BIGINT = BigInteger().with_variant(Integer(), "sqlite")
UTC_TIME = DateTime(timezone=True)


def _outbox_columns() -> list[Any]:
    return [
        Column("id", BIGINT, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("type", String(200), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UTC_TIME, nullable=False),
        Column("published_at", UTC_TIME, nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
    ]


def _inbox_columns() -> list[Any]:
    return [
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(100), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", UTC_TIME, nullable=False),
    ]


def _dead_letter_columns() -> list[Any]:
    return [
        Column("id", BIGINT, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("key", Text, nullable=True),
        Column("headers", JSON, nullable=False),
        Column("value", Text, nullable=True),
        Column("event_id", String(100), nullable=True),
        Column("event_type", String(200), nullable=True),
        Column("reason", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("failed_at", UTC_TIME, nullable=False),
        Column("sent_to_topic", Boolean, nullable=False, server_default="0"),
        Column("replayed_at", UTC_TIME, nullable=True),
    ]


def messaging_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    outbox = Table("outbox", metadata, *_outbox_columns(),
                   Index("ix_outbox_unpublished", "published_at", "id"))
    inbox = Table("inbox", metadata, *_inbox_columns())
    dead = Table("dead_letters", metadata, *_dead_letter_columns(),
                 Index("ix_dead_letters_failed_at", "failed_at"))
    return outbox, inbox, dead
