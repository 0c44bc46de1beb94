"""Webhook endpoints, deliveries and attempts: rows to plain records and back."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.kit.errors import Conflict
from services.partners.db.webhooks import WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow
from services.partners.domain.webhooks import Secret
from shared.messaging.sql import rowcount


@dataclass
class Endpoint:
    id: str
    owner_id: str
    url: str
    description: str
    event_types: list[str]
    secrets: list[Secret]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    cursor_seq: int = 0
    version: int = 1


@dataclass(frozen=True)
class Attempt:
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    manual: bool


@dataclass
class Delivery:
    id: str
    endpoint_id: str
    owner_id: str
    journal_seq: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    history: list[Attempt] = field(default_factory=list)


def _secrets(raw: list[dict[str, Any]]) -> list[Secret]:
    return [Secret(s["secret"], datetime.fromisoformat(s["expires_at"]) if s.get("expires_at") else None)
            for s in raw]


def _raw_secrets(secrets: list[Secret]) -> list[dict[str, Any]]:
    return [{"secret": s.secret, "expires_at": s.expires_at.isoformat() if s.expires_at else None} for s in secrets]


def _endpoint(r: WebhookEndpointRow) -> Endpoint:
    return Endpoint(r.id, r.owner_id, r.url, r.description, list(r.event_types), _secrets(r.secrets), r.enabled,
                    r.disabled_reason, r.created_at, r.cursor_seq, r.version)


def _delivery(r: WebhookDeliveryRow) -> Delivery:
    return Delivery(r.id, r.endpoint_id, r.owner_id, r.journal_seq, r.event_id, r.event_type, r.status, r.attempts,
                    r.next_attempt_at, r.last_status_code, r.last_error, r.created_at, r.delivered_at)


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_endpoint(self, e: Endpoint, actor: str) -> None:
        self.session.add(WebhookEndpointRow(
            id=e.id, owner_id=e.owner_id, url=e.url, description=e.description, event_types=e.event_types,
            secrets=_raw_secrets(e.secrets), enabled=e.enabled, disabled_reason=e.disabled_reason,
            created_at=e.created_at, cursor_seq=e.cursor_seq, updated_by=actor, version=e.version))

    async def endpoint(self, endpoint_id: str) -> Endpoint | None:
        row = await self.session.get(WebhookEndpointRow, endpoint_id)
        return _endpoint(row) if row else None

    async def endpoints(self, owner_id: str | None, enabled_only: bool = False) -> list[Endpoint]:
        q = select(WebhookEndpointRow)
        if owner_id is not None:
            q = q.where(WebhookEndpointRow.owner_id == owner_id)
        if enabled_only:
            q = q.where(WebhookEndpointRow.enabled.is_(True))
        return [_endpoint(r) for r in await self.session.scalars(q.order_by(WebhookEndpointRow.created_at))]

    async def to_fan_out(self, skip_locked: bool, behind: int) -> list[Endpoint]:
        """Enabled endpoints whose cursor is behind the journal's ``behind``, locked for this worker's fan-out
        (another instance skips them); none when every endpoint is up to date."""
        q = (select(WebhookEndpointRow).where(WebhookEndpointRow.enabled.is_(True),
                                              WebhookEndpointRow.cursor_seq < behind)
             .order_by(WebhookEndpointRow.id))
        if skip_locked:
            q = q.with_for_update(skip_locked=True)
        return [_endpoint(r) for r in await self.session.scalars(q)]

    async def advance(self, endpoint_id: str, cursor_seq: int) -> None:
        await self.session.execute(update(WebhookEndpointRow).where(WebhookEndpointRow.id == endpoint_id)
                                   .values(cursor_seq=cursor_seq))

    async def save_endpoint(self, e: Endpoint, actor: str) -> None:
        result = await self.session.execute(update(WebhookEndpointRow).where(
            WebhookEndpointRow.id == e.id, WebhookEndpointRow.version == e.version).values(
            url=e.url, description=e.description, event_types=e.event_types, secrets=_raw_secrets(e.secrets),
            enabled=e.enabled, disabled_reason=e.disabled_reason, updated_by=actor, version=e.version + 1))
        if rowcount(result) != 1:
            raise Conflict(f"webhook endpoint {e.id} was changed by someone else; reload and retry")
        e.version += 1

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self.session.execute(delete(WebhookAttemptRow).where(WebhookAttemptRow.delivery_id.in_(
            select(WebhookDeliveryRow.id).where(WebhookDeliveryRow.endpoint_id == endpoint_id))))
        await self.session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == endpoint_id))
        await self.session.execute(delete(WebhookEndpointRow).where(WebhookEndpointRow.id == endpoint_id))

    async def add_deliveries(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(WebhookDeliveryRow), rows)

    async def delivery(self, delivery_id: str) -> Delivery | None:
        row = await self.session.get(WebhookDeliveryRow, delivery_id)
        if row is None:
            return None
        d = _delivery(row)
        attempts = await self.session.scalars(select(WebhookAttemptRow).where(
            WebhookAttemptRow.delivery_id == delivery_id).order_by(WebhookAttemptRow.id))
        d.history = [Attempt(a.attempt, a.at, a.status_code, a.error, a.duration_ms, a.manual) for a in attempts]
        return d

    async def deliveries(self, owner_id: str | None, endpoint_id: str | None, status: str | None, before: str | None,
                         limit: int) -> list[Delivery]:
        q = select(WebhookDeliveryRow)
        if owner_id is not None:
            q = q.where(WebhookDeliveryRow.owner_id == owner_id)
        if endpoint_id:
            q = q.where(WebhookDeliveryRow.endpoint_id == endpoint_id)
        if status:
            q = q.where(WebhookDeliveryRow.status == status)
        if before:
            q = q.where(WebhookDeliveryRow.journal_seq < int(before))
        q = q.order_by(WebhookDeliveryRow.journal_seq.desc(), WebhookDeliveryRow.id).limit(limit)
        return [_delivery(r) for r in await self.session.scalars(q)]

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int, skip_locked: bool) -> list[Delivery]:
        """Due deliveries, leased to this worker until ``lease_until`` (another instance skips them)."""
        q = (select(WebhookDeliveryRow).where(WebhookDeliveryRow.status == "pending",
                                              or_(WebhookDeliveryRow.next_attempt_at.is_(None),
                                                  WebhookDeliveryRow.next_attempt_at <= now))
             .order_by(WebhookDeliveryRow.journal_seq).limit(limit))
        if skip_locked:
            q = q.with_for_update(skip_locked=True)
        rows = list(await self.session.scalars(q))
        if rows:
            await self.session.execute(update(WebhookDeliveryRow).where(
                WebhookDeliveryRow.id.in_([r.id for r in rows])).values(next_attempt_at=lease_until))
        return [_delivery(r) for r in rows]

    async def record_attempt(self, d: Delivery, at: datetime, status_code: int | None, error: str | None,
                             duration_ms: int, manual: bool) -> None:
        self.session.add(WebhookAttemptRow(delivery_id=d.id, attempt=d.attempts, at=at, status_code=status_code,
                                           error=error, duration_ms=duration_ms, manual=manual))
        await self.session.execute(update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == d.id).values(
            status=d.status, attempts=d.attempts, next_attempt_at=d.next_attempt_at, last_status_code=status_code,
            last_error=error, delivered_at=d.delivered_at))

    async def requeue(self, delivery_id: str, at: datetime) -> None:
        await self.session.execute(update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id).values(
            status="pending", next_attempt_at=at))

    async def cancel_pending(self, endpoint_id: str, reason: str) -> None:
        await self.session.execute(update(WebhookDeliveryRow).where(
            WebhookDeliveryRow.endpoint_id == endpoint_id, WebhookDeliveryRow.status == "pending").values(
            status="cancelled", last_error=reason, next_attempt_at=None))
