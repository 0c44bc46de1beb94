"""Response bodies of the parts routes: stock position, expected deliveries, a work order's parts."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.repair.api.schemas import WorkOrderOut
from services.repair.db.reservations import UsedPart
from services.repair.domain.stock import Availability, ExpectedDelivery, PartPosition, Reservation
from services.repair.service.parts import LineResult


class AvailabilityOut(BaseModel):
    part_number: str
    on_hand: int
    reserved: int
    expected: int = Field(description="still to arrive in expected deliveries")
    waiting: int = Field(description="requested by work orders, not yet reservable")
    free: int = Field(description="on hand and not reserved")
    quantity: int = Field(description="the quantity asked about")
    status: Availability = Field(description="available now, expected (deliveries net of waiting demand), or short")

    @classmethod
    def of(cls, pos: PartPosition, quantity: int) -> AvailabilityOut:
        return cls(**asdict(pos), free=pos.free, quantity=quantity, status=pos.status(quantity))


class ExpectedOut(BaseModel):
    id: int
    part_number: str
    quantity: int
    remaining: int = Field(description="not yet arrived")
    expected_by: datetime | None
    note: str
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, e: ExpectedDelivery) -> ExpectedOut:
        return cls(**asdict(e))


class LineOut(BaseModel):
    part_number: str
    requested: int
    reserved: int = Field(description="reserved now from free stock")
    waiting: int = Field(description="waiting for stock; reserved on arrival")
    availability: Availability = Field(description="of what is still waiting (available when nothing waits)")

    @classmethod
    def of(cls, line: LineResult) -> LineOut:
        return cls(**asdict(line))


class PartsRequestOut(BaseModel):
    work_order: WorkOrderOut
    lines: list[LineOut]


class UsedPartOut(BaseModel):
    part_number: str
    lot: str
    quantity: int
    unit_value: Decimal
    currency: str
    origin: str
    hs_code: str
    bonded: bool

    @classmethod
    def of(cls, u: UsedPart) -> UsedPartOut:
        return cls(**asdict(u))


class ConsumptionOut(BaseModel):
    work_order: WorkOrderOut
    used: list[UsedPartOut] = Field(description="by lot: reserved parts first, then free stock")
    old_part_id: str | None = Field(description="the old part recorded in its place, if it replaces one")


class ReservationOut(BaseModel):
    id: int
    work_order_id: str
    part_number: str
    quantity: int
    bonded: bool | None = Field(description="true: bonded stock only; false: duty-paid only; null: either")
    lot_id: int | None = Field(description="null while waiting for stock")
    consumed: int
    released: bool
    created_at: datetime
    waiting: bool
    remaining: int

    @classmethod
    def of(cls, r: Reservation) -> ReservationOut:
        return cls(**asdict(r), waiting=r.waiting, remaining=r.remaining)


class WorkOrderPartsOut(BaseModel):
    reservations: list[ReservationOut]
    used: list[UsedPartOut]
