"""Send due webhook deliveries: sign, POST, and record the attempt; retry on a bounded schedule; 410 disables."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.kit.errors import NotFound, RuleViolation
from services.partners.db.webhooks_repo import Delivery, Endpoint
from services.partners.domain import webhooks as rules
from services.partners.service.journal import as_cloudevent
from services.partners.service.uow import PartnersUnitOfWork
from shared.clock import utc_now
from shared.messaging import tracing


class Sender(Protocol):
    async def send(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, str | None, int]:
        """(status code or None, error or None, milliseconds taken)."""


@dataclass(frozen=True)
class Policy:
    schedule: list[float]
    concurrency: int = 8
    lease_s: float = 120.0
    skip_locked: bool = False



async def run_once(uows: Callable[[], PartnersUnitOfWork], sender: Sender, policy: Policy) -> int:
    """One round of the worker: queue deliveries for new journal events, then send what is due."""
    await fan_out(uows, policy)
    return await deliver_due(uows, sender, policy)


async def fan_out(uows: Callable[[], PartnersUnitOfWork], policy: Policy, limit: int = 500) -> int:
    """A pending delivery per enabled endpoint for each new journal event of its owner that its filters take.

    Each endpoint keeps a cursor into the journal, so no event is missed while a receiver is slow or the
    endpoint disabled (re-enabling it sends what happened meanwhile), and none is queued twice.
    """
    made = 0
    async with uows() as uow:
        now, last = utc_now(), await uow.journal.last_seq()
        for e in await uow.webhooks.to_fan_out(policy.skip_locked, behind=last):
            entries = await uow.journal.feed(e.owner_id, e.cursor_seq, limit)
            rows = [{"id": str(uuid.uuid4()), "endpoint_id": e.id, "owner_id": e.owner_id, "journal_seq": x.seq,
                     "event_id": x.event_id, "event_type": x.type, "status": "pending", "attempts": 0,
                     "next_attempt_at": now, "created_at": now}
                    for x in entries if rules.type_matches(e.event_types, x.type)]
            await uow.webhooks.add_deliveries(rows)
            # a full page may have more behind it; otherwise everything up to ``last`` has been seen, the
            # owner's events or not, so a quiet owner's endpoint is not looked at again until the journal grows
            seen = entries[-1].seq if len(entries) == limit else max(last, entries[-1].seq if entries else 0)
            await uow.webhooks.advance(e.id, seen)
            made += len(rows)
        await uow.commit()
    return made


async def deliver_due(uows: Callable[[], PartnersUnitOfWork], sender: Sender, policy: Policy) -> int:
    """Claim the deliveries that are due and send them, ``policy.concurrency`` endpoints at a time; how many."""
    now = utc_now()
    async with uows() as uow:
        batch = await uow.webhooks.claim_due(now, now + timedelta(seconds=policy.lease_s), policy.concurrency * 4,
                                             policy.skip_locked)
        await uow.commit()
    by_endpoint: dict[str, list[Delivery]] = {}
    for d in batch:
        by_endpoint.setdefault(d.endpoint_id, []).append(d)
    gate = asyncio.Semaphore(policy.concurrency)

    async def in_order(deliveries: list[Delivery]) -> None:
        """One endpoint's deliveries one after another, in journal order (a 410 stops the rest)."""
        async with gate:
            for d in deliveries:
                await attempt(uows, sender, d, policy.schedule)
    await asyncio.gather(*(in_order(ds) for ds in by_endpoint.values()))
    return len(batch)


async def attempt(uows: Callable[[], PartnersUnitOfWork], sender: Sender, d: Delivery, schedule: list[float],
                  manual: bool = False) -> Delivery:
    async with uows() as uow:
        endpoint = await uow.webhooks.endpoint(d.endpoint_id)
        entry = await uow.journal.get(d.journal_seq)
    if endpoint is None or entry is None or not endpoint.enabled:
        return await _cancel(uows, d, "endpoint disabled or deleted")
    body = json.dumps(as_cloudevent(entry), separators=(",", ":")).encode()
    now = utc_now()
    with tracing.child_of(f"deliver webhook {entry.type}", entry.traceparent, entry.tracestate,
                          {"bondline.webhook.endpoint_id": endpoint.id, "bondline.webhook.delivery_id": d.id,
                           "cloudevents.event_id": d.event_id}):
        headers = tracing.inject(rules.headers(endpoint.secrets, d.event_id, now, body))
        status, error, ms = await sender.send(endpoint.url, headers, body)
    verdict = rules.verdict(status)
    _advance(d, verdict, now, schedule, manual)
    async with uows() as uow:
        await uow.webhooks.record_attempt(d, now, status, error, ms, manual)
        if verdict == rules.Verdict.disable:
            await _disable(uow, endpoint)
        await uow.commit()
    return d


def _advance(d: Delivery, verdict: str, now: datetime, schedule: list[float], manual: bool) -> None:
    d.attempts += 1
    if verdict == rules.Verdict.delivered:
        d.status, d.delivered_at, d.next_attempt_at = "delivered", now, None
    elif verdict == rules.Verdict.disable:
        d.status, d.next_attempt_at = "failed", None
    elif manual:
        d.next_attempt_at = d.next_attempt_at if d.status == "pending" else None  # keeps its automatic schedule
    else:
        delay = rules.next_delay(schedule, d.attempts)
        d.status, d.next_attempt_at = ("failed", None) if delay is None else ("pending", now + timedelta(seconds=delay))


async def _disable(uow: PartnersUnitOfWork, endpoint: Endpoint) -> None:
    fresh = await uow.webhooks.endpoint(endpoint.id)
    if fresh is not None and fresh.enabled:
        fresh.enabled, fresh.disabled_reason = False, "the receiver answered 410 Gone"
        await uow.webhooks.save_endpoint(fresh, "system:webhooks")
        await uow.webhooks.cancel_pending(fresh.id, "endpoint disabled: the receiver answered 410 Gone")


async def _cancel(uows: Callable[[], PartnersUnitOfWork], d: Delivery, reason: str) -> Delivery:
    async with uows() as uow:
        await uow.webhooks.cancel_pending(d.endpoint_id, reason)
        await uow.commit()
    d.status, d.last_error = "cancelled", reason
    return d


async def replay(uows: Callable[[], PartnersUnitOfWork], sender: Sender, delivery_id: str, owner_id: str | None,
                 schedule: list[float]) -> Delivery:
    """Send one delivery again now, whatever became of it; the receiver dedupes on ``webhook-id``."""
    async with uows() as uow:
        d = await uow.webhooks.delivery(delivery_id)
        endpoint = await uow.webhooks.endpoint(d.endpoint_id) if d else None
    if d is None or (owner_id is not None and d.owner_id != owner_id):
        raise NotFound(f"webhook delivery {delivery_id} not found")
    if endpoint is None or not endpoint.enabled:
        raise RuleViolation(f"webhook endpoint {d.endpoint_id} is disabled; enable it before replaying")
    await attempt(uows, sender, d, schedule, manual=True)
    async with uows() as uow:
        return await uow.webhooks.delivery(delivery_id)  # type: ignore[return-value]

