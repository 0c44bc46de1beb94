"""Unit of work: the domain change and its outgoing events commit in one transaction."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY, Payload
from shared.messaging import tracing
from shared.messaging.outbox import OutboxSignal, stage


class SqlUnitOfWork:
    """Base for each service's unit of work. Subclasses add repositories in ``_open``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table,
                 signal: OutboxSignal, source: str, notify_remote: bool = False) -> None:
        self._sessions, self._outbox, self._signal, self._source = sessions, outbox, signal, source
        self._notify_remote = notify_remote  # PostgreSQL NOTIFY for a relay in another process
        self._pending: list[CloudEvent] = []
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self.actor: str | None = None

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._pending, self._before_commit = [], []
        self._open(self.session)
        return self

    def _open(self, session: AsyncSession) -> None:
        """Hook for subclasses: build repositories on the session."""

    async def __aexit__(self, *exc: Any) -> None:
        await self.session.rollback()
        await self.session.close()

    def publish(self, *payloads: Payload) -> list[CloudEvent]:
        # stamped now, inside the span of the work that causes them (the batch path commits outside it)
        events = [tracing.stamped(REGISTRY.to_event(p, self._source, self.actor)) for p in payloads]
        self._pending.extend(events)
        return events

    def before_commit(self, write: Callable[[], Awaitable[None]]) -> None:
        """Have ``write`` run first thing at ``commit`` (repositories that hold writes in memory, e.g. a consumer
        batch's read models, flush there); forgotten at the end of the transaction."""
        self._before_commit.append(write)

    async def commit(self) -> None:
        writes, self._before_commit = self._before_commit, []
        for write in writes:
            await write()
        await stage(self.session, self._outbox, self._pending, self._notify_remote and bool(self._pending))
        await self.session.commit()
        if self._pending:
            self._signal.notify()
        self._pending = []

    async def rollback(self) -> None:
        self._pending, self._before_commit = [], []
        await self.session.rollback()
