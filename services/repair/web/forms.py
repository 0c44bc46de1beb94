"""What the bench's forms send, turned into what repair's use cases take; a bad value is refused with a message
that names the field (said in the reader's language like the services' own refusals)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from services.kit.errors import RuleViolation
from services.repair.domain.stock import PartNeed
from services.repair.domain.testing import Measurement


def version(text: str) -> int | None:
    """The work order version the page was drawn from: a stale page is refused (409), not applied."""
    return int(text) if text.strip().isdigit() else None


def amount(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "") or "0")
    except InvalidOperation:
        raise RuleViolation(f"{field} must be a number", field=field) from None
    if not value.is_finite():
        raise RuleViolation(f"{field} must be a number", field=field)
    return value


def number(text: str, field: str) -> float:
    return float(amount(text, field))


def optional_number(text: str, field: str) -> float | None:
    return number(text, field) if text.strip() else None


def whole(text: str, field: str) -> int:
    value = amount(text, field)
    if value != value.to_integral_value():
        raise RuleViolation(f"{field} must be a whole number", field=field)
    return int(value)


def choice(text: str) -> bool | None:
    """``true`` / ``false`` / anything else (either)."""
    return {"true": True, "false": False}.get(text.strip())


def need(part_number: str, quantity: str, bonded: str) -> PartNeed:
    return PartNeed(part_number.strip(), whole(quantity, "quantity"), choice(bonded))


def measurements(name: str, value: str, unit: str, lower: str, upper: str) -> list[Measurement]:
    """The test form's one measurement row (empty: none)."""
    if not name.strip():
        return []
    return [Measurement(name.strip(), number(value, "value"), unit.strip(), optional_number(lower, "lower"),
                        optional_number(upper, "upper"))]


def verdict(text: str) -> bool | None:
    """``pass`` / ``fail`` / empty: judged by the measurements' limits."""
    return {"pass": True, "fail": False}.get(text.strip())
