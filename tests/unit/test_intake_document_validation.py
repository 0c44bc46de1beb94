"""Issue 14: inventory list numbers (format, I/E position, year) and a parts receipt's documents, in the domain."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.intake.domain.documents import DocumentFormats
from services.intake.domain.parts import PartsReceipt
from services.intake.domain.units import Origin
from services.intake.service.reference import iso_reference
from services.kit.errors import RuleViolation

DEC_2026 = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
NEW_YEAR_IN_CHINA = datetime(2026, 12, 31, 17, tzinfo=timezone.utc)  # already 2027-01-01 01:00 in Beijing


def receipt(documents: dict[str, str], bonded: bool = True, at: datetime = DEC_2026) -> PartsReceipt:
    return PartsReceipt(id="r", part_number="P", lot="L", quantity=1, unit_value=Decimal("1"), currency="USD",
                        hs_code="8486909000", origin=Origin.foreign, received_at=at, bonded=bonded,
                        documents=documents)


@pytest.mark.parametrize("number, at, tolerance, why", [
    ("QD531699I000000001", DEC_2026, 0, "carries the year 2099, after 2026"),
    ("QD224427I000000001", DEC_2026, 0, "carries the year 2027, after 2026"),
    ("QD224428I000000001", DEC_2026, 1, "carries the year 2028, after 2027"),
    ("QD224426E000000001", DEC_2026, 0, "is an exit list"),
    ("QD224426I00000001", DEC_2026, 0, "must be 18 characters"),
])
def test_inventory_list_refusals(number, at, tolerance, why):
    with pytest.raises(RuleViolation, match=why):
        DocumentFormats(year_tolerance=tolerance).check_inventory_list(number, "I", at)


@pytest.mark.parametrize("number, at, tolerance", [
    ("QD224426I000000001", DEC_2026, 0), ("QD224420I000000001", DEC_2026, 0),
    ("QD224427I000000001", DEC_2026, 1), ("QD224427I000000001", NEW_YEAR_IN_CHINA, 0),
])
def test_inventory_lists_of_this_year_or_within_the_tolerance_pass(number, at, tolerance):
    DocumentFormats(year_tolerance=tolerance).check_inventory_list(number, "I", at)


@pytest.mark.parametrize("documents, field", [
    ({}, "documents.bonded_inventory_list"),
    ({"bonded_inventory_list": "garbage", "gate_pass": "x"}, "documents.bonded_inventory_list"),
    ({"bonded_inventory_list": "QD224426E000000777"}, "documents.bonded_inventory_list"),
    ({"bonded_inventory_list": "QD224426I000000777", "gate_pass": "x"}, "documents.gate_pass"),
])
def test_a_bonded_receipt_needs_a_good_entry_list(documents, field):
    with pytest.raises(RuleViolation) as refused:
        receipt(documents).check(iso_reference(), DocumentFormats())
    assert refused.value.details == {"field": field}


def test_good_receipts_pass():
    receipt({"bonded_inventory_list": "QD224426I000000777", "gate_pass": "HF22440000000001"}).check(
        iso_reference(), DocumentFormats())
    duty_paid = receipt({}, bonded=False)
    duty_paid.origin = Origin.domestic
    duty_paid.check(iso_reference(), DocumentFormats())


def test_a_huge_number_is_quoted_cut_short():
    with pytest.raises(RuleViolation) as refused:
        DocumentFormats().check("gate_pass", "G" * 100_000, "gate_pass_no")
    assert len(refused.value.message) < 500 and "100002 characters in all" in refused.value.message
