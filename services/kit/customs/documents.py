"""The documents a filing sends, built the same way on entry and exit: an inventory list line from an account-book
item (declared and legal quantities, value) and a gate pass for lists customs released."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from services.kit.customs.lifecycle import checked
from services.kit.errors import Conflict
from shared.contract.customs.messages import Direction, GatePass, Line

CENT, MILLI = Decimal("0.01"), Decimal("0.00001")


class BookHeader(Protocol):
    @property
    def book_no(self) -> str: ...

    @property
    def customs_district(self) -> str: ...

    @property
    def enterprise_code(self) -> str: ...


class BookEntry(Protocol):
    """An account-book item (备案) as a line needs it."""
    @property
    def item_no(self) -> int: ...

    @property
    def material_no(self) -> str: ...

    @property
    def hs_code(self) -> str: ...

    @property
    def goods_name(self) -> str: ...

    @property
    def specification(self) -> str: ...

    @property
    def declared_unit(self) -> str: ...

    @property
    def legal_unit(self) -> str: ...

    @property
    def second_unit(self) -> str | None: ...

    def legal(self, quantity: int | Decimal) -> tuple[Decimal, Decimal | None]: ...


@dataclass(frozen=True)
class Header:
    """An account book's header, as another service reads it (dispatch keeps the book)."""
    book_no: str
    customs_district: str
    enterprise_code: str


@dataclass(frozen=True)
class Item:
    """An account-book item, as another service reads it: what a line needs, the legal quantities included."""
    item_no: int
    kind: str
    material_no: str
    hs_code: str
    goods_name: str
    specification: str
    declared_unit: str
    legal_unit: str
    legal_per_declared: Decimal
    second_unit: str | None = None
    second_per_declared: Decimal | None = None

    def legal(self, quantity: int | Decimal) -> tuple[Decimal, Decimal | None]:
        q = Decimal(quantity)
        second = None if self.second_per_declared is None else (q * self.second_per_declared).quantize(MILLI)
        return (q * self.legal_per_declared).quantize(MILLI), second


@dataclass(frozen=True)
class Moved:
    """What one line moves: a unit, a lot."""
    quantity: int
    value: Decimal
    currency: str
    origin_country: str
    destination_country: str
    serial_number: str | None = None


def line(n: int, item: BookEntry, moved: Moved) -> Line:
    """The line, or a RuleViolation naming what of it customs' format cannot carry (a control character in a
    serial number, a value too large)."""
    legal, second = item.legal(moved.quantity)
    price = (moved.value / moved.quantity).quantize(CENT)
    return checked(f"line {n} ({moved.serial_number or item.material_no})",
                   lambda: _line(n, item, moved, legal, second, price))


def _line(n: int, item: BookEntry, moved: Moved, legal: Decimal, second: Decimal | None, price: Decimal) -> Line:
    return Line(line_no=n, book_item_no=item.item_no, material_no=item.material_no, hs_code=item.hs_code,
                goods_name=item.goods_name, specification=item.specification,
                declared_quantity=Decimal(moved.quantity), declared_unit=item.declared_unit, legal_quantity=legal,
                legal_unit=item.legal_unit, second_quantity=second, second_unit=item.second_unit, unit_price=price,
                total_value=(price * moved.quantity).quantize(CENT), currency=moved.currency,
                origin_country=moved.origin_country, destination_country=moved.destination_country,
                serial_numbers=[moved.serial_number] if moved.serial_number else [])


def gate_pass(filing_id: str, list_no: str | None, book: BookHeader, direction: Direction, pass_type: str,
              vehicle_no: str) -> GatePass:
    if not list_no:
        raise Conflict(f"filing {filing_id} has no inventory list number from customs yet")
    return checked("the gate pass", lambda: GatePass(
        enterprise_pass_no=("GP" + filing_id.replace("-", ""))[:20], pass_type=pass_type, direction=direction,
        customs_district=book.customs_district, vehicle_no=vehicle_no, inventory_list_nos=[list_no]))


def enterprise_no(filing_id: str) -> str:
    """The enterprise's own number for a filing's list (企业内部编号)."""
    return filing_id.replace("-", "")[:20]
