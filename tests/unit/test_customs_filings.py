"""The exit filing's states, moved only by customs' receipts (and in the order customs gives them)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.dispatch.domain.filings import Filing, State
from services.kit.errors import Conflict
from shared.contract.customs.messages import InspectionKind, Kind, Receipt, ReceiptKind

AT = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def receipt(message_id: str, kind: ReceiptKind, **fields: object) -> Receipt:
    return Receipt(receipt_id=f"r-{kind.value}-{message_id}", message_id=message_id, kind=kind, issued_at=AT,
                   **fields)  # type: ignore[arg-type]


def sent() -> Filing:
    f = Filing("f1", ["u1"], "1371", "5", "DE")
    f.sending(Kind.inventory_list, "m1", AT, "desk")
    return f


def test_accepted_then_released_with_customs_number_and_a_late_or_repeated_receipt_changes_nothing() -> None:
    f = sent()
    assert f.answer(receipt("m1", ReceiptKind.accepted, number="QD224426E000000001"))
    assert not f.answer(receipt("m1", ReceiptKind.accepted, number="QD224426E000000009")), "a repeat changes nothing"
    assert (f.state, f.list_no) == (State.accepted, "QD224426E000000001")
    assert f.answer(receipt("m1", ReceiptKind.released))
    assert f.state is State.released and not f.answer(receipt("m1", ReceiptKind.inspection,
                                                              inspection=InspectionKind.on_site))
    assert [h["what"] for h in f.history] == ["inventory_list sent", "accepted", "released"]


def test_a_rejection_is_resent_as_a_new_message_and_an_answer_to_the_old_one_is_ignored() -> None:
    f = sent()
    f.answer(receipt("m1", ReceiptKind.rejected, reason="商品编码与备案不符"))
    assert (f.state, f.reason) == (State.rejected, "商品编码与备案不符")
    f.sending(Kind.inventory_list, "m2", AT, "desk")
    assert not f.answer(receipt("m1", ReceiptKind.accepted, number="QD224426E000000001"))
    f.answer(receipt("m2", ReceiptKind.accepted, number="QD224426E000000002"))
    assert (f.state, f.list_no, f.reason) == (State.accepted, "QD224426E000000002", None)


def test_gate_pass_only_after_release_and_cancellation_only_before_the_gate() -> None:
    f = sent()
    with pytest.raises(Conflict, match="once its list is released"):
        f.sending(Kind.gate_pass, "g1", AT, "desk")
    f.answer(receipt("m1", ReceiptKind.accepted, number="QD224426E000000001"))
    f.answer(receipt("m1", ReceiptKind.inspection, inspection=InspectionKind.remote_video))
    assert (f.state, f.inspection) == (State.inspection, "remote_video")
    f.answer(receipt("m1", ReceiptKind.released))
    f.sending(Kind.gate_pass, "g1", AT, "desk")
    f.answer(receipt("g1", ReceiptKind.accepted, number="HF224426E000000001"))
    f.answer(receipt("g1", ReceiptKind.closed))
    assert (f.state, f.pass_no) == (State.closed, "HF224426E000000001")
    with pytest.raises(Conflict, match="only a list customs accepted"):
        f.sending(Kind.cancellation, "c1", AT, "desk")


def test_a_refused_cancellation_leaves_the_list_standing() -> None:
    f = sent()
    f.answer(receipt("m1", ReceiptKind.accepted, number="QD224426E000000001"))
    f.sending(Kind.cancellation, "c1", AT, "desk")
    f.answer(receipt("c1", ReceiptKind.rejected, reason="already closed"))
    assert (f.state, f.list_no, f.reason) == (State.accepted, "QD224426E000000001", "already closed")
