"""Repair's work order rules in plain Python: completion guards, quotes and the owner's decision, diagnosis."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.kit.errors import Conflict, Forbidden, RuleViolation
from services.repair.domain.diagnosis import Diagnosis
from services.repair.domain.quotes import OwnerAgreement, Quote, QuoteStatus, SkipReason, skip_reason
from services.repair.domain.states import Outcome, WorkOrderState
from services.repair.domain.work_orders import WorkOrder

S = WorkOrderState
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
LEAK = Diagnosis(("VAC-LEAK",), "helium leak at the chuck seal", False, NOW, "technician:li")
QUOTE = Quote(Decimal("1200.00"), Decimal("300.00"), "USD", NOW, "technician:li")


def wo(state: WorkOrderState = S.queued, **over: object) -> WorkOrder:
    base = WorkOrder(id="wo-1", unit_id="u-1", owner_id="o-1", serial_number="SN-1", hs_code="8486909000",
                     origin="foreign", opened_at=NOW, state=state)
    return replace(base, **over)


@pytest.mark.parametrize("last_test, shown", [(None, "none"), (False, "failed")])
def test_repaired_only_after_a_passing_test(last_test, shown):
    w = wo(S.testing, diagnosis=LEAK, last_test_passed=last_test)
    with pytest.raises(Conflict, match=f"only after a passing test; last test: {shown}"):
        w.complete(Outcome.repaired, "", NOW, "t")
    assert w.state is S.testing and w.outcome is None


def test_beyond_repair_needs_a_diagnosis():
    with pytest.raises(Conflict, match="record the diagnosis"):
        wo(S.diagnosing).complete(Outcome.beyond_repair, "", NOW, "t")


def test_returned_from_diagnosis_only_with_no_fault_found():
    with pytest.raises(Conflict, match="only with no fault found"):
        wo(S.diagnosing, diagnosis=LEAK).complete(Outcome.returned_unrepaired, "", NOW, "t")


def test_quote_needs_a_diagnosis_and_a_known_currency_and_no_negative_amounts():
    with pytest.raises(Conflict, match="no diagnosis yet"):
        wo(S.diagnosing).issue_quote(QUOTE, frozenset({"USD"}), None, "t")
    with pytest.raises(RuleViolation, match="unknown ISO 4217 currency 'XYZ'"):
        wo(S.diagnosing, diagnosis=LEAK).issue_quote(replace(QUOTE, currency="XYZ"), frozenset({"USD"}), None, "t")
    with pytest.raises(RuleViolation, match="cannot be negative"):
        wo(S.diagnosing, diagnosis=LEAK).issue_quote(replace(QUOTE, repair_fee=Decimal("-1")),
                                                     frozenset({"USD"}), None, "t")


def test_a_partner_decides_only_for_its_own_units_whatever_the_state():
    for state in (S.quote_pending, S.queued):
        with pytest.raises(Forbidden, match="another owner's unit") as refused:
            wo(state, quote=QUOTE).decide_quote(True, "o-2", "", NOW, "partner:p")
        assert refused.value.status == 403


def test_staff_may_record_the_owners_decision():
    w = wo(S.quote_pending, diagnosis=LEAK, quote=QUOTE)
    w.decide_quote(False, None, "owner phoned: too dear", NOW, "admin:ann")
    assert w.state is S.declined and w.quote.status is QuoteStatus.declined and w.quote.decided_by == "admin:ann"


def test_repair_cannot_start_while_parts_are_waited_for():
    with pytest.raises(Conflict, match="still waits for parts: 2 x PN-9") as refused:
        wo(S.awaiting_parts).start_repair(["2 x PN-9"], NOW, "t")
    assert refused.value.details == {"waiting": ["2 x PN-9"]}


@pytest.mark.parametrize("warranty, agreement, expected", [
    (True, None, SkipReason.warranty),
    (False, OwnerAgreement("o-1", True), SkipReason.owner_agreement),
    (False, OwnerAgreement("o-1", False), None),
    (False, None, None),
])
def test_when_a_quote_is_skipped(warranty, agreement, expected):
    assert skip_reason(warranty, agreement) is expected


def test_a_skipped_quote_goes_straight_to_approved():
    w = wo(S.diagnosing, diagnosis=LEAK, warranty=True)
    w.issue_quote(QUOTE, frozenset({"USD"}), SkipReason.warranty, "t")
    assert w.state is S.approved and w.quote.status is QuoteStatus.skipped and w.quote.go_ahead
    assert [s.action for s in w.steps] == ["skip_quote"]


@pytest.mark.parametrize("outcome, state, fee, currency", [
    (Outcome.repaired, S.testing, Decimal("1200.00"), "USD"),
    (Outcome.beyond_repair, S.in_repair, Decimal("0"), "USD"),
    (Outcome.returned_unrepaired, S.declined, Decimal("0"), "USD"),
])
def test_completion_fee_comes_from_the_go_ahead_quote(outcome, state, fee, currency):
    status = QuoteStatus.declined if state is S.declined else QuoteStatus.approved
    w = wo(state, diagnosis=LEAK, quote=replace(QUOTE, status=status), last_test_passed=True, labour_minutes=90)
    w.complete(outcome, "done", NOW, "t")
    assert (w.state.value, w.outcome, w.repair_fee, w.currency, w.completed_at) == \
        (outcome.value, outcome, fee, currency, NOW)


@pytest.mark.parametrize("codes, findings, nff, message", [
    ((), "looked", False, "at least one failure code"),
    (("VAC-LEAK",), "looked", True, "cannot carry failure codes"),
    (("VAC-LEAK",), "  ", False, "needs findings"),
    (("VAC-LEAK", "VAC-LEAK"), "looked", False, "listed twice"),
    (("VAC-LEAK", "MADE-UP"), "looked", False, r"unknown or inactive failure codes \['MADE-UP'\]"),
])
def test_diagnosis_refusals(codes, findings, nff, message):
    with pytest.raises(RuleViolation, match=message):
        Diagnosis(codes, findings, nff, NOW, "t").check(frozenset({"VAC-LEAK"}))


def test_diagnosis_is_checked_only_in_diagnosing_and_kept():
    w = wo(S.diagnosing)
    w.diagnose(LEAK, frozenset({"VAC-LEAK"}), NOW, "t")
    assert w.diagnosis == LEAK and w.steps[-1].note == "VAC-LEAK"
