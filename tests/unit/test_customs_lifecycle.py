"""The lifecycle every declaration shares (entry and exit): amendments and cancellations are messages of their own,
answered by receipts of their own; an entry filing's receipts say what happens to its units."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.intake.domain.entry_filings import EntryFiling, Step, UnitFacts, entry_list, step
from services.kit.customs.documents import Header, Item
from services.kit.customs.lifecycle import State
from services.kit.errors import Conflict, RuleViolation
from shared.contract.customs import rules
from shared.contract.customs.messages import InspectionKind, Kind, Receipt, ReceiptKind
from tests.support import customs

AT = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
BOOK = Header("H2244B000001", "2244", "3122W60001")
ITEM = Item(1, "unit", "0040-86372", "8486909000", "静电卡盘 ESC", "", "001", "001", Decimal(1), "035", Decimal("38.5"))


def receipt(message_id: str, kind: ReceiptKind, **fields: object) -> Receipt:
    return Receipt(receipt_id=f"r-{kind.value}-{message_id}", message_id=message_id, kind=kind, issued_at=AT,
                   **fields)  # type: ignore[arg-type]


def accepted() -> EntryFiling:
    f = EntryFiling("f1", ["u1"], "owner", "KR", "5")
    f.sending(Kind.inventory_list, "m1", AT, "clerk")
    f.answer(receipt("m1", ReceiptKind.accepted, number="QD224426I000000001"))
    return f


def test_an_amendment_waits_for_its_own_answer_and_blocks_everything_else_meanwhile() -> None:
    f = accepted()
    f.sending(Kind.amendment, "a1", AT, "clerk")
    assert f.change_message_id == "a1" and f.state is State.accepted
    with pytest.raises(Conflict, match="waits for customs' answer"):
        f.sending(Kind.cancellation, "c1", AT, "clerk")
    assert f.answer(receipt("m1", ReceiptKind.released)), "the list's own receipts still apply"
    assert f.answer(receipt("a1", ReceiptKind.rejected, reason="reason not sufficient"))
    assert (f.state, f.change_message_id, f.reason) == (State.released, None, "reason not sufficient")
    f.sending(Kind.amendment, "a2", AT, "clerk")
    assert f.answer(receipt("a2", ReceiptKind.accepted, number="QD224426I000000001"))
    assert (f.change_message_id, f.reason) == (None, None)
    assert not f.answer(receipt("a2", ReceiptKind.accepted, number="QD224426I000000001")), "read twice: nothing"


def test_a_list_not_yet_accepted_or_already_carried_is_not_amended() -> None:
    f = EntryFiling("f1", ["u1"], "owner", "KR", "5")
    f.sending(Kind.inventory_list, "m1", AT, "clerk")
    with pytest.raises(Conflict, match="only a list customs accepted"):
        f.sending(Kind.amendment, "a1", AT, "clerk")
    f = accepted()
    f.answer(receipt("m1", ReceiptKind.released))
    f.sending(Kind.gate_pass, "g1", AT, "clerk")
    with pytest.raises(Conflict, match="only a list customs accepted"):
        f.sending(Kind.amendment, "a1", AT, "clerk")


def test_each_receipt_that_moves_an_entry_filing_says_what_it_does_to_the_units() -> None:
    f = EntryFiling("f1", ["u1"], "owner", "KR", "5")
    f.sending(Kind.inventory_list, "m1", AT, "clerk")
    seen = []
    for r in (receipt("m1", ReceiptKind.accepted, number="QD224426I000000001"),
              receipt("m1", ReceiptKind.inspection, inspection=InspectionKind.remote_video),
              receipt("m1", ReceiptKind.inspected, passed=False)):
        assert f.answer(r)
        seen.append(step(f, r))
    assert seen == [Step.numbered, Step.inspection, Step.failed] and f.inspection == "remote_video"
    assert not f.answer(receipt("m1", ReceiptKind.inspected, passed=True)), "a passed inspection waits for release"


def test_the_entry_list_comes_from_the_book_item_of_each_units_part_number() -> None:
    f = EntryFiling("f1", ["u1"], "owner", "KR", "5")
    unit = UnitFacts("u1", "0040-86372", "SN-1", Decimal("42000.00"), "USD", "KR")
    doc = entry_list(f, BOOK, customs.OWNER_CODE, [unit], {"0040-86372": ITEM})
    (line,) = doc.lines
    assert (doc.direction.value, doc.destination_country, doc.owner_code) == ("I", "CN", customs.OWNER_CODE)
    assert (line.book_item_no, line.legal_quantity, line.second_quantity, line.serial_numbers) == (
        1, Decimal("1.00000"), Decimal("38.50000"), ["SN-1"])
    assert rules.check_inventory_list(doc) == []
    with pytest.raises(RuleViolation, match="is not in account book H2244B000001"):
        entry_list(f, BOOK, customs.OWNER_CODE, [unit], {})
