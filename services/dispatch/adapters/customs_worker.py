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
    async with contextlib.AsyncExitStack() as stack:
        leader = await stack.enter_async_context(rt.engine.connect()) if rt.is_postgres else None
        while not stop.is_set():
            if leader is None or await leader.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": CUSTOMS_LOCK}):
                await step(rt, platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), s.customs_poll_interval_s)
    if own and isinstance(platform, HttpPlatform):
        await platform.close()


async def step(rt: Any, platform: Platform) -> tuple[int, int]:
    """One round: what waits goes out, what came back is applied; a platform that is away is tried again later."""
    try:
        return await filings.send_pending(rt.uow, platform), await filings.poll(rt.uow, platform)
    except PlatformError as exc:
        log.warning("customs platform: %s", exc)
    except Exception as exc:  # noqa: BLE001 - the database may be briefly away; the next round tries again
        log.warning("customs worker round failed: %r", exc)
    return 0, 0
