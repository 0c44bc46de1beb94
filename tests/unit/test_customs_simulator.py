"""The customs SIMULATOR's decisions, clocked by the test: numbers, rejections, inspection by credit tier,
release after the delay, gate passes, amendments, cancellations and the controls tests use."""
from __future__ import annotations

from datetime import timedelta

from services.customs_simulator.platform import Options, Platform, Tier, selected
from shared.contract.customs import numbers
from shared.contract.customs.messages import InspectionKind, Kind, ReceiptKind
from tests.support import customs

T0 = customs.message().sent_at


def platform(**enterprises: Tier) -> Platform:
    return Platform(Options(release_delay_s=5, inspection_delay_s=3, enterprises=dict(enterprises)))


def never_inspected() -> Platform:
    p = platform()
    p.options.rates = dict.fromkeys(Tier, 0.0)
    return p


def test_a_good_list_is_accepted_with_a_qd_number_and_released_after_the_delay() -> None:
    p = never_inspected()
    (accepted,) = p.receive(customs.message(), T0)
    assert accepted.kind is ReceiptKind.accepted and accepted.simulated
    assert accepted.number == "QD224426I000000001" and numbers.valid("inventory_list", accepted.number)
    assert p.due(T0 + timedelta(seconds=4)) == []
    (released,) = p.due(T0 + timedelta(seconds=5))
    assert released.kind is ReceiptKind.released and released.number == accepted.number
    (second,) = p.receive(customs.message(), T0)
    assert second.number == "QD224426I000000002"


def test_a_list_breaking_a_rule_is_rejected_with_the_reason_and_a_corrected_one_is_accepted() -> None:
    p = never_inspected()
    bad = customs.message(inventory_list=customs.inventory_list(supervision_mode="9999"))
    (rejected,) = p.receive(bad, T0)
    assert rejected.kind is ReceiptKind.rejected and "supervision_mode '9999'" in (rejected.reason or "")
    assert rejected.number is None
    (accepted,) = p.receive(customs.message(), T0)
    assert accepted.kind is ReceiptKind.accepted


def test_the_same_message_sent_twice_gets_the_same_answer_not_a_second_number() -> None:
    p = never_inspected()
    m = customs.message()
    assert p.receive(m, T0) == p.receive(m, T0 + timedelta(seconds=1))
    assert len([r for r in p.receipts if r.kind is ReceiptKind.accepted]) == 1


def test_selection_is_reproducible_from_the_number_and_follows_the_tiers_rate() -> None:
    drawn = [f"QD224426I{n:09d}" for n in range(1, 2001)]
    share = sum(selected(n, 0.10) for n in drawn) / len(drawn)
    assert 0.07 < share < 0.13
    assert [selected(n, 0.10) for n in drawn] == [selected(n, 0.10) for n in drawn]
    assert not any(selected(n, 0.0) for n in drawn) and all(selected(n, 1.0) for n in drawn)


def test_a_top_tier_owner_is_inspected_by_remote_video_and_released_after_the_result() -> None:
    p = platform(**{customs.OWNER_CODE: Tier.advanced_certified})
    p.options.rates[Tier.advanced_certified] = 1.0
    accepted, instructed = p.receive(customs.message(), T0)
    assert instructed.kind is ReceiptKind.inspection and instructed.inspection is InspectionKind.remote_video
    (inspected,) = p.due(T0 + timedelta(seconds=3))
    assert inspected.kind is ReceiptKind.inspected and inspected.passed is True
    (released,) = p.due(T0 + timedelta(seconds=8))
    assert released.kind is ReceiptKind.released and released.number == accepted.number


def test_a_seriously_dishonest_owner_is_always_inspected_on_site() -> None:
    p = platform(**{customs.OWNER_CODE: Tier.seriously_dishonest})
    _, instructed = p.receive(customs.message(), T0)
    assert instructed.inspection is InspectionKind.on_site


def test_a_gate_pass_needs_its_lists_released_then_closes() -> None:
    p = never_inspected()
    (accepted,) = p.receive(customs.message(), T0)
    assert accepted.number is not None
    (early,) = p.receive(customs.gate_pass([accepted.number]), T0)
    assert early.kind is ReceiptKind.rejected and "not released yet" in (early.reason or "")
    p.due(T0 + timedelta(seconds=5))
    (passed,) = p.receive(customs.gate_pass([accepted.number]), T0 + timedelta(seconds=6))
    assert passed.kind is ReceiptKind.accepted and numbers.valid("gate_pass", passed.number or "")
    (closed,) = p.due(T0 + timedelta(seconds=11))
    assert closed.kind is ReceiptKind.closed
    assert p.declared[accepted.number].state == "closed"


def test_a_cancelled_list_is_never_released_and_cannot_be_cancelled_twice() -> None:
    p = never_inspected()
    (accepted,) = p.receive(customs.message(), T0)
    cancel = customs.message(Kind.cancellation, inventory_list=None, refers_to=accepted.number, reason="exit cancelled")
    (cancelled,) = p.receive(cancel, T0 + timedelta(seconds=1))
    assert cancelled.kind is ReceiptKind.cancelled and cancelled.number == accepted.number
    assert p.due(T0 + timedelta(seconds=60)) == []
    again = customs.message(Kind.cancellation, inventory_list=None, refers_to=accepted.number, reason="again")
    (refused,) = p.receive(again, T0 + timedelta(seconds=61))
    assert refused.kind is ReceiptKind.rejected and "cancelled" in (refused.reason or "")


def test_an_amendment_keeps_the_number_and_an_unknown_list_is_refused() -> None:
    p = never_inspected()
    (accepted,) = p.receive(customs.message(), T0)
    amend = customs.message(Kind.amendment, refers_to=accepted.number, reason="serial corrected")
    (ok,) = p.receive(amend, T0)
    assert ok.kind is ReceiptKind.accepted and ok.number == accepted.number
    unknown = customs.message(Kind.amendment, refers_to="QD224426I000000099", reason="x")
    assert p.receive(unknown, T0)[0].kind is ReceiptKind.rejected


def test_controls_reject_delay_duplicate_and_inspect_the_next_message_once() -> None:
    p = never_inspected()
    p.controls.reject_next = "declared value does not match the invoice"
    (rejected,) = p.receive(customs.message(), T0)
    assert rejected.reason == "declared value does not match the invoice"
    p.controls.delay_next_s, p.controls.duplicate_next = 60, True
    twice = p.receive(customs.message(), T0)
    assert len(twice) == 2 and twice[0] == twice[1]
    assert p.due(T0 + timedelta(seconds=59)) == []
    assert p.due(T0 + timedelta(seconds=60))[0].kind is ReceiptKind.released
    p.controls.inspect_next = InspectionKind.remote_video
    assert p.receive(customs.message(), T0)[1].inspection is InspectionKind.remote_video
    assert len(p.receive(customs.message(), T0)) == 1, "each control applies to one message"
