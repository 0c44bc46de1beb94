"""Annotated dependency aliases for intake's routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.intake.service.uow import IntakeUnitOfWork
from services.kit.auth import Principal, Role, require


def get_uow(request: Request) -> IntakeUnitOfWork:
    return request.app.state.runtime.uow()


UoW = Annotated[IntakeUnitOfWork, Depends(get_uow)]
Clerk = Annotated[Principal, Depends(require(Role.intake_clerk))]
Staff = Annotated[Principal, Depends(require(Role.intake_clerk, Role.technician, Role.customs_officer))]
