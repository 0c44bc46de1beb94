"""Owners' webhooks (Standard Webhooks): endpoints with event-type filters, secrets and rotation, the delivery
log and manual replay. Partners manage their own owner's endpoints; an admin may manage any owner's."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from services.kit.auth import owner_scope
from services.partners.adapters.webhook_sender import sender_for_settings
from services.partners.api.deps import OwnerOrAdmin, Settings, UoW, UoWs
from services.partners.api.schemas import (
    DeliveriesPage,
    DeliveryOut,
    EndpointCreated,
    EndpointOut,
    SecretOut,
    SecretsOut,
)
from services.partners.db.webhooks_repo import Delivery, Endpoint
from services.partners.service import webhook_delivery, webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
TYPES = "CloudEvent types (e.g. com.bondline.dispatch.item.shipped.v1) or prefixes ending in * ; empty: every event"


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, description="https URL of the owner's receiver")
    event_types: list[str] = Field(default_factory=list, max_length=100, description=TYPES)
    description: str = Field("", max_length=500)
    owner_id: str | None = Field(None, description="admins only; a partner's endpoints belong to its owner")


class EndpointPatch(BaseModel):
    url: str | None = Field(None, min_length=8, max_length=2000)
    event_types: list[str] | None = Field(None, max_length=100, description=TYPES)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = Field(None, description="true re-enables an endpoint disabled by a 410 or by hand")


class RotateIn(BaseModel):
    grace_hours: float | None = Field(None, ge=0, le=720, description="how long the old secret keeps signing "
                                                                      "(default PARTNERS_WEBHOOK_SECRET_GRACE_HOURS)")


def _endpoint(e: Endpoint) -> EndpointOut:
    return EndpointOut.model_validate(e)


def _secrets(e: Endpoint) -> SecretsOut:
    return SecretsOut(endpoint_id=e.id, secrets=[SecretOut.model_validate(s) for s in e.secrets])


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut.model_validate(d)


@router.post("/endpoints", status_code=201, summary="Register an endpoint; the answer carries its signing secret")
async def register(body: EndpointIn, uow: UoW, who: OwnerOrAdmin, settings: Settings) -> EndpointCreated:
    e = await webhooks.register(uow, owner_scope(who, body.owner_id, required=True) or "", body.url, body.event_types,
                                body.description, who.actor, settings.webhook_allow_private_targets)
    return EndpointCreated.model_validate(_endpoint(e).model_dump() | _secrets(e).model_dump())


@router.get("/endpoints", summary="The owner's endpoints (an admin without owner_id sees all)")
async def endpoints(uow: UoW, who: OwnerOrAdmin,
                    owner_id: Annotated[str | None, Query(max_length=64)] = None) -> list[EndpointOut]:
    async with uow:
        found = await uow.webhooks.endpoints(owner_scope(who, owner_id, required=False))
    return [_endpoint(e) for e in found]


@router.get("/endpoints/{endpoint_id}")
async def endpoint(endpoint_id: str, uow: UoW, who: OwnerOrAdmin) -> EndpointOut:
    return _endpoint(await webhooks.get(uow, endpoint_id, owner_scope(who, None, required=False)))


@router.patch("/endpoints/{endpoint_id}", summary="Change the URL, filters or description; enable or disable")
async def change(endpoint_id: str, body: EndpointPatch, uow: UoW, who: OwnerOrAdmin,
                 settings: Settings) -> EndpointOut:
    e = await webhooks.update(uow, endpoint_id, owner_scope(who, None, required=False), who.actor,
                              allow_private=settings.webhook_allow_private_targets,
                              **body.model_dump(exclude_none=True))
    return _endpoint(e)


@router.delete("/endpoints/{endpoint_id}", status_code=204, summary="Remove an endpoint and its delivery log")
async def remove(endpoint_id: str, uow: UoW, who: OwnerOrAdmin) -> Response:
    await webhooks.delete(uow, endpoint_id, owner_scope(who, None, required=False))
    return Response(status_code=204)


@router.get("/endpoints/{endpoint_id}/secret", summary="The signing secrets (two while a rotation's grace lasts)")
async def secret(endpoint_id: str, uow: UoW, who: OwnerOrAdmin) -> SecretsOut:
    return _secrets(await webhooks.get(uow, endpoint_id, owner_scope(who, None, required=False)))


@router.post("/endpoints/{endpoint_id}/secret/rotate", summary="A new secret; the old one signs too during the grace")
async def rotate(endpoint_id: str, body: RotateIn, uow: UoW, who: OwnerOrAdmin, settings: Settings) -> SecretsOut:
    hours = settings.webhook_secret_grace_hours if body.grace_hours is None else body.grace_hours
    e = await webhooks.rotate_secret(uow, endpoint_id, owner_scope(who, None, required=False), who.actor,
                                     timedelta(hours=hours))
    return _secrets(e)


@router.get("/deliveries", summary="The delivery log, newest first")
async def deliveries(uow: UoW, who: OwnerOrAdmin, owner_id: Annotated[str | None, Query(max_length=64)] = None,
                     endpoint_id: Annotated[str | None, Query(max_length=36)] = None,
                     status: Literal["pending", "delivered", "failed", "cancelled"] | None = None,
                     before: Annotated[str | None, Query(pattern=r"^\d+$", description="next_before of the previous "
                                                                                         "page")] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeliveriesPage:
    async with uow:
        found = await uow.webhooks.deliveries(owner_scope(who, owner_id, required=False), endpoint_id, status,
                                              before, limit)
    return DeliveriesPage(deliveries=[_delivery(d) for d in found],
                          next_before=str(found[-1].journal_seq) if len(found) == limit else None)


@router.get("/deliveries/{delivery_id}", summary="One delivery with every attempt")
async def delivery(delivery_id: str, uow: UoW, who: OwnerOrAdmin) -> DeliveryOut:
    return _delivery(await webhooks.delivery(uow, delivery_id, owner_scope(who, None, required=False)))


@router.post("/deliveries/{delivery_id}/replay", summary="Send a delivery again now; the answer shows the attempt")
async def replay(delivery_id: str, uows: UoWs, who: OwnerOrAdmin, settings: Settings) -> DeliveryOut:
    d = await webhook_delivery.replay(uows, sender_for_settings(settings), delivery_id,
                                      owner_scope(who, None, required=False), list(settings.webhook_retry_schedule_s))
    return _delivery(d)
