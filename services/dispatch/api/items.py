"""Dispatch candidates and items: allowed destinations with tax estimates, decide, declare the exit, allocate."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.dispatch.api.deps import Desk, Reader, UoW, Vat
from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.service import decisions

router = APIRouter(prefix="/v1", tags=["dispatch"])


class DecisionIn(BaseModel):
    destination: Destination
    destination_country: str | None = Field(None, description="ISO 3166-1 alpha-2; needed for re-export")


class ExitIn(BaseModel):
    supervision_mode: str = Field(description="1371, 0864/0865 (old parts abroad), 0200/0400 (destruction), "
                                              "4500/4561 (returns); ignored for gate registration")
    gate_pass_no: str
    gate_pass_type: str = Field(description="1..6; 5 for gate registration")
    bonded_inventory_list_no: str | None = Field(None, description="exit (E) inventory list")
    outbound_record_list_no: str | None = Field(None, description="abroad: outbound record list")
    import_declaration_no: str | None = Field(None, description="domestic: the importer's 1300 declaration")


class AllocationIn(BaseModel):
    owner_id: str = Field(min_length=1, max_length=64)
    owner_group: str | None = Field(None, max_length=100)


@router.get("/candidates", summary="Items awaiting dispatch, with allowed destinations and tax estimates")
async def candidates(uow: UoW, _who: Reader, vat: Vat, owner_id: str | None = None, kind: ItemKind | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    return await decisions.candidates(uow, owner_id, kind.value if kind else None, limit, offset, vat)


@router.get("/items/{item_id}", summary="An item, its allowed destinations and tax estimate")
async def get(item_id: str, uow: UoW, _who: Reader, vat: Vat) -> dict[str, Any]:
    return await decisions.get(uow, item_id, vat)


@router.post("/items/{item_id}/decision", summary="Choose the destination (422 names the rule that forbids it)")
async def decide(item_id: str, body: DecisionIn, uow: UoW, who: Desk, vat: Vat) -> dict[str, Any]:
    await decisions.decide(uow, item_id, body.destination, body.destination_country, vat, who.actor)
    return await decisions.get(uow, item_id, vat)


@router.post("/items/{item_id}/exit-declaration", summary="Declare the exit: documents and supervision mode")
async def declare(item_id: str, body: ExitIn, uow: UoW, who: Desk, vat: Vat) -> dict[str, Any]:
    await decisions.declare_exit(uow, item_id, ExitDocuments(**body.model_dump()), vat, who.actor)
    return await decisions.get(uow, item_id, vat)


@router.post("/items/{item_id}/allocation", summary="Allocate an exchange-pool unit to another owner")
async def allocate(item_id: str, body: AllocationIn, uow: UoW, who: Desk, vat: Vat) -> dict[str, Any]:
    await decisions.allocate(uow, item_id, body.owner_id, body.owner_group, who.actor)
    return await decisions.get(uow, item_id, vat)
