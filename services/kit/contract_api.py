"""The published event contract, served by every service (no token needed, like /docs)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from shared.contract import asyncapi, schema_tools

router = APIRouter(tags=["contract"])


class AsyncApiInfo(BaseModel):
    title: str
    version: str
    description: str


class AsyncApiDocument(BaseModel):
    """The AsyncAPI 3.0 document (``shared/contract/asyncapi.json``); its parts are AsyncAPI objects."""

    asyncapi: str = Field(description="the AsyncAPI version, 3.0.0")
    info: AsyncApiInfo
    default_content_type: str = Field(alias="defaultContentType")
    servers: dict[str, dict[str, Any]] = Field(description="server objects by name")
    channels: dict[str, dict[str, Any]] = Field(description="one channel object per topic")
    operations: dict[str, dict[str, Any]] = Field(description="one send operation per topic")
    components: dict[str, dict[str, Any]] = Field(description="schemas and messages the channels refer to")


class EventSchema(BaseModel):
    """The JSON Schema (2020-12) of one event type's payload (``shared/contract/schemas/<type>.json``)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="$id", description="the schema's own URL")
    title: str
    description: str
    type: Literal["object"]
    properties: dict[str, dict[str, Any]] = Field(description="JSON Schema of each payload field")
    required: list[str]
    topic: str = Field(alias="x-topic", description="the topic the event type is published on")
    defs: dict[str, dict[str, Any]] | None = Field(None, alias="$defs",
                                                   description="the nested models' schemas, when there are any")


@lru_cache(maxsize=1)
def _document() -> AsyncApiDocument:
    return AsyncApiDocument.model_validate(asyncapi.build())


@lru_cache(maxsize=1)
def _schemas() -> dict[str, EventSchema]:
    return {t: EventSchema.model_validate(s) for t, s in schema_tools.current_schemas().items()}


@router.get("/asyncapi.json", summary="AsyncAPI 3.0 document: every topic, event type, header and key")
async def asyncapi_document() -> AsyncApiDocument:
    return _document()


@router.get("/schemas/{ce_type}.json", summary="JSON Schema of one event type's payload",
            response_model_exclude_unset=True)  # no "$defs": null for a payload without nested models
async def event_schema(ce_type: str) -> EventSchema:
    schema = _schemas().get(ce_type)
    if schema is None:
        raise HTTPException(404, f"unknown event type {ce_type!r}; see /asyncapi.json")
    return schema
