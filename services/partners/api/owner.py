"""The owner status API and event feed: an owner's units, states, timelines, pending quotes, events after a cursor.

Partners are scoped by their token; an admin names the owner. Another owner's unit is 404, never a leak.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.kit.auth import owner_scope
from services.partners.api.deps import OwnerOrAdmin, Settings, UoW
from services.partners.service import owners

router = APIRouter(prefix="/v1/owner", tags=["owners"])
OwnerQ = Annotated[str | None, Query(description="admins only: whose units; partners are scoped by their token")]


@router.get("/feed", summary="The owner's events in order after a cursor (resumable; CloudEvents JSON)")
async def feed(uow: UoW, who: OwnerOrAdmin, owner_id: OwnerQ = None,
               cursor: Annotated[str | None, Query(description="next_cursor of the previous page; omit to start")] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               type: Annotated[list[str] | None, Query(description="only these event types (repeatable)")] = None,
               ) -> dict[str, Any]:
    return await owners.feed(uow, owner_scope(who, owner_id, required=True) or "", cursor, limit, type)


@router.get("/units", summary="The owner's units and where each stands (stage and state)")
async def units(uow: UoW, who: OwnerOrAdmin, owner_id: OwnerQ = None,
                stage: Annotated[str | None, Query(pattern="^(intake|repair|dispatch|left)$")] = None,
                state: str | None = None, after: Annotated[str | None, Query(description="next_after of the "
                                                                                         "previous page")] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    return await owners.units(uow, owner_scope(who, owner_id, required=True) or "", after, limit, stage, state)


@router.get("/units/{unit_id}", summary="One of the owner's units: status and timeline across the three services")
async def unit(unit_id: str, uow: UoW, who: OwnerOrAdmin) -> dict[str, Any]:
    return await owners.unit(uow, owner_scope(who, None, required=False), unit_id)


@router.get("/quotes", summary="Quotes waiting for the owner's decision, and where to send it (repair's API)")
async def quotes(uow: UoW, who: OwnerOrAdmin, settings: Settings, owner_id: OwnerQ = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    return await owners.pending_quotes(uow, owner_scope(who, owner_id, required=True) or "", limit, settings.repair_url)
