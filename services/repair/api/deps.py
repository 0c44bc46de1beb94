"""Annotated dependency aliases for repair's routes (coroutines: a plain function would run in the thread pool)."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from services.kit.auth import Principal, Role, require
from services.kit.errors import RuleViolation, quote
from services.repair.service.uow import RepairUnitOfWork
from services.repair.settings import RepairSettings


async def get_uow(request: Request) -> RepairUnitOfWork:
    return request.app.state.runtime.uow()


async def get_settings(request: Request) -> RepairSettings:
    return request.app.state.runtime.d.settings


async def expected_version(if_match: Annotated[str | None, Header(
        description="optimistic lock: the work order version you read (a stale one gets 409)")] = None) -> int | None:
    if if_match is None:
        return None
    found = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', if_match)
    if not found:
        raise RuleViolation(f"If-Match must carry a work order version, e.g. \"3\"; got {quote(if_match)}")
    return int(found.group(1))


UoW = Annotated[RepairUnitOfWork, Depends(get_uow)]
Settings = Annotated[RepairSettings, Depends(get_settings)]
Version = Annotated[int | None, Depends(expected_version)]
Technician = Annotated[Principal, Depends(require(Role.technician))]
Partner = Annotated[Principal, Depends(require(Role.partner))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
Reader = Annotated[Principal, Depends(require(Role.technician, Role.dispatcher, Role.customs_officer))]
ReaderOrPartner = Annotated[Principal, Depends(require(Role.technician, Role.dispatcher, Role.customs_officer,
                                                       Role.partner))]
