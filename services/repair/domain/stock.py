"""Spare parts stock by part number and lot, bonded or duty-paid; reservations and availability."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.kit.errors import RuleViolation
from shared.contract.events.common import Origin

MAX_LINE_QUANTITY = 100_000


class Availability(StrEnum):
    available = "available"  # free stock covers the need now
    expected = "expected"    # free stock plus expected deliveries (net of waiting demand) cover it
    short = "short"          # neither does


@dataclass(frozen=True)
class StockLot:
    id: int
    part_number: str
    lot: str
    bonded: bool
    origin: Origin
    hs_code: str
    unit_value: Decimal
    currency: str
    on_hand: int
    reserved: int
    received_at: datetime

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class PartPosition:
    """What one part number looks like across its lots, deliveries and waiting demand."""
    part_number: str
    on_hand: int
    reserved: int
    expected: int
    waiting: int  # requested by work orders, not yet reservable

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved

    def status(self, needed: int) -> Availability:
        if self.free >= needed:
            return Availability.available
        if self.free + max(0, self.expected - self.waiting) >= needed:
            return Availability.expected
        return Availability.short


@dataclass(frozen=True)
class ExpectedDelivery:
    """Parts on their way; ``remaining`` shrinks as receipts of the part arrive (oldest delivery first)."""
    id: int
    part_number: str
    quantity: int
    remaining: int
    expected_by: datetime | None
    note: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Reservation:
    """Parts set aside for a work order: from one lot, or still waiting (no lot yet)."""
    id: int
    work_order_id: str
    part_number: str
    quantity: int
    bonded: bool | None
    lot_id: int | None
    consumed: int
    released: bool
    created_at: datetime

    @property
    def waiting(self) -> bool:
        return self.lot_id is None and not self.released

    @property
    def remaining(self) -> int:
        return 0 if self.released else self.quantity - self.consumed


@dataclass(frozen=True)
class PartNeed:
    part_number: str
    quantity: int
    bonded: bool | None = None  # None: either

    def check(self) -> None:
        if not self.part_number.strip():
            raise RuleViolation("a part number is required", field="part_number")
        if not 1 <= self.quantity <= MAX_LINE_QUANTITY:
            raise RuleViolation(f"quantity must be between 1 and {MAX_LINE_QUANTITY}", field="quantity")


def check_receipt(quantity: int, bonded: bool, origin: str) -> None:
    if quantity < 1:
        raise RuleViolation("a parts receipt brings at least one part", field="quantity")
    if bonded and origin == "domestic":
        raise RuleViolation("domestic parts are not bonded", field="bonded")
