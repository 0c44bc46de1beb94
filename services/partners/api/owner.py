"""The owner status API and event feed: an owner's units, states, timelines, pending quotes, events after a cursor.

Partners are scoped by their token; an admin names the owner. Another owner's unit is 404, never a leak.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.kit.auth import owner_scope
from services.kit.errors import ErrorBody
from services.partners.api.deps import OwnerOrAdmin, Settings, UoW
from services.partners.api.schemas import (
    CloudEventOut,
    DecisionBody,
    DecisionCall,
    FeedItem,
    FeedPage,
    PendingQuote,
    UnitDetail,
    UnitsPage,
    UnitStatusOut,
)
from services.partners.db.journal_repo import Entry
from services.partners.service import owners
from services.partners.service.journal import as_cloudevent

router = APIRouter(prefix="/v1/owner", tags=["owners"])
OwnerQ = Annotated[str | None, Query(max_length=64,
                                     description="admins only: whose units; partners are scoped by their token")]
BAD_CURSOR: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "a cursor this feed did not issue"}}


def event(e: Entry) -> CloudEventOut:
    return CloudEventOut.model_validate(as_cloudevent(e))


@router.get("/feed", summary="The owner's events in order after a cursor (resumable; CloudEvents JSON)",
            responses=BAD_CURSOR)
async def feed(uow: UoW, who: OwnerOrAdmin, owner_id: OwnerQ = None,
               cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page; "
                                                                               "omit to start")] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               type: Annotated[list[str] | None, Query(description="only these event types (repeatable)")] = None,
               ) -> FeedPage:
    page = await owners.feed(uow, owner_scope(who, owner_id, required=True) or "", cursor, limit, type)
    return FeedPage(events=[FeedItem.model_validate(as_cloudevent(e) | {"cursor": owners.encode_cursor(e.seq)})
                            for e in page.entries], next_cursor=page.next_cursor, has_more=page.has_more)


@router.get("/units", summary="The owner's units and where each stands (stage and state)")
async def units(uow: UoW, who: OwnerOrAdmin, owner_id: OwnerQ = None,
                stage: Annotated[str | None, Query(pattern="^(intake|repair|dispatch|left)$")] = None,
                state: Annotated[str | None, Query(max_length=40)] = None,
                after: Annotated[str | None, Query(max_length=64, description="next_after of the previous "
                                                                              "page")] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> UnitsPage:
    page = await owners.units(uow, owner_scope(who, owner_id, required=True) or "", after, limit, stage, state)
    return UnitsPage(units=[UnitStatusOut.model_validate(s) for s in page.units], next_after=page.next_after)


@router.get("/units/{unit_id}", summary="One of the owner's units: status and timeline across the three services")
async def unit(unit_id: str, uow: UoW, who: OwnerOrAdmin) -> UnitDetail:
    status, timeline = await owners.unit(uow, owner_scope(who, None), unit_id)
    return UnitDetail.model_validate(UnitStatusOut.model_validate(status).model_dump()
                                     | {"timeline": [event(e) for e in timeline]})


@router.get("/quotes", summary="Quotes waiting for the owner's decision, and where to send it (repair's API)")
async def quotes(uow: UoW, who: OwnerOrAdmin, settings: Settings, owner_id: OwnerQ = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[PendingQuote]:
    waiting = await owners.pending_quotes(uow, owner_scope(who, owner_id, required=True) or "", limit)
    return [PendingQuote(
        unit_id=q.status.unit_id, work_order_id=q.status.work_order_id, serial_number=q.status.serial_number,
        part_number=q.status.part_number, quote=q.quote.data if q.quote else None,
        decide=DecisionCall(method="POST", body=DecisionBody(approve=True, note="…"),
                            url=f"{settings.repair_url}/v1/work-orders/{q.status.work_order_id}/quote/decision"))
        for q in waiting]
