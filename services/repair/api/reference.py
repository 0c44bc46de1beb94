"""Repair's reference data, edited by admins: failure codes and owner agreements (quotes skipped)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from services.repair.api.deps import Admin, Reader, UoW
from services.repair.api.schemas import Body
from services.repair.domain.diagnosis import FailureCode
from services.repair.domain.quotes import OwnerAgreement
from services.repair.service import reference
from services.kit.errors import MAX_INT

router = APIRouter(tags=["reference data"])


class FailureCodeIn(Body):
    description: str = Field(min_length=1, max_length=4000)
    active: bool = True


class AgreementIn(Body):
    skip_quote: bool = Field(description="repairs go ahead without the owner approving a quote")
    reference: str = Field("", max_length=100, description="the agreement's reference, e.g. a contract number")
    note: str = Field("", max_length=4000)
    expected_version: int | None = Field(None, ge=0, le=MAX_INT, description="optimistic lock: the version you read (0: new)")


@router.get("/v1/failure-codes", summary="The configured failure codes")
async def failure_codes(uow: UoW, _who: Reader, active_only: bool = False) -> list[dict[str, Any]]:
    return [asdict(c) for c in await reference.failure_codes(uow, active_only)]


@router.put("/v1/failure-codes/{code}", summary="Add or change a failure code (deactivate instead of deleting)")
async def put_failure_code(code: str, body: FailureCodeIn, uow: UoW, who: Admin) -> dict[str, Any]:
    return asdict(await reference.put_failure_code(uow, FailureCode(code, body.description, body.active), who.actor))


@router.get("/v1/owner-agreements", summary="Owners' agreements on skipping quotes")
async def agreements(uow: UoW, _who: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[dict[str, Any]]:
    return [asdict(a) for a in await reference.agreements(uow, limit, offset)]


@router.put("/v1/owner-agreements/{owner_id}", summary="Set an owner's agreement")
async def put_agreement(owner_id: str, body: AgreementIn, uow: UoW, who: Admin) -> dict[str, Any]:
    a = OwnerAgreement(owner_id, body.skip_quote, body.reference, body.note)
    return asdict(await reference.put_agreement(uow, a, body.expected_version, who.actor))
