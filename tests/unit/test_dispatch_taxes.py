"""Tax arithmetic against hand-computed examples (CNY, half-up to the fen)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.dispatch.domain.taxes import Amount, FxRate, RateLine, TaxTables, ValueLine, assess, fen
from services.kit.errors import RuleViolation

TABLES = TaxTables(
    duty_rates={"8486": Decimal("0"), "8414": Decimal("0.08"), "9031": Decimal("0.03"), "903141": Decimal("0")},
    fx=[FxRate("USD", date(2026, 1, 1), Decimal("7.1000")), FxRate("USD", date(2026, 11, 1), Decimal("7.1234")),
        FxRate("EUR", date(2026, 11, 1), Decimal("7.7310"))])
DAY = date(2026, 11, 24)


def test_foreign_chuck_sold_domestically_zero_duty() -> None:
    a = assess("customs_value", [Amount(Decimal("42000.00"), "USD", "customs value")], "8486909000", DAY, TABLES)
    # 42 000.00 x 7.1234 = 299 182.80; duty 0 %; VAT 13 % of 299 182.80 = 38 893.764 -> 38 893.76
    assert (a.taxable_value, a.duty, a.vat, a.total) == (
        Decimal("299182.80"), Decimal("0.00"), Decimal("38893.76"), Decimal("38893.76"))


def test_foreign_pump_with_duty() -> None:
    a = assess("customs_value", [Amount(Decimal("21500"), "EUR", "customs value")], "8414100090", DAY, TABLES)
    # 21 500 x 7.7310 = 166 216.50; duty 8 % = 13 297.32; VAT 13 % of 179 513.82 = 23 336.7966 -> 23 336.80
    assert (a.taxable_value, a.duty_rate, a.duty, a.vat) == (
        Decimal("166216.50"), Decimal("0.08"), Decimal("13297.32"), Decimal("23336.80"))
    assert a.total == Decimal("36634.12")


def test_domestic_unit_home_pays_on_repair_fee_plus_parts_longest_prefix_wins() -> None:
    amounts = [Amount(Decimal("1800.00"), "CNY", "repair fee"), Amount(Decimal("25.00"), "USD", "2 x o-ring")]
    a = assess("repair_value", amounts, "9031410000", DAY, TABLES)
    # 1 800.00 + 25 x 7.1234 (= 178.085 -> 178.09) = 1 978.09; duty 0 % (903141, not 9031 at 3 %)
    # VAT 13 % of 1 978.09 = 257.1517 -> 257.15
    assert (a.taxable_value, a.duty_rate, a.vat) == (Decimal("1978.09"), Decimal("0"), Decimal("257.15"))
    assert a.lines[1] == ValueLine("2 x o-ring", Decimal("25.00"), "USD", Decimal("7.1234"), date(2026, 11, 1),
                                   Decimal("178.09"))
    assert a.lines[-1] == RateLine("duty rate from tariff entry 903141", Decimal("0"))


def test_rate_valid_on_the_day_is_used() -> None:
    a = assess("customs_value", [Amount(Decimal("100"), "USD", "v")], "8486909000", date(2026, 10, 15), TABLES)
    assert a.taxable_value == Decimal("710.00")


def test_half_up_rounding_to_the_fen() -> None:
    assert fen(Decimal("0.065")) == Decimal("0.07") and fen(Decimal("0.075")) == Decimal("0.08")
    a = assess("repair_value", [Amount(Decimal("0.50"), "CNY", "fee")], "8486909000", DAY, TABLES)
    assert a.vat == Decimal("0.07")  # 0.065 rounds up, not to even


def test_missing_reference_data_is_refused_clearly() -> None:
    with pytest.raises(RuleViolation, match="no exchange rate JPY->CNY valid on 2026-11-24"):
        assess("customs_value", [Amount(Decimal("1"), "JPY", "v")], "8486909000", DAY, TABLES)
    with pytest.raises(RuleViolation, match="no duty rate in the tariff table for HS code 8471300000"):
        assess("customs_value", [Amount(Decimal("1"), "USD", "v")], "8471300000", DAY, TABLES)
    with pytest.raises(RuleViolation, match="valid on 2025-12-31"):
        assess("customs_value", [Amount(Decimal("1"), "USD", "v")], "8486909000", date(2025, 12, 31), TABLES)
