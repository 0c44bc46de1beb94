"""The outbox relay: publishes unpublished rows in order, never drops one."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import utc_now
from shared.messaging import tracing
from shared.messaging.backoff import Backoff
from shared.messaging.metrics import MessagingMetrics
from shared.messaging.outbox import OutboxSignal
from shared.messaging.sql import rowcount

log = logging.getLogger("bondline.relay")


@dataclass
class RelayOptions:
    batch_size: int = 500
    poll_interval_s: float = 1.0        # fallback only: commits wake the relay at once
    retention: timedelta = timedelta(days=7)
    purge_every_s: float = 300.0
    rebuild_after_failures: int = 3


class Relay:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table,
                 make_producer: Callable[[], Any], signal: OutboxSignal, metrics: MessagingMetrics,
                 options: RelayOptions | None = None,
                 prepare: Callable[[], Awaitable[None]] | None = None, lease: Any = None) -> None:
        self._sessions, self._t, self._make_producer = sessions, table, make_producer
        self._signal, self._metrics, self._opt = signal, metrics, options or RelayOptions()
        self._prepare, self._lease = prepare, lease
        self._producer: Any = None
        self._last_purge = 0.0
        t = table  # the hot statements, built once
        self._unpublished = (select(t.c.id, t.c.event_id, t.c.type, t.c.topic, t.c.key, t.c.headers, t.c.payload)
                             .where(t.c.published_at.is_(None)).order_by(t.c.id).limit(bindparam("limit")))
        self._published = (update(t).where(t.c.id.in_(bindparam("ids", expanding=True)))
                           .values(published_at=bindparam("now")))

    async def run(self, stop: asyncio.Event) -> None:
        backoff, failures = Backoff(), 0
        while not stop.is_set():
            try:
                published = await self.step()
                backoff.reset()
                failures = 0
                if published < self._opt.batch_size:
                    # the batch emptied the backlog: rows committed since then have set the signal
                    # (in-process commit or NOTIFY), so wait for it instead of selecting again at once
                    await self._signal.wait(self._opt.poll_interval_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - logged, counted, retried with backoff
                failures += 1
                self._metrics.publish_failures.inc()
                log.warning("relay publish failed (%d in a row): %r", failures, exc)
                if failures % self._opt.rebuild_after_failures == 0:
                    await self._drop_producer()
                await _sleep_unless(stop, backoff.next_delay())
        await self._drop_producer()
        if self._lease is not None:
            await self._lease.release()

    async def step(self) -> int:
        """Publish one batch; returns how many rows were published."""
        if self._lease is not None and not await self._lease.acquire():
            return 0
        await self._purge_if_due()
        rows = await self._run(self._unpublished, {"limit": self._opt.batch_size}, rows=True)
        if not rows:
            return 0
        done, error = await self._send(rows)
        await self._mark(done, error)
        if error is not None:
            raise error[1]
        return len(done)

    async def _send(self, rows: Sequence[Any]) -> tuple[list[int], tuple[int, Exception] | None]:
        producer = await self._ensure_producer()
        futures, error = [], None
        for r in rows:
            try:
                with tracing.publishing(r.topic, r.event_id, r.type, r.headers):
                    fut = await producer.send(r.topic, value=r.payload.encode(), key=r.key.encode(),
                                              headers=[(k, v.encode()) for k, v in r.headers])
                fut.add_done_callback(_retrieved)  # those after a failure are never awaited
                futures.append((r.id, fut))
            except Exception as exc:  # noqa: BLE001 - stop at the first row that could not be sent
                error = (r.id, exc)
                break
        done: list[int] = []
        for row_id, fut in futures:
            try:
                await fut
            except Exception as exc:  # noqa: BLE001 - rows from here on are retried
                error = (row_id, exc)
                break
            done.append(row_id)
        return done, error

    async def _mark(self, done: list[int], error: tuple[int, Exception] | None) -> None:
        if done:
            await self._run(self._published, {"ids": done, "now": utc_now()})
        if error is not None:
            await self._run(update(self._t).where(self._t.c.id == error[0]).values(
                attempts=self._t.c.attempts + 1, last_error=repr(error[1])[:2000]))
        self._metrics.published.inc(len(done))

    async def _run(self, stmt: Any, params: dict[str, Any] | None = None, rows: bool = False) -> Sequence[Any]:
        """One statement, committed at once: on the lease's own connection when there is one, else in
        a short transaction from the pool."""
        conn = self._lease.connection if self._lease is not None else None
        if conn is not None:
            try:
                result = await conn.execute(stmt, params)
                return result.all() if rows else []
            except Exception:
                await self._lease.release()  # a broken lease connection: the lease is taken afresh
                raise
        async with self._sessions() as s, s.begin():
            result = await s.execute(stmt, params)
            return result.all() if rows else []

    async def _ensure_producer(self) -> Any:
        if self._producer is None:
            if self._prepare is not None:
                await self._prepare()
            producer = self._make_producer()
            try:
                await asyncio.wait_for(producer.start(), 15)
            except BaseException:
                await _stop(producer)
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            self._metrics.client_rebuilds.labels("producer").inc()
            await _stop(producer)

    async def _purge_if_due(self) -> None:
        loop_now = asyncio.get_running_loop().time()
        if loop_now - self._last_purge < self._opt.purge_every_s:
            return
        self._last_purge = loop_now
        cutoff = utc_now() - self._opt.retention
        await self._run(delete(self._t).where(self._t.c.published_at < cutoff))


async def replay(sessions: async_sessionmaker[AsyncSession], table: Table, since: datetime) -> int:
    """Mark rows created since ``since`` unpublished, so the relay sends them again."""
    async with sessions() as s, s.begin():
        result = await s.execute(update(table).where(table.c.created_at >= since,
                                                     table.c.published_at.is_not(None))
                                 .values(published_at=None))
        return rowcount(result) or 0


def _retrieved(fut: asyncio.Future[Any]) -> None:
    """Marks a send's outcome as read, so a future left unawaited after a failed row (the rows after it
    are sent again) is not logged as "Future exception was never retrieved"."""
    if not fut.cancelled():
        fut.exception()


async def _stop(client: Any) -> None:
    try:
        await asyncio.wait_for(client.stop(), 5)
    except Exception as exc:  # noqa: BLE001 - a broken client must not block the rebuild
        log.debug("producer stop failed: %r", exc)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
