"""The work order state machine, table-driven: every action from every state, legal or refused (409)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.kit.errors import Conflict
from services.repair.domain.diagnosis import Diagnosis
from services.repair.domain.quotes import Quote, QuoteStatus, SkipReason
from services.repair.domain.states import Outcome, WorkOrderState
from services.repair.domain.work_orders import WorkOrder

S = WorkOrderState
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
ALL = list(S)
OPEN = [s for s in S if s not in (S.repaired, S.beyond_repair, S.returned_unrepaired)]
NFF = Diagnosis((), "no fault reproduced over 8 h", True, NOW, "technician:li")
CODES = frozenset({"VAC-LEAK"})
QUOTE = Quote(Decimal("1200.00"), Decimal("300.00"), "USD", NOW, "technician:li")

Command = Callable[[WorkOrder], None]
COMMANDS: dict[str, Command] = {
    "start_diagnosis": lambda w: w.start_diagnosis(NOW, "t"),
    "diagnose": lambda w: w.diagnose(NFF, CODES, NOW, "t"),
    "issue_quote": lambda w: w.issue_quote(QUOTE, frozenset({"USD"}), None, "t"),
    "skip_quote": lambda w: w.issue_quote(QUOTE, frozenset({"USD"}), SkipReason.warranty, "t"),
    "approve_quote": lambda w: w.decide_quote(True, "o-1", "", NOW, "partner:o-1"),
    "decline_quote": lambda w: w.decide_quote(False, "o-1", "too dear", NOW, "partner:o-1"),
    "request_parts": lambda w: w.request_parts("1 x PN", NOW, "t"),
    "start_repair": lambda w: w.start_repair([], NOW, "t"),
    "consume_parts": lambda w: w.consume_parts("1 x PN", NOW, "t"),
    "start_testing": lambda w: w.start_testing(NOW, "t"),
    "pass_test": lambda w: w.record_test(True, "ATP-1", NOW, "t"),
    "fail_test": lambda w: w.record_test(False, "ATP-1", NOW, "t"),
    "complete_repaired": lambda w: w.complete(Outcome.repaired, "", NOW, "t"),
    "declare_beyond_repair": lambda w: w.complete(Outcome.beyond_repair, "", NOW, "t"),
    "return_unrepaired": lambda w: w.complete(Outcome.returned_unrepaired, "", NOW, "t"),
    "assign": lambda w: w.assign("li", NOW, "t"),
    "log_labour": lambda w: w.log_labour(30, "", NOW, "t"),
}
# action -> {state it may start from: state it leads to}; every other state refuses it with 409
LEGAL: dict[str, dict[WorkOrderState, WorkOrderState]] = {
    "start_diagnosis": {S.queued: S.diagnosing},
    "diagnose": {S.diagnosing: S.diagnosing},
    "issue_quote": {S.diagnosing: S.quote_pending},
    "skip_quote": {S.diagnosing: S.approved},
    "approve_quote": {S.quote_pending: S.approved},
    "decline_quote": {S.quote_pending: S.declined},
    "request_parts": {S.approved: S.awaiting_parts, S.awaiting_parts: S.awaiting_parts,
                      S.in_repair: S.awaiting_parts},
    "start_repair": {S.approved: S.in_repair, S.awaiting_parts: S.in_repair},
    "consume_parts": {S.in_repair: S.in_repair},
    "start_testing": {S.in_repair: S.testing},
    "pass_test": {S.testing: S.testing},
    "fail_test": {S.testing: S.in_repair},
    "complete_repaired": {S.testing: S.repaired},
    "declare_beyond_repair": {s: S.beyond_repair for s in (S.diagnosing, S.approved, S.awaiting_parts,
                                                           S.in_repair, S.testing)},
    "return_unrepaired": {S.declined: S.returned_unrepaired, S.diagnosing: S.returned_unrepaired},
    "assign": {s: s for s in OPEN},
    "log_labour": {s: s for s in OPEN if s is not S.queued},
}
CASES = [(action, state) for action in COMMANDS for state in ALL]


def in_state(state: WorkOrderState) -> WorkOrder:
    """A work order in ``state`` whose every precondition is met (diagnosed, quoted, tested passing)."""
    return WorkOrder(id="wo-1", unit_id="u-1", owner_id="o-1", serial_number="SN-1", hs_code="8486909000",
                     origin="foreign", opened_at=NOW, state=state, diagnosis=NFF,
                     quote=replace(QUOTE, status=QuoteStatus.pending), last_test_passed=True)


def test_every_action_has_a_row():
    assert set(COMMANDS) == set(LEGAL)


@pytest.mark.parametrize("action, state", CASES, ids=[f"{a}-from-{s.value}" for a, s in CASES])
def test_action_from_state(action: str, state: WorkOrderState):
    wo = in_state(state)
    if state in LEGAL[action]:
        COMMANDS[action](wo)
        assert wo.state is LEGAL[action][state]
        assert wo.steps and wo.steps[-1].to_state == wo.state.value
        return
    with pytest.raises(Conflict) as refused:
        COMMANDS[action](wo)
    assert refused.value.status == 409
    assert f"it is {state.value}" in refused.value.message and "allowed now:" in refused.value.message
    assert refused.value.details["state"] == state.value
    assert wo.state is state and wo.steps == []  # nothing changed


@pytest.mark.parametrize("state", ALL)
def test_refusal_names_the_transitions_allowed_now(state: WorkOrderState):
    wo = in_state(state)
    with pytest.raises(Conflict) as refused:
        wo.start_diagnosis(NOW, "t") if state is not S.queued else wo.start_testing(NOW, "t")
    allowed = refused.value.details["allowed_transitions"]
    assert allowed == sorted(a for a, legal in LEGAL.items() if state in legal and legal[state] is not state)
    assert all(a in refused.value.message for a in allowed)
    assert ("nothing (closed)" in refused.value.message) == (not allowed)


def test_a_work_order_opens_queued_with_a_history_line():
    wo = WorkOrder.open(NOW, "event:/bondline/intake", id="wo-1", unit_id="u-1", owner_id="o-1",
                        serial_number="SN-1", hs_code="8486909000", origin="foreign")
    assert wo.state is S.queued and [s.action for s in wo.steps] == ["open"]
    assert wo.steps[0].from_state is None and wo.steps[0].to_state == "queued"


def test_a_failed_test_is_recorded_then_sends_the_unit_back():
    wo = in_state(S.testing)
    wo.record_test(False, "ATP-1", NOW, "t")
    assert [(s.action, s.from_state, s.to_state) for s in wo.steps] == [
        ("record_test", "testing", "testing"), ("fail_test", "testing", "in_repair")]
    assert wo.last_test_passed is False
