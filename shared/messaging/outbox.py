"""Writing events to the outbox in the caller's transaction, and waking the relay on commit."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, func, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY
from shared.messaging import tracing
from shared.messaging.sql import upsert


class OutboxSignal:
    """Wakes the in-process relay when a transaction with outbox rows commits."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._event.clear()


_inserts: dict[tuple[Table, bool], Any] = {}  # one INSERT statement per outbox table (and NOTIFY or not), built once


def notify_channel(table: Table) -> str:
    return f"bondline_{table.name}"


COUNTERS = "outbox_sequences"  # the table of per-key counters beside every outbox (tables.sequence_tables)


_counter_upserts: dict[tuple[str, Table], Any] = {}


def _counter_upsert(session: AsyncSession, counters: Table) -> Any:
    """``last_seq = last_seq + n`` for each key given, returning the keys' new values; built once per database kind.
    Executed with many rows it is one statement (SQLAlchemy's insertmanyvalues)."""
    dialect = session.bind.dialect.name if session.bind is not None else ""
    stmt = _counter_upserts.get((dialect, counters))
    if stmt is None:
        base = upsert(session, counters)
        stmt = _counter_upserts[(dialect, counters)] = base.on_conflict_do_update(
            index_elements=[counters.c.key], set_={"last_seq": counters.c.last_seq + base.excluded.last_seq},
        ).returning(counters.c.key, counters.c.last_seq)
    return stmt


async def assign_sequences(session: AsyncSession, counters: Table, events: list[CloudEvent]) -> list[CloudEvent]:
    """Give each event the next ce_sequence of its key, in the caller's transaction.

    One upsert for all the keys, a row per key (``last_seq = last_seq + n``): on PostgreSQL its row lock makes a second
    transaction on the same unit wait until the first commits, so a key's numbers follow commit order
    with no gaps; a transaction that rolls back takes its numbers with it. Keys go in sorted order so
    that two transactions on the same units cannot deadlock.
    """
    counts = Counter(e.subject for e in events)
    rows = [{"key": key, "last_seq": counts[key]} for key in sorted(counts)]
    result = await session.execute(_counter_upsert(session, counters), rows)  # one INSERT ... VALUES (..), (..)
    first = {key: last - counts[key] + 1 for key, last in result.all()}
    numbered = []
    for e in events:
        numbered.append(replace(e, sequence=first[e.subject]))
        first[e.subject] += 1
    return numbered


async def stage(session: AsyncSession, table: Table, events: Iterable[CloudEvent], notify: bool = False) -> int:
    """Insert events as outbox rows; they commit (or roll back) with the domain change.

    Each event gets its key's next ce_sequence when the outbox has its counters table beside it.
    ``notify`` (PostgreSQL) also sends NOTIFY, delivered at commit, for a relay in another process.
    """
    events = [tracing.stamped(e) for e in events]
    if not events:
        return 0
    counters = table.metadata.tables.get(COUNTERS)
    if counters is not None:
        events = await assign_sequences(session, counters, events)
    now = utc_now()
    rows = [{
        "event_id": e.id, "topic": REGISTRY.spec_for_type(e.type).topic, "key": e.subject,
        "type": e.type, "headers": [[k, v.decode()] for k, v in e.headers()],
        "payload": e.value().decode(), "created_at": now, "key_seq": e.sequence,
    } for e in events]
    stmt = _inserts.get((table, notify))
    if stmt is None:
        stmt = insert(table)
        if notify:  # pg_notify in the INSERT itself: no round trip of its own (PostgreSQL sends it once, at commit)
            stmt = stmt.returning(func.pg_notify(notify_channel(table), ""))
        _inserts[(table, notify)] = stmt
    result = await session.execute(stmt, rows)
    if notify:
        result.all()
    return len(rows)
