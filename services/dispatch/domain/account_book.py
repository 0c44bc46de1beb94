"""The electronic account book (电子账册): the enterprise's registered items, their legal units, and the per-item
balances customs verifies, in quantity and in value.

A book (账册编号, e.g. ``H2244B000001``) lists items (备案序号 / 项号): the enterprise's material number (料号), the HS
code, goods name and specification, the declared unit and the HS code's legal unit(s) of measure (法定第一/第二
计量单位, from the reference data), with the factor from the declared unit to each, and a unit price. Ledger items map
to book items by kind and material number: a unit's item is its part number's (the same before and after repair), a
lot of parts its part number's, an old part has an item of its own (kind ``old_part``), scrap too.

Per item the identity customs checks is the ledger's, in declared quantity, legal quantity and value:

    opening + received + transferred_in = transferred_out + consumed + exported + released + destroyed + on hand

(opening and on hand counted per ledger item floored at zero, as the ledger counts them)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from services.dispatch.domain.ledger import INWARD, ItemKind, Movement
from services.kit.errors import RuleViolation

BOOK_NO = re.compile(r"^[A-Z]\d{4}[A-Z0-9]{7}$")   # type letter + district + 7 (customs' format, 12 characters)
ENTERPRISE = re.compile(r"^[0-9A-Z]{10}$")          # 海关编码
UNIT_CODE = re.compile(r"^\d{3}$")
CENT, MILLI = Decimal("0.01"), Decimal("0.00001")


@dataclass(frozen=True)
class Book:
    book_no: str
    enterprise_code: str
    enterprise_name: str
    book_type: str
    customs_district: str
    valid_from: date
    valid_to: date
    cycle_days: int

    def check(self) -> None:
        if not BOOK_NO.match(self.book_no):
            raise RuleViolation(f"book_no {self.book_no!r} is not an account book number: a letter, the 4-digit "
                                "district and 7 letters or digits (e.g. H2244B000001)", field="book_no")
        if self.book_no[1:5] != self.customs_district:
            raise RuleViolation(f"book {self.book_no} names district {self.book_no[1:5]}, not {self.customs_district}",
                                field="customs_district")
        if not ENTERPRISE.match(self.enterprise_code):
            raise RuleViolation("enterprise_code must be the 10-character customs code", field="enterprise_code")
        if self.valid_to <= self.valid_from:
            raise RuleViolation("valid_to must be after valid_from", field="valid_to")


@dataclass(frozen=True)
class LegalUnits:
    """The HS code's legal units of measure (reference data): the first always, a second for some codes."""
    first: str
    second: str | None = None


@dataclass(frozen=True)
class BookItem:
    book_no: str
    item_no: int
    kind: str
    material_no: str
    hs_code: str
    goods_name: str
    specification: str
    declared_unit: str
    legal_unit: str
    legal_per_declared: Decimal
    second_unit: str | None
    second_per_declared: Decimal | None
    unit_price: Decimal
    currency: str

    def legal(self, quantity: int | Decimal) -> tuple[Decimal, Decimal | None]:
        """Declared quantity in the first and (if any) second legal unit."""
        q = Decimal(quantity)
        second = None if self.second_per_declared is None else (q * self.second_per_declared).quantize(MILLI)
        return (q * self.legal_per_declared).quantize(MILLI), second

    def priced(self, quantity: int | Decimal) -> Decimal:
        return (Decimal(quantity) * self.unit_price).quantize(CENT, ROUND_HALF_UP)


def register(book: Book, item_no: int, kind: str, material_no: str, hs_code: str, goods_name: str,
             specification: str, declared_unit: str, units: LegalUnits | None, unit_price: Decimal, currency: str,
             legal_per_declared: Decimal | None = None, second_per_declared: Decimal | None = None,
             known_units: frozenset[str] = frozenset()) -> BookItem:
    """A new item (备案): its legal units from the HS code's reference data, a factor wherever the units differ."""
    if kind not in ItemKind.__members__:
        raise RuleViolation(f"kind {kind!r} is not one of {', '.join(ItemKind)}", field="kind")
    if units is None:
        raise RuleViolation(f"HS code {hs_code} has no legal units of measure in the reference data; add it there "
                            "before registering the item", field="hs_code")
    if not UNIT_CODE.match(declared_unit) or (known_units and declared_unit not in known_units):
        raise RuleViolation(f"declared_unit {declared_unit!r} is not a unit code of the code list",
                            field="declared_unit")
    first = _factor(declared_unit, units.first, legal_per_declared, "legal_per_declared")
    second = None if units.second is None else _factor(declared_unit, units.second, second_per_declared,
                                                       "second_per_declared")
    if unit_price < 0:
        raise RuleViolation("unit_price must not be negative", field="unit_price")
    return BookItem(book.book_no, item_no, kind, material_no, hs_code, goods_name, specification, declared_unit,
                    units.first, first, units.second, second, unit_price.quantize(CENT), currency)


def _factor(declared: str, legal: str, given: Decimal | None, name: str) -> Decimal:
    if declared == legal:
        if given not in (None, Decimal(1)):
            raise RuleViolation(f"{name} must be 1 (or left out): the declared unit is the legal unit {legal}",
                                field=name)
        return Decimal(1)
    if given is None or given <= 0:
        raise RuleViolation(f"the declared unit {declared} is not the legal unit {legal}: give {name}, how many "
                            f"{legal} one {declared} is", field=name)
    return given


# ---- balances per item ----------------------------------------------------------------------------------------

@dataclass
class Amounts:
    quantity: Decimal = Decimal(0)
    legal_quantity: Decimal = Decimal(0)
    value: Decimal = Decimal(0)

    def add(self, quantity: Decimal, legal: Decimal, value: Decimal, sign: int = 1) -> None:
        self.quantity += sign * quantity
        self.legal_quantity += sign * legal
        self.value += sign * value


@dataclass
class ItemBalance:
    """One book item over a span: what each movement moved, in declared and legal quantity and in value, and what
    is on hand, counted apart: per ledger item (a unit, a lot) floored at zero, as the ledger counts it. So the
    identity fails exactly when some ledger item of the book item went out without coming in."""
    book_item_no: int
    moved: dict[Movement, Amounts] = field(default_factory=lambda: {m: Amounts() for m in Movement})
    on_hand: Amounts = field(default_factory=Amounts)
    opening: Amounts = field(default_factory=Amounts)
    """on hand when the span began (a period's report); zero for balances since the beginning"""

    def record(self, movement: Movement, quantity: Decimal, legal: Decimal, value: Decimal) -> None:
        self.moved[movement].add(quantity, legal, value)

    def hold(self, quantity: Decimal, legal: Decimal, value: Decimal) -> None:
        """One ledger item's balance; less than nothing is nothing."""
        if quantity > 0:
            self.on_hand.add(quantity, legal, value)

    def difference(self, attr: str) -> Decimal:
        """On hand minus what the movements explain (0 when the item balances in ``attr``)."""
        inward = getattr(self.opening, attr) + sum((getattr(self.moved[m], attr) for m in INWARD), Decimal(0))
        outward = sum((getattr(self.moved[m], attr) for m in Movement if m not in INWARD), Decimal(0))
        return getattr(self.on_hand, attr) - (inward - outward)


def outward_value(quantity: int, on_hand_quantity: Decimal, on_hand_value: Decimal, item: BookItem) -> Decimal:
    """What an outward movement takes off the book: its share of what the ledger item holds now, so that the last
    piece out takes what is left (an item at zero in quantity is at zero in value); the registered price for what
    it does not hold (an exit the ledger reports as a shortfall)."""
    if on_hand_quantity <= 0:
        return item.priced(quantity)
    if quantity >= on_hand_quantity:  # all that is held, and what it did not hold at the registered price
        return on_hand_value + item.priced(Decimal(quantity) - on_hand_quantity)
    return (on_hand_value * Decimal(quantity) / on_hand_quantity).quantize(CENT, ROUND_HALF_UP)
