"""Partners' gauges on ``/metrics``, read from its database at every scrape (``ServiceDefinition.scrape``)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy.ext.asyncio import AsyncSession

from services.partners.db import backlog
from shared.clock import utc_now


def _seconds(since: datetime | None, until: datetime | None = None) -> float:
    if since is None:
        return 0.0
    until = until or utc_now()
    aware = [t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (since, until)]
    return max(0.0, (aware[1] - aware[0]).total_seconds())


def gauges(registry: CollectorRegistry) -> Callable[[AsyncSession], Awaitable[None]]:
    pending = Gauge("bondline_webhook_backlog", "Webhook deliveries pending (queued, or waiting for a retry)",
                    registry=registry)
    oldest = Gauge("bondline_webhook_oldest_pending_age_seconds",
                   "Age of the oldest pending webhook delivery (0: none pending)", registry=registry)
    failing = Gauge("bondline_webhook_endpoints_failing",
                    "Enabled endpoints with a pending delivery that their receiver already refused", registry=registry)
    disabled = Gauge("bondline_webhook_endpoints_disabled", "Endpoints disabled (a 410 Gone, or by their owner)",
                     registry=registry)
    lag = Gauge("bondline_journal_lag_seconds",
                "How long after it happened (ce_time) the newest journaled event was journaled", registry=registry)
    idle = Gauge("bondline_journal_last_event_age_seconds", "Time since the newest journaled event was journaled",
                 registry=registry)

    async def refresh(session: AsyncSession) -> None:
        b = await backlog.read(session)
        pending.set(b.pending)
        oldest.set(_seconds(b.oldest_pending))
        failing.set(b.endpoints_failing)
        disabled.set(b.endpoints_disabled)
        lag.set(_seconds(b.newest_event, b.newest_recorded))
        idle.set(_seconds(b.newest_recorded))

    return refresh
