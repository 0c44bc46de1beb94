"""Request and response bodies (kept apart from tables and domain)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from services.intake.domain.owners import CreditTier, Owner, OwnerKind
from services.intake.domain.units import Discrepancy, Origin, Step, Unit
from services.kit.errors import MAX_INT

Text = Field(default="", max_length=4000)
CUSTOMS_CODE = ("the owner's customs registration code (海关编码, 10 characters): its entry lists name it and customs "
                "rates its credit by it; needed to file an entry with the customs platform")


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)


class OwnerIn(BaseModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: OwnerKind
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    credit_tier: CreditTier
    group: str | None = Field(None, max_length=100)
    contacts: list[ContactIn] = []
    customs_code: str | None = Field(None, max_length=10, description=CUSTOMS_CODE)


class OwnerPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    credit_tier: CreditTier | None = None
    group: str | None = Field(None, max_length=100)
    contacts: list[ContactIn] | None = None
    customs_code: str | None = Field(None, max_length=10, description=CUSTOMS_CODE)
    expected_version: int | None = Field(None, ge=0, le=MAX_INT, description="optimistic lock: the version you read")

    @model_validator(mode="after")
    def _no_null_for_required(self) -> OwnerPatch:
        """Leave a field out to keep it; ``null`` clears only what may be empty (the group)."""
        nulled = [f for f in ("name", "credit_tier", "contacts")
                  if f in self.model_fields_set and getattr(self, f) is None]
        if nulled:
            raise ValueError(f"{', '.join(nulled)} cannot be null: leave the field out to keep its value")
        return self


class ContactOut(BaseModel):
    name: str
    email: str | None
    phone: str | None


class OwnerOut(BaseModel):
    id: str
    name: str
    kind: OwnerKind
    country: str = Field(description="ISO 3166-1 alpha-2")
    credit_tier: CreditTier
    group: str | None
    contacts: list[ContactOut]
    version: int = Field(description="send it back as expected_version to change the owner")
    customs_code: str | None = Field(description=CUSTOMS_CODE)

    @classmethod
    def of(cls, o: Owner) -> OwnerOut:
        return cls(**asdict(o))


class RequestedUnitIn(BaseModel):
    serial_number: str = Field(min_length=1, max_length=100)
    part_number: str = Field(min_length=1, max_length=100)
    description: str = Text
    hs_code: str = Field(max_length=20, description="10-digit HS code")
    declared_value: Decimal = Field(max_digits=16, decimal_places=2)
    currency: str = Field(max_length=3, description="ISO 4217")
    fault_description: str = Text
    warranty: bool = False
    maker_group: str | None = Field(None, max_length=100, description="for own-products-only catalogue entries")


class RepairRequestIn(BaseModel):
    owner_id: str = Field(min_length=1, max_length=64)
    origin: str = Field(max_length=20, description="ISO 3166-1 alpha-2 country of the units, or 'domestic'")
    units: list[RequestedUnitIn] = Field(max_length=500)


class UnitOut(BaseModel):
    id: str
    request_id: str
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
    customs_released: bool
    catalogue_version: int
    declaration_id: str | None
    documents: dict[str, str] = Field(description="customs document numbers by kind (e.g. bonded_inventory_list)")
    discrepancy: Discrepancy = Field(description="what receipt read against what was announced ({} if it matched)")
    rejection_reason: str | None
    announced_at: datetime
    received_at: datetime | None
    released_at: datetime | None
    version: int

    @classmethod
    def of(cls, u: Unit) -> UnitOut:
        return cls(**{k: getattr(u, k) for k in cls.model_fields})


class RepairRequestOut(BaseModel):
    request_id: str
    units: list[UnitOut]


class StepOut(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    documents: dict[str, str]
    note: str


class UnitHistoryOut(BaseModel):
    unit: UnitOut
    history: list[StepOut]

    @classmethod
    def of(cls, u: Unit, steps: list[Step]) -> UnitHistoryOut:
        return cls(unit=UnitOut.of(u), history=[StepOut(**asdict(s)) for s in steps])
