"""Customs messages: the XML both ways against the published XSD, and the field rules customs rejects by."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.contract.customs import numbers, rules, xml
from shared.contract.customs.messages import Kind, Message, Receipt, ReceiptKind
from tests.support import customs


def test_a_declaration_round_trips_through_its_xml_and_the_xml_validates() -> None:
    m = customs.message(inventory_list=customs.inventory_list([customs.line(1), customs.line(2)]))
    document = xml.dumps(m)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b"<supervision_mode>1371</supervision_mode>" in document and "射频发生器".encode() in document
    assert xml.schema().validate(xml.etree.fromstring(document))
    assert xml.loads(document, Message) == m


def test_a_receipt_round_trips_and_says_it_is_simulated() -> None:
    r = Receipt(receipt_id="r-1", message_id="m-1", kind=ReceiptKind.accepted, issued_at=customs.message().sent_at,
                number="QD224426I000000001", simulated=True)
    document = xml.dumps(r)
    assert b"<simulated>true</simulated>" in document
    assert xml.loads(document, Receipt) == r


@pytest.mark.parametrize(("mutate", "says"), [
    (lambda d: d.replace(b"<hs_code>8486909000</hs_code>", b"<hs_code>84869090</hs_code>"), "hs_code"),
    (lambda d: d.replace(b"<direction>I</direction>", b"<direction>X</direction>"), "direction"),
    (lambda d: d.replace(b"<declared_quantity>1</declared_quantity>", b"<declared_quantity>0</declared_quantity>"),
     "declared_quantity"),
    (lambda d: d.replace(b"<currency>USD</currency>", b""), "currency"),
    (lambda d: d.replace(b"<version>1.0</version>", b"<version>2.0</version>"), "version"),
    (lambda d: d[:-30], "well-formed"),
])
def test_a_document_that_breaks_the_schema_is_refused_with_what_is_wrong(mutate, says) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(xml.MessageError, match=says):
        xml.loads(mutate(xml.dumps(customs.message())), Message)


def test_entities_are_not_expanded_and_the_network_is_never_read() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<message xmlns="urn:bondline:customs:messages:1.0"><version>&x;</version></message>')
    with pytest.raises(xml.MessageError, match="DOCTYPE") as refused:
        xml.loads(evil, Message)
    assert "root:" not in str(refused.value)


def test_a_valid_declaration_breaks_no_rule() -> None:
    assert rules.check(customs.message()) == []


@pytest.mark.parametrize(("m", "says"), [
    (customs.message(inventory_list=customs.inventory_list(supervision_mode="9999")), "supervision_mode '9999'"),
    (customs.message(inventory_list=customs.inventory_list(transport_mode="Q")), "transport_mode 'Q'"),
    (customs.message(inventory_list=customs.inventory_list([customs.line(1, declared_unit="999")])),
     "declared_unit '999'"),
    (customs.message(inventory_list=customs.inventory_list([customs.line(1, total_value=Decimal("18000.00"))])),
     "total_value 18000.00 is not unit_price x declared_quantity (18500.00)"),
    (customs.message(inventory_list=customs.inventory_list([customs.line(1), customs.line(3)])),
     "numbered [1, 3]"),
    (customs.message(inventory_list=customs.inventory_list([customs.line(1, second_quantity=Decimal("12"))])),
     "second_quantity and second_unit go together"),
    (customs.message(Kind.gate_pass), "needs gate_pass"),
    (customs.gate_pass(["QD224426I000000001"], pass_type="6"), "empty-vehicle"),
    (customs.gate_pass([]), "must name the inventory lists"),
    (customs.gate_pass(["BL-1"]), "'BL-1' is not a customs inventory list number"),
    (customs.message(Kind.cancellation, inventory_list=None, refers_to="QD224426I000000001"), "needs reason"),
])
def test_each_field_rule_names_what_it_refuses(m: Message, says: str) -> None:
    assert any(says in p for p in rules.check(m)), rules.check(m)


def test_numbers_have_customs_formats() -> None:
    assert numbers.build("inventory_list", "2244", 2026, "I", 1) == "QD224426I000000001"
    assert numbers.build("gate_pass", "2244", 2026, "E", 12) == "HF224426E000000012"
    assert numbers.valid("inventory_list", "QD224426I000000001")
    assert not numbers.valid("inventory_list", "QD224426X000000001")
    with pytest.raises(ValueError, match="9 digits"):
        numbers.build("inventory_list", "2244", 2026, "I", 10**9)


@given(st.lists(st.tuples(st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("9999"), places=5),
                          st.decimals(min_value=Decimal(0), max_value=Decimal("1000000"), places=2)),
                min_size=1, max_size=5))
def test_any_list_whose_totals_are_price_times_quantity_is_accepted_and_round_trips(pairs) -> None:  # type: ignore[no-untyped-def]
    lines = [customs.line(i + 1, declared_quantity=q, legal_quantity=q, unit_price=p,
                          total_value=(p * q).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))
             for i, (q, p) in enumerate(pairs)]
    m = customs.message(inventory_list=customs.inventory_list(lines))
    assert rules.check(m) == []
    assert xml.loads(xml.dumps(m), Message) == m
