"""Register and maintain equipment owners."""
from __future__ import annotations

from services.intake.domain.owners import Owner, OwnerChanges
from services.intake.service.reference import iso_reference
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import NotFound
from shared.clock import utc_now
from shared.contract.events.intake import OwnerRegistered


async def register(uow: IntakeUnitOfWork, owner: Owner, actor: str) -> Owner:
    async with uow:
        uow.actor = actor
        owner.check(iso_reference())
        await uow.owners.add(owner, actor)
        _announce(uow, owner)
        await uow.owners.announced([owner.id], utc_now())
        await uow.commit()
        return owner


def _announce(uow: IntakeUnitOfWork, owner: Owner) -> None:
    """The register's event: dispatch (allocations) and partners learn of the owner from it."""
    uow.publish(OwnerRegistered(owner_id=owner.id, name=owner.name, kind=owner.kind.value, country=owner.country,
                                group=owner.group, registered_at=utc_now()))


async def announce_unannounced(uow: IntakeUnitOfWork, batch: int = 1000) -> int:
    """Owners registered before the register's event existed: announced once, in batches; how many."""
    done = 0
    while True:
        async with uow:
            uow.actor = "system:intake"
            owners = await uow.owners.unannounced(batch)
            for owner in owners:
                _announce(uow, owner)
            await uow.owners.announced([o.id for o in owners], utc_now())
            await uow.commit()
        done += len(owners)
        if len(owners) < batch:
            return done


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
