"""Register and maintain equipment owners."""
from __future__ import annotations

from services.intake.domain.owners import Owner, OwnerChanges
from services.intake.service.reference import iso_reference
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import NotFound


async def register(uow: IntakeUnitOfWork, owner: Owner, actor: str) -> Owner:
    async with uow:
        owner.check(iso_reference())
        await uow.owners.add(owner, actor)
        await uow.commit()
        return owner


async def update(uow: IntakeUnitOfWork, owner_id: str, changes: OwnerChanges, expected_version: int | None,
                 actor: str) -> Owner:
    async with uow:
        owner = await get_in(uow, owner_id)
        if expected_version is not None:
            owner.version = expected_version  # optimistic lock against what the caller saw
        owner.change(changes)
        owner.check(iso_reference())
        await uow.owners.save(owner, actor)
        await uow.commit()
        return owner


async def get_in(uow: IntakeUnitOfWork, owner_id: str) -> Owner:
    owner = await uow.owners.get(owner_id)
    if owner is None:
        raise NotFound(f"owner {owner_id} not found")
    return owner


async def get(uow: IntakeUnitOfWork, owner_id: str) -> Owner:
    async with uow:
        return await get_in(uow, owner_id)


async def find(uow: IntakeUnitOfWork, limit: int, offset: int) -> list[Owner]:
    async with uow:
        return await uow.owners.list(limit, offset)
