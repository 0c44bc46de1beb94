"""The account book's rules: the book number, items with the HS code's legal units, conversions, and per-item
balances that hold in quantity, legal quantity and value whatever sequence of movements (property test)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.dispatch.domain import account_book as ab
from services.dispatch.domain.account_book import Book, ItemBalance, LegalUnits
from services.dispatch.domain.ledger import Movement
from services.kit.errors import RuleViolation

BOOK = Book("H2244B000001", "3122W60001", "Lingang Bonded Repair Co.", "bonded_repair", "2244",
            date(2026, 1, 1), date(2027, 12, 31), 730)
TOOL, PARTS = LegalUnits("001", "035"), LegalUnits("035")


def item(**changes):  # type: ignore[no-untyped-def]
    fields = dict(book=BOOK, item_no=1, kind="unit", material_no="AMAT-0010-1234", hs_code="8486909000",
                  goods_name="射频发生器 RF generator", specification="13.56 MHz 3 kW", declared_unit="001",
                  units=TOOL, unit_price=Decimal("18500"), currency="USD", second_per_declared=Decimal("48.5"))
    return ab.register(**(fields | changes))


def test_a_book_number_is_customs_format_and_names_its_district() -> None:
    BOOK.check()
    for bad, field in (("H2244B00001", "book_no"), ("H3100B000001", "customs_district")):
        with pytest.raises(RuleViolation) as e:
            Book(bad, *list(vars(BOOK).values())[1:]).check()
        assert e.value.details["field"] == field
    with pytest.raises(RuleViolation, match="valid_to must be after valid_from"):
        Book("H2244B000001", "3122W60001", "x", "t", "2244", date(2027, 1, 1), date(2026, 1, 1), 730).check()


def test_legal_units_come_from_the_hs_code_and_a_factor_is_needed_where_units_differ() -> None:
    tool = item()
    assert (tool.legal_unit, tool.second_unit, tool.legal_per_declared) == ("001", "035", Decimal(1))
    assert tool.legal(2) == (Decimal("2.00000"), Decimal("97.00000")), "2 台 = 2 台 and 97 kg"
    with pytest.raises(RuleViolation, match="give second_per_declared, how many 035 one 001 is"):
        item(second_per_declared=None)
    lot = item(kind="part_lot", material_no="0190-12345", declared_unit="007", units=PARTS,
               legal_per_declared=Decimal("0.35"), unit_price=Decimal("12.40"), second_per_declared=None)
    assert lot.legal(10) == (Decimal("3.50000"), None) and lot.priced(3) == Decimal("37.20")
    with pytest.raises(RuleViolation, match="legal_per_declared must be 1"):
        item(legal_per_declared=Decimal("2"))


def test_an_item_needs_reference_data_for_its_hs_code_and_a_known_unit() -> None:
    with pytest.raises(RuleViolation, match="HS code 8486909000 has no legal units of measure in the reference"):
        item(units=None)
    with pytest.raises(RuleViolation, match="not a unit code of the code list"):
        item(declared_unit="999", known_units=frozenset({"001", "035"}))
    with pytest.raises(RuleViolation, match="kind 'widget'"):
        item(kind="widget")


def test_the_last_piece_out_takes_what_is_left_in_value() -> None:
    lot = item(kind="part_lot", declared_unit="035", units=PARTS, unit_price=Decimal("10"), second_per_declared=None)
    held_q, held_v, taken = Decimal(3), Decimal("10.00"), []
    for _ in range(3):  # 10.00 for 3 pieces: 3.33, 3.34 (of 6.67 for 2), then what is left
        v = ab.outward_value(1, held_q, held_v, lot)
        taken.append(v)
        held_q, held_v = held_q - 1, held_v - v
    assert sum(taken) == Decimal("10.00") and held_v == 0
    assert ab.outward_value(2, Decimal(0), Decimal(0), lot) == Decimal("20.00"), "nothing held: the book price"


MOVES = st.lists(st.tuples(st.sampled_from(list(Movement)), st.integers(1, 5)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(moves=MOVES, price=st.decimals(0, 100_000, places=2))
def test_any_sequence_of_movements_balances_in_quantity_and_value_unless_more_went_out_than_came_in(moves, price):
    lot = item(kind="part_lot", declared_unit="007", units=PARTS, legal_per_declared=Decimal("0.125"),
               unit_price=price, second_per_declared=None)
    b, held = ItemBalance(lot.item_no), [Decimal(0), Decimal(0), Decimal(0)]  # one ledger item: qty, legal, value
    for movement, n in moves:
        legal, _ = lot.legal(n)
        inward = movement in (Movement.received, Movement.transferred_in)
        value = lot.priced(n) if inward else ab.outward_value(n, held[0], held[2], lot)
        b.record(movement, Decimal(n), legal, value)
        sign = 1 if inward else -1
        emptied = not inward and held[0] > 0 and held[0] - n == 0
        held = [held[0] + sign * n, held[1] + sign * legal, held[2] + sign * value]
        if emptied:
            assert held[2] == 0, "a lot emptied in quantity is empty in value"
    b.hold(*held)
    quantity_holds = b.difference("quantity") == 0
    assert quantity_holds == (held[0] >= 0), "the identity fails exactly when more went out than came in"
    if quantity_holds:
        assert b.difference("legal_quantity") == 0 and b.difference("value") == 0
