"""Owners (equipment owners and partners)."""
from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query

from services.intake.api.deps import Clerk, Reader, Staff, UoW
from services.intake.api.schemas import OwnerIn, OwnerOut, OwnerPatch
from services.intake.domain.owners import Contact, Owner, OwnerChanges
from services.intake.service import owners
from services.kit.auth import forbid_other_owner
from services.kit.errors import MAX_INT

router = APIRouter(prefix="/v1/owners", tags=["owners"])


@router.post("", status_code=201, response_model=OwnerOut, summary="Register an owner")
async def register(body: OwnerIn, uow: UoW, who: Clerk) -> OwnerOut:
    owner = Owner(**body.model_dump(exclude={"contacts"}), contacts=[Contact(**c.model_dump()) for c in body.contacts])
    return OwnerOut.of(await owners.register(uow, owner, who.actor))


@router.patch("/{owner_id}", response_model=OwnerOut, summary="Change an owner's name, credit tier, group or contacts")
async def update(owner_id: str, body: OwnerPatch, uow: UoW, who: Clerk) -> OwnerOut:
    # model_dump is an untyped dict; its keys are OwnerPatch's fields, which are OwnerChanges' keys
    changes = cast(OwnerChanges, body.model_dump(exclude_unset=True, exclude={"expected_version", "contacts"}))
    if body.contacts is not None:
        changes["contacts"] = [Contact(**c.model_dump()) for c in body.contacts]
    return OwnerOut.of(await owners.update(uow, owner_id, changes, body.expected_version, who.actor))


@router.get("/{owner_id}", response_model=OwnerOut)
async def get(owner_id: str, uow: UoW, who: Reader) -> OwnerOut:
    forbid_other_owner(who, owner_id, "read")
    return OwnerOut.of(await owners.get(uow, owner_id))


@router.get("", response_model=list[OwnerOut])
async def find(uow: UoW, _who: Staff, limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[OwnerOut]:
    return [OwnerOut.of(o) for o in await owners.find(uow, limit, offset)]
