"""Tariff and exchange-rate tables (reference data edited by operators)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.tables import DutyRateRow, FxRateRow
from services.dispatch.domain.taxes import DutyRate, FxRate, TaxTables


class ReferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tax_tables(self, vat_rate: Decimal) -> TaxTables:
        duty = {r.hs_prefix: r.rate for r in await self.session.scalars(select(DutyRateRow))}
        fx = [FxRate(r.currency, r.valid_from, r.cny_per_unit) for r in await self.session.scalars(select(FxRateRow))]
        return TaxTables(duty, fx, vat_rate)

    async def put_duty_rate(self, hs_prefix: str, rate: Decimal, description: str, actor: str) -> None:
        row = await self.session.get(DutyRateRow, hs_prefix)
        if row is None:
            self.session.add(DutyRateRow(hs_prefix=hs_prefix, rate=rate, description=description, updated_by=actor))
        else:
            row.rate, row.description, row.updated_by = rate, description, actor

    async def put_fx_rate(self, currency: str, valid_from: date, rate: Decimal, actor: str) -> None:
        row = await self.session.get(FxRateRow, (currency, valid_from))
        if row is None:
            self.session.add(FxRateRow(currency=currency, valid_from=valid_from, cny_per_unit=rate, updated_by=actor))
        else:
            row.cny_per_unit, row.updated_by = rate, actor

    async def duty_rates(self) -> list[DutyRate]:
        rows = await self.session.scalars(select(DutyRateRow).order_by(DutyRateRow.hs_prefix))
        return [DutyRate(r.hs_prefix, r.rate, r.description) for r in rows]

    async def fx_rates(self) -> list[FxRate]:
        rows = await self.session.scalars(select(FxRateRow).order_by(FxRateRow.currency, FxRateRow.valid_from))
        return [FxRate(r.currency, r.valid_from, r.cny_per_unit) for r in rows]
