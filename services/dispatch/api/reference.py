"""Tariff and exchange-rate tables used for taxes on domestic release."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.dispatch.api.deps import Officer, Reader, UoW
from services.dispatch.api.schemas import TaxTablesOut
from services.dispatch.service import reference
from services.kit.errors import RuleViolation

router = APIRouter(prefix="/v1/reference", tags=["reference data"])


class DutyRateIn(BaseModel):
    rate: Decimal = Field(ge=0, le=10, description="0.05 for 5 %")
    description: str = Field("", max_length=500)


class FxRateIn(BaseModel):
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, a real foreign currency (not CNY, not XXX)")
    valid_from: date
    cny_per_unit: Decimal = Field(gt=0)


@router.get("/tax-tables")
async def tables(uow: UoW, _who: Reader) -> TaxTablesOut:
    return TaxTablesOut.model_validate(await reference.tables(uow))


@router.put("/duty-rates/{hs_prefix}", summary="Set the duty rate of an HS code or prefix")
async def put_duty(hs_prefix: str, body: DutyRateIn, uow: UoW, who: Officer) -> TaxTablesOut:
    if not hs_prefix.isdigit() or not 2 <= len(hs_prefix) <= 10:
        raise RuleViolation(f"HS prefix {hs_prefix!r} must be 2 to 10 digits", field="hs_prefix")
    await reference.put_duty_rate(uow, hs_prefix, body.rate, body.description, who.actor)
    return TaxTablesOut.model_validate(await reference.tables(uow))


@router.put("/fx-rates", summary="Set an exchange rate to CNY valid from a date")
async def put_fx(body: FxRateIn, uow: UoW, who: Officer) -> TaxTablesOut:
    await reference.put_fx_rate(uow, body.currency, body.valid_from, body.cny_per_unit, who.actor)
    return TaxTablesOut.model_validate(await reference.tables(uow))
