"""Intake's customs worker, run beside its relay: sends the entry filings' messages that wait and reads the receipt
feed (the shared worker, ``services/kit/customs/worker.py``). Without ``INTAKE_CUSTOMS_PLATFORM_URL`` it does
nothing; on PostgreSQL one instance works at a time, holding ``CUSTOMS_LOCK``."""
from __future__ import annotations

import asyncio
from typing import Any

from services.intake.service import entry_filings
from services.kit.customs import worker
from services.kit.customs.platform import Platform

CUSTOMS_LOCK = 0x43555349  # "CUSI": intake's own (its database is its own too)


async def run_customs(rt: Any, stop: asyncio.Event, platform: Platform | None = None) -> None:
    s = rt.d.settings
    await worker.run(rt, stop, s.customs_platform_url, s.customs_poll_interval_s, step, CUSTOMS_LOCK, platform)


async def step(rt: Any, platform: Platform) -> tuple[int, int]:
    """One round: what waits goes out, what came back is applied."""
    rates = rt.d.settings.inspection_rates
    return await worker.guarded(lambda: entry_filings.send_pending(rt.uow, platform),
                                lambda: entry_filings.poll(rt.uow, platform, rates))
