"""A receipt of bonded (or duty-paid) spare parts into the zone."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from services.intake.domain.units import HS_CODE, Origin
from services.kit.errors import RuleViolation


@dataclass
class PartsReceipt:
    id: str
    part_number: str
    lot: str
    quantity: int
    unit_value: Decimal
    currency: str
    hs_code: str
    origin: Origin
    received_at: datetime
    bonded: bool = True
    documents: dict[str, str] = field(default_factory=dict)

    def check(self, currencies: frozenset[str]) -> None:
        if self.quantity < 1:
            raise RuleViolation("quantity must be at least 1", field="quantity")
        if self.unit_value <= 0:
            raise RuleViolation("unit value must be positive", field="unit_value")
        if self.currency not in currencies:
            raise RuleViolation(f"unknown ISO 4217 currency {self.currency!r}", field="currency")
        if not HS_CODE.match(self.hs_code):
            raise RuleViolation(f"malformed HS code {self.hs_code!r}: 10 digits expected", field="hs_code")
        if self.origin is Origin.domestic and self.bonded:
            raise RuleViolation("domestic parts are not bonded; set bonded=false", field="bonded")
