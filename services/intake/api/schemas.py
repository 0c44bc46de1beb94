"""Request and response bodies (kept apart from tables and domain)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.intake.domain.units import Origin, Unit


class ReceiveUnitIn(BaseModel):
    owner_id: str = Field(min_length=1, max_length=64)
    serial_number: str = Field(min_length=1, max_length=100)
    part_number: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    hs_code: str = Field(description="10-digit HS code")
    origin: Origin
    origin_country: str | None = Field(None, description="ISO 3166-1 alpha-2, for foreign units")
    declared_value: Decimal = Field(max_digits=16, decimal_places=2)
    currency: str = Field(description="ISO 4217")
    warranty: bool = False
    fault_description: str = Field("", max_length=4000)


class UnitOut(BaseModel):
    id: str
    owner_id: str
    serial_number: str
    part_number: str
    description: str
    hs_code: str
    origin: Origin
    origin_country: str | None
    declared_value: Decimal
    currency: str
    warranty: bool
    state: str
    custody_location: str
    documents: dict[str, str]
    received_at: datetime
    released_at: datetime | None
    version: int

    @classmethod
    def of(cls, u: Unit) -> "UnitOut":
        return cls(**{k: getattr(u, k) for k in cls.model_fields})
