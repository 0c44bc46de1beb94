"""The published event contract, served by every service (no token needed, like /docs)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, HTTPException

from shared.contract import asyncapi, schema_tools

router = APIRouter(tags=["contract"])


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return asyncapi.build()


@lru_cache(maxsize=1)
def _schemas() -> dict[str, dict[str, Any]]:
    return schema_tools.current_schemas()


@router.get("/asyncapi.json", summary="AsyncAPI 3.0 document: every topic, event type, header and key")
async def asyncapi_document() -> dict[str, Any]:
    return _document()


@router.get("/schemas/{ce_type}.json", summary="JSON Schema of one event type's payload")
async def event_schema(ce_type: str) -> dict[str, Any]:
    schema = _schemas().get(ce_type)
    if schema is None:
        raise HTTPException(404, f"unknown event type {ce_type!r}; see /asyncapi.json")
    return schema
