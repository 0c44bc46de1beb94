"""Value types shared by several payloads."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Origin = Literal["foreign", "domestic"]
Outcome = Literal["repaired", "beyond_repair", "returned_unrepaired"]


class Money(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    amount: Decimal = Field(description="Decimal amount, serialised as a string")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")


class PartLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    part_number: str
    lot: str | None = None
    quantity: int = Field(ge=1)
    unit_value: Money
    origin: Origin
    hs_code: str | None = None
