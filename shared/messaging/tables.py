"""Table factories for the outbox, the inbox and the dead-letter table.

Every service builds these into its own metadata; its own migrations create them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text

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
        Column("key_seq", BigInteger, nullable=True),  # ce_sequence: this key's n-th event (None: older rows)
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
        # how key, value and header values are stored: "utf-8" text, or "base64" when the record's bytes
        # are not text a database can hold (NUL bytes, invalid UTF-8); replay decodes them back
        Column("encoding", String(16), nullable=False, server_default="utf-8"),
    ]


def messaging_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    outbox = Table("outbox", metadata, *_outbox_columns(),
                   Index("ix_outbox_unpublished", "published_at", "id"),
                   Index("ix_outbox_key_seq", "key", "key_seq"))
    inbox = Table("inbox", metadata, *_inbox_columns())
    dead = Table("dead_letters", metadata, *_dead_letter_columns(),
                 Index("ix_dead_letters_failed_at", "failed_at"))
    return outbox, inbox, dead


@dataclass(frozen=True)
class SequenceTables:
    """Per-key sequence numbers: the producer's counters, and what each consumer has seen of them."""

    counters: Table   # producer: the last ce_sequence given to each key
    seen: Table       # consumer: the last sequence applied per (consumer, source, key)
    cursors: Table    # consumer: how far the periodic high-water check has looked, per source
    gaps: Table       # consumer: every gap found, recovered or lost, with its range


def sequence_tables(metadata: MetaData) -> SequenceTables:
    counters = Table("outbox_sequences", metadata,
                     Column("key", String(200), primary_key=True),
                     Column("last_seq", BigInteger, nullable=False))
    seen = Table("event_sequences", metadata,
                 Column("consumer", String(100), primary_key=True),
                 Column("source", String(200), primary_key=True),
                 Column("key", String(200), primary_key=True),
                 Column("last_seq", BigInteger, nullable=False))
    cursors = Table("event_cursors", metadata,
                    Column("consumer", String(100), primary_key=True),
                    Column("source", String(200), primary_key=True),
                    Column("after_id", BigInteger, nullable=False),
                    Column("checked_at", UTC_TIME, nullable=False))
    gaps = Table("event_gaps", metadata,
                 Column("id", BIGINT, primary_key=True, autoincrement=True),
                 Column("consumer", String(100), nullable=False),
                 Column("source", String(200), nullable=False),
                 Column("key", String(200), nullable=False),
                 Column("from_seq", BigInteger, nullable=False),
                 Column("to_seq", BigInteger, nullable=False),
                 Column("status", String(16), nullable=False),  # recovered | lost
                 Column("found_by", String(16), nullable=False),  # next_event | high_water
                 Column("detected_at", UTC_TIME, nullable=False),
                 Column("detail", Text, nullable=True),
                 Index("ix_event_gaps_status", "status", "detected_at"))
    return SequenceTables(counters, seen, cursors, gaps)
