"""Reference data: ISO countries, and the tariff and exchange-rate tables operators maintain."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.dispatch.domain.taxes import DutyRate, FxRate
from services.dispatch.service.uow import DispatchUnitOfWork
from services.kit import iso
from services.kit.errors import RuleViolation

countries, currencies = iso.countries, iso.currencies


@dataclass(frozen=True)
class RateTables:
    """The tables as operators edit them: duty rates by HS prefix, exchange rates by currency and date."""
    duty_rates: list[DutyRate]
    fx_rates: list[FxRate]


async def put_duty_rate(uow: DispatchUnitOfWork, hs_prefix: str, rate: Decimal, description: str, actor: str) -> None:
    async with uow:
        await uow.reference.put_duty_rate(hs_prefix, rate, description, actor)
        await uow.commit()


async def put_fx_rate(uow: DispatchUnitOfWork, currency: str, valid_from: date, rate: Decimal, actor: str) -> None:
    wrong = iso.check_currency(currency) or (currency == "CNY" and "CNY is the base: rates are CNY per foreign unit")
    if wrong:
        raise RuleViolation(wrong, field="currency")
    async with uow:
        await uow.reference.put_fx_rate(currency, valid_from, rate, actor)
        await uow.commit()


async def tables(uow: DispatchUnitOfWork) -> RateTables:
    async with uow:
        return RateTables(await uow.reference.duty_rates(), await uow.reference.fx_rates())
