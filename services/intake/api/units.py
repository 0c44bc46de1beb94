"""Units: receive, release to repair, read, list."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.api.deps import Clerk, Staff, UoW
from services.intake.api.schemas import ReceiveUnitIn, UnitOut
from services.intake.service import units

router = APIRouter(prefix="/v1/units", tags=["units"])


@router.post("", status_code=201, response_model=UnitOut, summary="Receive a unit into bonded custody")
async def receive(body: ReceiveUnitIn, uow: UoW, who: Clerk) -> UnitOut:
    unit = await units.receive_unit(uow, units.ReceiveUnit(**body.model_dump()), who.actor)
    return UnitOut.of(unit)


@router.post("/{unit_id}/release", response_model=UnitOut, summary="Release a received unit to repair")
async def release(unit_id: str, uow: UoW, who: Clerk) -> UnitOut:
    return UnitOut.of(await units.release_to_repair(uow, unit_id, who.actor))


@router.get("/{unit_id}", response_model=UnitOut)
async def get(unit_id: str, uow: UoW, _who: Staff) -> UnitOut:
    return UnitOut.of(await units.get_unit(uow, unit_id))


@router.get("", response_model=list[UnitOut])
async def list_units(uow: UoW, _who: Staff, state: str | None = None, owner_id: str | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0)] = 0) -> list[UnitOut]:
    return [UnitOut.of(u) for u in await units.list_units(uow, state, owner_id, limit, offset)]
