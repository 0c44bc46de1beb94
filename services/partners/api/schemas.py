"""Partners' response bodies: every route answers one of these (the OpenAPI names each field and its type).

An event's ``data`` is the payload its type defines in the contract (``GET /schemas/<type>.json`` on any service,
and the AsyncAPI document), so here it is JSON whose shape the ``type`` tells.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

EventData = dict[str, JsonValue]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CloudEventOut(Out):
    """A CloudEvents 1.0 JSON (structured mode) event: a feed item, a timeline entry, a webhook body."""
    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str = Field(description="the producing service, e.g. /bondline/repair")
    type: str = Field(description="e.g. com.bondline.dispatch.item.shipped.v1")
    time: str = Field(description="when it happened (ce_time), ISO 8601")
    datacontenttype: Literal["application/json"] = "application/json"
    subject: str | None = Field(None, description="the unit id, where the event is about one")
    sequence: str | None = Field(None, description="the producer's per-unit number (CloudEvents sequence "
                                                   "extension, 20 digits), where the producer sent one")
    data: EventData


class FeedItem(CloudEventOut):
    cursor: str = Field(description="resume the feed just after this event")


class FeedPage(Out):
    events: list[FeedItem]
    next_cursor: str = Field(description="pass back as cursor to resume after the last event returned")
    has_more: bool


class UnitStatusOut(Out):
    unit_id: str
    owner_id: str
    stage: Literal["intake", "repair", "dispatch", "left"]
    state: str
    last_event_type: str
    updated_at: datetime
    first_seen_at: datetime
    serial_number: str | None = None
    part_number: str | None = None
    hs_code: str | None = None
    origin: str | None = None
    work_order_id: str | None = None
    quote_pending: bool = False


class UnitsPage(Out):
    units: list[UnitStatusOut]
    next_after: str | None = Field(description="pass back as after for the next page; null on the last")


class UnitDetail(UnitStatusOut):
    timeline: list[CloudEventOut] = Field(description="in the order things happened (ce_time, source, sequence)")


class DecisionBody(Out):
    approve: bool
    note: str


class DecisionCall(Out):
    method: Literal["POST"]
    url: str = Field(description="repair's API, where the owner sends its decision")
    body: DecisionBody


class PendingQuote(Out):
    unit_id: str
    work_order_id: str | None
    serial_number: str | None
    part_number: str | None
    quote: EventData | None = Field(description="the latest quote_issued event's data")
    decide: DecisionCall


class EndpointOut(Out):
    id: str
    owner_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    cursor_seq: int = Field(description="journal events up to here have their deliveries")
    version: int


class SecretOut(Out):
    secret: str = Field(description="whsec_… (Standard Webhooks)")
    expires_at: datetime | None = Field(description="a rotated-out secret signs until then; null: the primary")


class SecretsOut(Out):
    endpoint_id: str
    secrets: list[SecretOut]


class EndpointCreated(EndpointOut):
    endpoint_id: str
    secrets: list[SecretOut]


class AttemptOut(Out):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    manual: bool


class DeliveryOut(Out):
    id: str
    endpoint_id: str
    owner_id: str
    journal_seq: int
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    history: list[AttemptOut] = Field(default_factory=list, description="every attempt (one delivery's page)")


class DeliveriesPage(Out):
    deliveries: list[DeliveryOut]
    next_before: str | None
