"""The webhook delivery loop, a background worker beside the API (``ServiceDefinition.workers``)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from services.partners.adapters.webhook_sender import sender_for_settings
from services.partners.domain.webhooks import verdict
from services.partners.service.webhook_delivery import Policy, Sender, run_once

log = logging.getLogger("bondline.partners.webhooks")


class CountedSender:
    """A sender that counts its attempts by outcome on ``/metrics`` (delivered, retry, disable)."""

    def __init__(self, inner: Sender, registry: CollectorRegistry) -> None:
        self._inner = inner
        self.attempts = Counter("bondline_webhook_attempts", "Webhook delivery attempts by outcome", ["outcome"],
                                registry=registry)

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, str | None, int]:
        status, error, ms = await self._inner.send(url, headers, body)
        self.attempts.labels(verdict(status)).inc()
        return status, error, ms


async def run_webhooks(rt: Any, stop: asyncio.Event) -> None:
    s = rt.d.settings
    sender = CountedSender(sender_for_settings(s), rt.registry)
    policy = Policy(schedule=list(s.webhook_retry_schedule_s), concurrency=s.webhook_concurrency,
                    lease_s=max(60.0, 3 * s.webhook_timeout_s), skip_locked=rt.is_postgres)
    while not stop.is_set():
        try:
            sent = await run_once(rt.uow, sender, policy)
        except Exception as exc:  # noqa: BLE001 - the database may be briefly away; try again next round
            log.warning("webhook deliveries failed: %r", exc)
            sent = 0
        if sent == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), s.webhook_poll_interval_s)
