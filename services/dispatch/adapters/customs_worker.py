"""The customs worker, run beside dispatch's relay: sends the messages that wait and reads the receipt feed.

Without ``DISPATCH_CUSTOMS_PLATFORM_URL`` it does nothing (filings wait, and say so). On PostgreSQL one instance
works at a time: the one holding the advisory lock ``CUSTOMS_LOCK`` on a connection of its own (the others try again
every round), so two instances never read the feed at once."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.adapters.customs_platform import HttpPlatform, Platform, PlatformError
from services.dispatch.service import filings

log = logging.getLogger("bondline.customs")
CUSTOMS_LOCK = 0x43555354  # "CUST"


async def run_customs(rt: Any, stop: asyncio.Event, platform: Platform | None = None) -> None:
    s = rt.d.settings
    if platform is None and not s.customs_platform_url:
        log.info("no customs platform configured (DISPATCH_CUSTOMS_PLATFORM_URL): exit filings wait unsent")
        return
    own = platform is None
    platform = platform or HttpPlatform(s.customs_platform_url)
    lead = Leadership(rt)
    try:
        while not stop.is_set():
            if await lead.holds():
                await step(rt, platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), s.customs_poll_interval_s)
    finally:
        await lead.release()
        if own and isinstance(platform, HttpPlatform):
            await platform.close()


class Leadership:
    """On PostgreSQL: the session advisory lock, taken once on a connection of its own and checked every round (a
    lost connection loses the lock with it: the worker steps down and tries again); elsewhere always held."""

    def __init__(self, rt: Any) -> None:
        self.rt, self.held = rt, not rt.is_postgres
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
                self.held = bool(await self.conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": CUSTOMS_LOCK}))
        except Exception as exc:  # noqa: BLE001 - the database is away: step down, try again next round
            log.warning("customs worker: lost the database (%r); stepping down", exc)
            await self.release()
        return self.held

    async def release(self) -> None:
        conn, self.conn, self.held = self.conn, None, not self.rt.is_postgres
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


async def step(rt: Any, platform: Platform) -> tuple[int, int]:
    """One round: what waits goes out, what came back is applied; a platform that is away is tried again later."""
    try:
        return await filings.send_pending(rt.uow, platform), await filings.poll(rt.uow, platform)
    except PlatformError as exc:
        log.warning("customs platform: %s", exc)
    except Exception as exc:  # noqa: BLE001 - the database may be briefly away; the next round tries again
        log.warning("customs worker round failed: %r", exc)
    return 0, 0
