"""Annotated dependency aliases for dispatch's routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit.auth import Principal, Role, require


def get_uow(request: Request) -> DispatchUnitOfWork:
    return request.app.state.runtime.uow()


UoW = Annotated[DispatchUnitOfWork, Depends(get_uow)]
Desk = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer))]
