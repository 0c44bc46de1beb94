"""Dispatch's customs worker, run beside its relay: sends the exit filings' messages that wait and reads the receipt
feed (the shared worker, ``services/kit/customs/worker.py``). Without ``DISPATCH_CUSTOMS_PLATFORM_URL`` it does
nothing (filings wait, and say so); on PostgreSQL one instance works at a time, holding ``CUSTOMS_LOCK``."""
from __future__ import annotations

import asyncio
from typing import Any

from services.dispatch.service import filings
from services.kit.customs import worker
from services.kit.customs.platform import Platform

CUSTOMS_LOCK = 0x43555354  # "CUST"


async def run_customs(rt: Any, stop: asyncio.Event, platform: Platform | None = None) -> None:
    s = rt.d.settings
    await worker.run(rt, stop, s.customs_platform_url, s.customs_poll_interval_s, step, CUSTOMS_LOCK, platform)


class Leadership(worker.Leadership):
    def __init__(self, rt: Any) -> None:
        super().__init__(rt, CUSTOMS_LOCK)


async def step(rt: Any, platform: Platform) -> tuple[int, int]:
    """One round: what waits goes out, what came back is applied."""
    return await worker.guarded(lambda: filings.send_pending(rt.uow, platform),
                                lambda: filings.poll(rt.uow, platform))
