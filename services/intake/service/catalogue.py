"""Read and edit the repair product catalogue; every edit makes a new version."""
from __future__ import annotations

from collections.abc import Callable

from services.intake.domain.catalogue import Catalogue, CatalogueVersion
from services.intake.service.uow import IntakeUnitOfWork


async def current(uow: IntakeUnitOfWork, version: int | None = None) -> Catalogue:
    async with uow:
        return await uow.catalogue.get(version)


async def edit(uow: IntakeUnitOfWork, change: Callable[[Catalogue], Catalogue], note: str, actor: str) -> Catalogue:
    async with uow:
        new = change(await uow.catalogue.get())
        await uow.catalogue.add_version(new, actor, note)
        await uow.commit()
        return new


async def versions(uow: IntakeUnitOfWork) -> list[CatalogueVersion]:
    async with uow:
        return await uow.catalogue.versions()
