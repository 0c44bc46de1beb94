"""A unit as dispatch sees it: facts learnt from intake, the outcome learnt from repair."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class DispatchState(StrEnum):
    in_zone = "in_zone"                    # received, repair not finished
    awaiting_dispatch = "awaiting_dispatch"


@dataclass
class DispatchUnit:
    unit_id: str
    owner_id: str
    state: DispatchState = DispatchState.in_zone
    serial_number: str | None = None
    part_number: str | None = None
    hs_code: str | None = None
    origin: str | None = None
    origin_country: str | None = None
    declared_value: Decimal | None = None
    currency: str | None = None
    received_at: datetime | None = None
    outcome: str | None = None
    repair_fee: Decimal | None = None
    repair_currency: str | None = None
    awaiting_since: datetime | None = None
    version: int = 1

    def learn_receipt(self, facts: dict) -> None:
        for key, value in facts.items():
            setattr(self, key, value)

    def repair_ended(self, outcome: str, fee: Decimal, currency: str, at: datetime) -> bool:
        """True the first time: the unit becomes a dispatch candidate."""
        if self.state is DispatchState.awaiting_dispatch:
            return False
        self.state, self.outcome, self.awaiting_since = DispatchState.awaiting_dispatch, outcome, at
        self.repair_fee, self.repair_currency = fee, currency
        return True
