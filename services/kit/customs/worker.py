"""The customs worker, run beside a service's relay: sends the messages that wait and reads the receipt feed.

Without a platform URL it does nothing (filings wait, and say so). On PostgreSQL one instance works at a time: the
one holding the service's advisory lock on a connection of its own (the others try again every round), so two
instances never read the feed at once."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.kit.customs.platform import HttpPlatform, Platform, PlatformError

log = logging.getLogger("bondline.customs")
Round = Callable[[Any, Platform], Awaitable[tuple[int, int]]]


async def run(rt: Any, stop: asyncio.Event, url: str | None, interval_s: float, step: Round, lock_key: int,
              platform: Platform | None = None) -> None:
    """Until ``stop``: each round, if this instance leads, ``step(rt, platform)``."""
    if platform is None and not url:
        log.info("no customs platform configured (%s_CUSTOMS_PLATFORM_URL): filings wait unsent", rt.d.name.upper())
        return
    own = platform is None
    platform = platform or HttpPlatform(url or "")
    lead = Leadership(rt, lock_key)
    try:
        while not stop.is_set():
            if await lead.holds():
                await step(rt, platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)
    finally:
        await lead.release()
        if own and isinstance(platform, HttpPlatform):
            await platform.close()


async def guarded(send: Callable[[], Awaitable[int]], poll: Callable[[], Awaitable[int]]) -> tuple[int, int]:
    """One round: what waits goes out, what came back is applied; a platform or database that is away is tried
    again on the next round."""
    try:
        return await send(), await poll()
    except PlatformError as exc:
        log.warning("customs platform: %s", exc)
    except Exception as exc:  # noqa: BLE001 - the database may be briefly away; the next round tries again
        log.warning("customs worker round failed: %r", exc)
    return 0, 0


class Leadership:
    """On PostgreSQL: the session advisory lock ``key``, taken once on a connection of its own and checked every round
    (a lost connection loses the lock with it: the worker steps down and tries again); elsewhere always held."""

    def __init__(self, rt: Any, key: int) -> None:
        self.rt, self.key, self.held = rt, key, not rt.is_postgres
        self.conn: AsyncConnection | None = None

    async def holds(self) -> bool:
        if not self.rt.is_postgres:
            return True
        try:
            if self.conn is None:
                self.conn = await self.rt.engine.connect()
            if self.held:
                await self.conn.execute(text("SELECT 1"))  # still connected, so still holding the lock
            else:
                self.held = bool(await self.conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
        except Exception as exc:  # noqa: BLE001 - the database is away: step down, try again next round
            log.warning("customs worker: lost the database (%r); stepping down", exc)
            await self.release()
        return self.held

    async def release(self) -> None:
        conn, self.conn, self.held = self.conn, None, not self.rt.is_postgres
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
