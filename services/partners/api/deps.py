"""Annotated dependency aliases for partners' routes."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from services.kit.auth import Principal, Role, require
from services.partners.service.uow import PartnersUnitOfWork
from services.partners.settings import PartnersSettings


async def get_uow(request: Request) -> PartnersUnitOfWork:
    return request.app.state.runtime.uow()


async def get_uows(request: Request) -> Callable[[], PartnersUnitOfWork]:
    return request.app.state.runtime.uow


async def get_settings(request: Request) -> PartnersSettings:
    return request.app.state.runtime.d.settings


UoW = Annotated[PartnersUnitOfWork, Depends(get_uow)]
UoWs = Annotated[Callable[[], PartnersUnitOfWork], Depends(get_uows)]
Settings = Annotated[PartnersSettings, Depends(get_settings)]
OwnerOrAdmin = Annotated[Principal, Depends(require(Role.partner, Role.admin))]
