"""Annotated dependency aliases for repair's routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.kit.auth import Principal, Role, require
from services.repair.service.uow import RepairUnitOfWork


def get_uow(request: Request) -> RepairUnitOfWork:
    return request.app.state.runtime.uow()


UoW = Annotated[RepairUnitOfWork, Depends(get_uow)]
Technician = Annotated[Principal, Depends(require(Role.technician))]
Reader = Annotated[Principal, Depends(require(Role.technician, Role.dispatcher, Role.customs_officer))]
