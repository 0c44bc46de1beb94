"""Owners (equipment owners and partners)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.intake.api.deps import Clerk, Reader, Staff, UoW, own_scope
from services.intake.api.schemas import OwnerIn, OwnerPatch
from services.intake.domain.owners import Contact, Owner
from services.intake.service import owners
from services.kit.errors import MAX_INT

router = APIRouter(prefix="/v1/owners", tags=["owners"])


@router.post("", status_code=201, summary="Register an owner")
async def register(body: OwnerIn, uow: UoW, who: Clerk) -> dict[str, Any]:
    owner = Owner(**body.model_dump(exclude={"contacts"}), contacts=[Contact(**c.model_dump()) for c in body.contacts])
    return asdict(await owners.register(uow, owner, who.actor))


@router.patch("/{owner_id}", summary="Change an owner's name, credit tier, group or contacts")
async def update(owner_id: str, body: OwnerPatch, uow: UoW, who: Clerk) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version", "contacts"})
    if body.contacts is not None:
        changes["contacts"] = [Contact(**c.model_dump()) for c in body.contacts]
    return asdict(await owners.update(uow, owner_id, changes, body.expected_version, who.actor))


@router.get("/{owner_id}")
async def get(owner_id: str, uow: UoW, who: Reader) -> dict[str, Any]:
    own_scope(who, owner_id)
    return asdict(await owners.get(uow, owner_id))


@router.get("")
async def find(uow: UoW, _who: Staff, limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[dict[str, Any]]:
    return [asdict(o) for o in await owners.find(uow, limit, offset)]
