"""What the operators watch of partners: the webhook backlog and how far the journal trails the events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partners.db.journal import JOURNAL_TABLE
from services.partners.db.webhooks import WebhookDeliveryRow, WebhookEndpointRow

D = WebhookDeliveryRow.__table__
E = WebhookEndpointRow.__table__
J = JOURNAL_TABLE


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_pending: datetime | None  # when the oldest pending delivery was queued
    endpoints_failing: int           # enabled endpoints with a pending delivery already tried and refused
    endpoints_disabled: int
    newest_event: datetime | None    # ce_time of the last journaled event
    newest_recorded: datetime | None  # when partners journaled it


async def read(session: AsyncSession) -> Backlog:
    pending, oldest, failing = (await session.execute(
        select(func.count(), func.min(D.c.created_at),
               func.count(func.distinct(case((D.c.attempts > 0, D.c.endpoint_id)))))
        .where(D.c.status == "pending"))).one()
    disabled = await session.scalar(select(func.count()).select_from(E).where(E.c.enabled.is_(False)))
    newest = (await session.execute(select(J.c.occurred_at, J.c.recorded_at).order_by(J.c.seq.desc()).limit(1))).first()
    return Backlog(int(pending), oldest, int(failing), int(disabled or 0),
                   newest[0] if newest else None, newest[1] if newest else None)
