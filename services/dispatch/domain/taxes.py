"""Taxes on domestic release (DOMAIN.md rule 3): duty on the taxable value, import VAT on value + duty, in CNY."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from services.kit.errors import RuleViolation

FEN = Decimal("0.01")
Basis = Literal["customs_value", "repair_value"]


def fen(x: Decimal) -> Decimal:
    return x.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str
    what: str


@dataclass(frozen=True)
class FxRate:
    currency: str
    valid_from: date
    cny_per_unit: Decimal


@dataclass
class TaxTables:
    duty_rates: dict[str, Decimal]          # HS code or prefix -> duty rate (the longest prefix wins)
    fx: list[FxRate]
    vat_rate: Decimal = Decimal("0.13")

    def duty_rate(self, hs_code: str) -> tuple[str, Decimal]:
        for n in range(len(hs_code), 1, -1):
            if hs_code[:n] in self.duty_rates:
                return hs_code[:n], self.duty_rates[hs_code[:n]]
        raise RuleViolation(f"no duty rate in the tariff table for HS code {hs_code}", field="hs_code")

    def rate(self, currency: str, on: date) -> FxRate:
        if currency == "CNY":
            return FxRate("CNY", date.min, Decimal(1))
        valid = [r for r in self.fx if r.currency == currency and r.valid_from <= on]
        if not valid:
            raise RuleViolation(f"no exchange rate {currency}->CNY valid on {on.isoformat()}", field="currency")
        return max(valid, key=lambda r: r.valid_from)


@dataclass(frozen=True)
class ValueLine:
    """An amount in its currency, converted to CNY at the rate valid on the day (none for CNY itself)."""
    what: str
    amount: Decimal
    currency: str
    cny_per_unit: Decimal
    rate_date: date | None
    cny: Decimal


@dataclass(frozen=True)
class RateLine:
    """The duty rate applied, and the tariff entry it comes from."""
    what: str
    rate: Decimal


TaxLine = ValueLine | RateLine


@dataclass(frozen=True)
class Assessment:
    basis: Basis
    on: date
    lines: list[TaxLine] = field(default_factory=list)
    taxable_value: Decimal = Decimal(0)
    duty_rate: Decimal = Decimal(0)
    duty: Decimal = Decimal(0)
    vat_rate: Decimal = Decimal(0)
    vat: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.duty + self.vat


@dataclass(frozen=True)
class ItemTax:
    """What an item owes: estimated when its destination is decided, final when its exit is declared."""
    estimate: Assessment | None = None
    final: Assessment | None = None


@dataclass(frozen=True)
class DutyRate:
    hs_prefix: str
    rate: Decimal
    description: str = ""


def _value_line(a: Amount, fx: FxRate) -> ValueLine:
    return ValueLine(a.what, a.value, a.currency, fx.cny_per_unit, fx.valid_from if fx.currency != "CNY" else None,
                     fen(a.value * fx.cny_per_unit))


def assess(basis: Basis, amounts: list[Amount], hs_code: str, on: date, tables: TaxTables) -> Assessment:
    """``basis``: customs_value (foreign unit sold domestically) or repair_value (domestic unit coming home)."""
    values = [_value_line(a, tables.rate(a.currency, on)) for a in amounts]
    taxable = fen(sum((line.cny for line in values), Decimal(0)))
    prefix, rate = tables.duty_rate(hs_code)
    duty = fen(taxable * rate)
    vat = fen((taxable + duty) * tables.vat_rate)
    lines: list[TaxLine] = [*values, RateLine(f"duty rate from tariff entry {prefix}", rate)]
    return Assessment(basis, on, lines, taxable, rate, duty, tables.vat_rate, vat)
