"""PostgreSQL helpers for the relay: a leader lease and a LISTEN wake-up across processes."""
from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    import asyncpg  # imported when a listener starts: SQLite deployments need no asyncpg

log = logging.getLogger("bondline.relay")


class AdvisoryLease:
    """Only the relay holding this session-level advisory lock publishes."""

    def __init__(self, engine: AsyncEngine, name: str, check_every_s: float = 5.0) -> None:
        self._engine, self._key = engine, zlib.crc32(name.encode()) & 0x7FFFFFFF
        self._conn: AsyncConnection | None = None
        self._check_every, self._checked_at = check_every_s, 0.0

    async def acquire(self) -> bool:
        now = time.monotonic()
        if self._conn is not None and now - self._checked_at < self._check_every:
            return True  # held and recently confirmed; a lost lease shows on the next check
        self._checked_at = now
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception:  # noqa: BLE001 - a dead lease connection means the lease is lost
                log.warning("relay lease connection lost")
                await self.release()
        conn = await (await self._engine.connect()).execution_options(isolation_level="AUTOCOMMIT")
        if await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}):
            self._conn = conn
            return True
        await conn.close()
        return False

    @property
    def connection(self) -> AsyncConnection | None:
        """The lease's own AUTOCOMMIT connection while held: the relay runs its statements on it
        (no pool checkout, no BEGIN/COMMIT round trips)."""
        return self._conn

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                log.debug("lease close failed")


class PgListener:
    """LISTEN on the outbox channel so a relay in another process wakes on commit."""

    def __init__(self, engine: AsyncEngine, channel: str, on_notify: Callable[[], None]) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._channel, self._on_notify = channel, on_notify
        self._conn: asyncpg.Connection | None = None

    async def start(self) -> None:
        import asyncpg

        self._conn = conn = await asyncpg.connect(self._dsn)
        await conn.add_listener(self._channel, lambda *_: self._on_notify())

    async def stop(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.close(timeout=5)
            except Exception:  # noqa: BLE001
                log.debug("listener close failed")
            self._conn = None
