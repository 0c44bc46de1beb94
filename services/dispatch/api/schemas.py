"""Response bodies for dispatch units."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.dispatch.domain.units import DispatchUnit


class DispatchUnitOut(BaseModel):
    unit_id: str
    owner_id: str
    state: str
    serial_number: str | None
    part_number: str | None
    hs_code: str | None
    origin: str | None
    origin_country: str | None
    declared_value: Decimal | None
    currency: str | None
    received_at: datetime | None
    outcome: str | None
    repair_fee: Decimal | None
    repair_currency: str | None
    awaiting_since: datetime | None

    @classmethod
    def of(cls, u: DispatchUnit) -> "DispatchUnitOut":
        return cls(**asdict(u))
