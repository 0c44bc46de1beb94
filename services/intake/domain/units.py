"""The unit as intake knows it, and its custody state machine."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.kit.errors import Conflict, RuleViolation

HS_CODE = re.compile(r"^\d{10}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class UnitState(StrEnum):
    received = "received"
    released_to_repair = "released_to_repair"


class Origin(StrEnum):
    foreign = "foreign"
    domestic = "domestic"


@dataclass
class Unit:
    id: str
    owner_id: str
    serial_number: str
    part_number: str
    hs_code: str
    origin: Origin
    declared_value: Decimal
    currency: str
    received_at: datetime
    description: str = ""
    origin_country: str | None = None
    warranty: bool = False
    fault_description: str = ""
    custody_location: str = "awaiting repair"
    state: UnitState = UnitState.received
    documents: dict[str, str] = field(default_factory=dict)
    released_at: datetime | None = None
    version: int = 1

    def __post_init__(self) -> None:
        check_unit_facts(self.hs_code, self.origin, self.origin_country, self.declared_value, self.currency)

    def release_to_repair(self, now: datetime) -> None:
        if self.state is not UnitState.received:
            raise Conflict(f"unit {self.id} is {self.state.value}; only a received unit can be released to repair",
                           allowed_from=[UnitState.received.value])
        self.state, self.released_at = UnitState.released_to_repair, now
        self.custody_location = "in repair"


def check_unit_facts(hs_code: str, origin: Origin, country: str | None, value: Decimal, currency: str) -> None:
    if not HS_CODE.match(hs_code):
        raise RuleViolation(f"HS code {hs_code!r} must be 10 digits", field="hs_code")
    if origin is Origin.foreign and not (country and COUNTRY.match(country)):
        raise RuleViolation("a foreign unit needs its ISO 3166 origin country", field="origin_country")
    if value <= 0:
        raise RuleViolation("declared value must be positive", field="declared_value")
    if not CURRENCY.match(currency):
        raise RuleViolation(f"currency {currency!r} is not an ISO 4217 code", field="currency")
