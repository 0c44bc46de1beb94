"""Writing events to the outbox in the caller's transaction, and waking the relay on commit."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY


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
        except asyncio.TimeoutError:
            return False
        finally:
            self._event.clear()


_inserts: dict[Table, Any] = {}  # one INSERT statement per outbox table, built once


def notify_channel(table: Table) -> str:
    return f"bondline_{table.name}"


async def stage(session: AsyncSession, table: Table, events: Iterable[CloudEvent], notify: bool = False) -> int:
    """Insert events as outbox rows; they commit (or roll back) with the domain change.

    ``notify`` (PostgreSQL) also sends NOTIFY, delivered at commit, for a relay in another process.
    """
    now = datetime.now(timezone.utc)
    rows = [{
        "event_id": e.id, "topic": REGISTRY.spec_for_type(e.type).topic, "key": e.subject,
        "type": e.type, "headers": [[k, v.decode()] for k, v in e.headers()],
        "payload": e.value().decode(), "created_at": now,
    } for e in events]
    if not rows:
        return 0
    stmt = _inserts.get(table)
    if stmt is None:
        stmt = _inserts[table] = insert(table)
    await session.execute(stmt, rows)
    if notify:
        await session.execute(text(f"NOTIFY {notify_channel(table)}"))
    return len(rows)
