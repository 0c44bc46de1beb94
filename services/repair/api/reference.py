"""Repair's reference data, edited by admins: failure codes and owner agreements (quotes skipped)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.kit.errors import MAX_INT
from services.repair.api.deps import Admin, Reader, UoW
from services.repair.api.schemas import Body
from services.repair.domain.diagnosis import FailureCode
from services.repair.domain.quotes import OwnerAgreement
from services.repair.service import reference

router = APIRouter(tags=["reference data"])


class FailureCodeIn(Body):
    description: str = Field(min_length=1, max_length=4000)
    active: bool = True


class AgreementIn(Body):
    skip_quote: bool = Field(description="repairs go ahead without the owner approving a quote")
    reference: str = Field("", max_length=100, description="the agreement's reference, e.g. a contract number")
    note: str = Field("", max_length=4000)
    expected_version: int | None = Field(None, ge=0, le=MAX_INT,
                                         description="optimistic lock: the version you read (0: new)")


class FailureCodeOut(BaseModel):
    code: str
    description: str
    active: bool = Field(description="inactive codes stay on old diagnoses but cannot be given to new ones")

    @classmethod
    def of(cls, c: FailureCode) -> FailureCodeOut:
        return cls(**asdict(c))


class AgreementOut(BaseModel):
    owner_id: str
    skip_quote: bool = Field(description="repairs go ahead without the owner approving a quote")
    reference: str
    note: str
    version: int = Field(description="send it back as expected_version to change the agreement")

    @classmethod
    def of(cls, a: OwnerAgreement) -> AgreementOut:
        return cls(**asdict(a))


@router.get("/v1/failure-codes", response_model=list[FailureCodeOut], summary="The configured failure codes")
async def failure_codes(uow: UoW, _who: Reader, active_only: bool = False) -> list[FailureCodeOut]:
    return [FailureCodeOut.of(c) for c in await reference.failure_codes(uow, active_only)]


@router.put("/v1/failure-codes/{code}", response_model=FailureCodeOut,
            summary="Add or change a failure code (deactivate instead of deleting)")
async def put_failure_code(code: str, body: FailureCodeIn, uow: UoW, who: Admin) -> FailureCodeOut:
    c = FailureCode(code, body.description, body.active)
    return FailureCodeOut.of(await reference.put_failure_code(uow, c, who.actor))


@router.get("/v1/owner-agreements", response_model=list[AgreementOut], summary="Owners' agreements on skipping quotes")
async def agreements(uow: UoW, _who: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[AgreementOut]:
    return [AgreementOut.of(a) for a in await reference.agreements(uow, limit, offset)]


@router.put("/v1/owner-agreements/{owner_id}", response_model=AgreementOut, summary="Set an owner's agreement")
async def put_agreement(owner_id: str, body: AgreementIn, uow: UoW, who: Admin) -> AgreementOut:
    a = OwnerAgreement(owner_id, body.skip_quote, body.reference, body.note)
    return AgreementOut.of(await reference.put_agreement(uow, a, body.expected_version, who.actor))
