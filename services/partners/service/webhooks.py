"""Owners' webhook endpoints: register, change, rotate secrets, delete; queue deliveries; replay."""
from __future__ import annotations

import uuid
from datetime import timedelta

from services.kit.errors import NotFound, RuleViolation
from services.partners.db.webhooks_repo import Delivery, Endpoint
from services.partners.domain import webhooks as rules
from services.partners.service.uow import PartnersUnitOfWork
from shared.clock import utc_now
from shared.contract.registry import REGISTRY


def check_event_types(filters: list[str]) -> list[str]:
    """Every filter names a published type (``….v1``) or a prefix ending in ``*``; duplicates dropped."""
    known = {spec.ce_type for spec in REGISTRY.specs()}
    unknown = [f for f in filters if not (f in known or (f.endswith("*") and any(t.startswith(f[:-1]) for t in known)))]
    if unknown:
        raise RuleViolation(f"unknown event types: {', '.join(unknown)}; see /asyncapi.json for the published ones",
                            unknown=unknown)
    return sorted(set(filters))


def check_target(url: str, allow_private: bool) -> str:
    host, _port = rules.check_url(url)
    refusal = None if allow_private else rules.refused_host(host)
    if refusal:
        raise RuleViolation(f"webhook URL refused: {refusal}; webhooks go to the owner's public endpoints")
    return url


async def register(uow: PartnersUnitOfWork, owner_id: str, url: str, event_types: list[str], description: str,
                   actor: str, allow_private: bool = False) -> Endpoint:
    check_target(url, allow_private)
    e = Endpoint(id=str(uuid.uuid4()), owner_id=owner_id, url=url, description=description,
                 event_types=check_event_types(event_types), secrets=[rules.Secret(rules.new_secret())],
                 enabled=True, disabled_reason=None, created_at=utc_now())
    async with uow:
        e.cursor_seq = await uow.journal.last_seq()  # events from now on
        await uow.webhooks.add_endpoint(e, actor)
        await uow.commit()
    return e


async def _owned(uow: PartnersUnitOfWork, endpoint_id: str, owner_id: str | None) -> Endpoint:
    """The endpoint, if ``owner_id`` (None for an admin) may see it; another owner's is simply not found."""
    e = await uow.webhooks.endpoint(endpoint_id)
    if e is None or (owner_id is not None and e.owner_id != owner_id):
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return e


async def get(uow: PartnersUnitOfWork, endpoint_id: str, owner_id: str | None) -> Endpoint:
    async with uow:
        return await _owned(uow, endpoint_id, owner_id)


async def update(uow: PartnersUnitOfWork, endpoint_id: str, owner_id: str | None, actor: str, *,
                 url: str | None = None, event_types: list[str] | None = None, description: str | None = None,
                 enabled: bool | None = None, allow_private: bool = False) -> Endpoint:
    async with uow:
        e = await _owned(uow, endpoint_id, owner_id)
        if url is not None:
            e.url = check_target(url, allow_private)
        if event_types is not None:
            e.event_types = check_event_types(event_types)
        if description is not None:
            e.description = description
        if enabled is not None:
            e.enabled, e.disabled_reason = enabled, None if enabled else f"disabled by {actor}"
            if not enabled:
                await uow.webhooks.cancel_pending(e.id, e.disabled_reason or "disabled")
        await uow.webhooks.save_endpoint(e, actor)
        await uow.commit()
    return e


async def rotate_secret(uow: PartnersUnitOfWork, endpoint_id: str, owner_id: str | None, actor: str,
                        grace: timedelta) -> Endpoint:
    async with uow:
        e = await _owned(uow, endpoint_id, owner_id)
        now = utc_now()
        e.secrets = rules.rotate([s for s in e.secrets if s.valid_at(now)], now, grace)
        await uow.webhooks.save_endpoint(e, actor)
        await uow.commit()
    return e


async def delete(uow: PartnersUnitOfWork, endpoint_id: str, owner_id: str | None) -> None:
    async with uow:
        await _owned(uow, endpoint_id, owner_id)
        await uow.webhooks.delete_endpoint(endpoint_id)
        await uow.commit()


async def delivery(uow: PartnersUnitOfWork, delivery_id: str, owner_id: str | None) -> Delivery:
    async with uow:
        d = await uow.webhooks.delivery(delivery_id)
    if d is None or (owner_id is not None and d.owner_id != owner_id):
        raise NotFound(f"webhook delivery {delivery_id} not found")
    return d
