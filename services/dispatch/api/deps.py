"""Annotated dependency aliases for dispatch's routes."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Request

from services.dispatch.service.uow import DispatchUnitOfWork
from services.dispatch.settings import DispatchSettings
from services.kit.auth import Principal, Role, require


async def get_uow(request: Request) -> DispatchUnitOfWork:
    return request.app.state.runtime.uow()


async def get_vat(request: Request) -> Decimal:
    return request.app.state.runtime.d.settings.vat_rate


UoW = Annotated[DispatchUnitOfWork, Depends(get_uow)]
Vat = Annotated[Decimal, Depends(get_vat)]
Desk = Annotated[Principal, Depends(require(Role.dispatcher))]
Reader = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer))]
Officer = Annotated[Principal, Depends(require(Role.customs_officer))]
Compliance = Annotated[Principal, Depends(require(Role.compliance_officer))]
ComplianceReader = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer,
                                                        Role.compliance_officer))]
Admin = Annotated[Principal, Depends(require())]


async def get_uows(request: Request) -> Callable[[], DispatchUnitOfWork]:
    return request.app.state.runtime.uow


async def get_settings(request: Request) -> DispatchSettings:
    return request.app.state.runtime.d.settings


Settings = Annotated[DispatchSettings, Depends(get_settings)]
UoWs = Annotated[Callable[[], DispatchUnitOfWork], Depends(get_uows)]
OwnerOrAdmin = Annotated[Principal, Depends(require(Role.partner, Role.admin))]
