"""Dispatch candidates and units."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.dispatch.api.deps import Desk, UoW
from services.dispatch.api.schemas import DispatchUnitOut
from services.dispatch.domain.units import DispatchState
from services.dispatch.service import candidates

router = APIRouter(prefix="/v1", tags=["dispatch"])


@router.get("/candidates", response_model=list[DispatchUnitOut], summary="Units awaiting dispatch")
async def list_candidates(uow: UoW, _who: Desk, owner_id: str | None = None,
                          limit: Annotated[int, Query(ge=1, le=500)] = 50,
                          offset: Annotated[int, Query(ge=0)] = 0) -> list[DispatchUnitOut]:
    found = await candidates.find(uow, DispatchState.awaiting_dispatch, owner_id, limit, offset)
    return [DispatchUnitOut.of(u) for u in found]


@router.get("/units/{unit_id}", response_model=DispatchUnitOut)
async def get_unit(unit_id: str, uow: UoW, _who: Desk) -> DispatchUnitOut:
    return DispatchUnitOut.of(await candidates.get(uow, unit_id))
