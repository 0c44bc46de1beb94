"""The work order state machine: which action may start from which state, and where it leads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class WorkOrderState(StrEnum):
    queued = "queued"
    diagnosing = "diagnosing"
    quote_pending = "quote_pending"
    approved = "approved"
    declined = "declined"
    awaiting_parts = "awaiting_parts"
    in_repair = "in_repair"
    testing = "testing"
    repaired = "repaired"
    beyond_repair = "beyond_repair"
    returned_unrepaired = "returned_unrepaired"


class Outcome(StrEnum):
    repaired = "repaired"
    beyond_repair = "beyond_repair"
    returned_unrepaired = "returned_unrepaired"


S = WorkOrderState
TERMINAL = frozenset({S.repaired, S.beyond_repair, S.returned_unrepaired})
OPEN = frozenset(S) - TERMINAL


@dataclass(frozen=True)
class Rule:
    allowed_from: frozenset[WorkOrderState]
    to: WorkOrderState | None = None  # None: the action does not change the state


def _rule(allowed_from: set[WorkOrderState] | frozenset[WorkOrderState], to: WorkOrderState | None = None) -> Rule:
    return Rule(frozenset(allowed_from), to)


RULES: dict[str, Rule] = {
    # transitions
    "start_diagnosis": _rule({S.queued}, S.diagnosing),
    "issue_quote": _rule({S.diagnosing}, S.quote_pending),
    "skip_quote": _rule({S.diagnosing}, S.approved),
    "approve_quote": _rule({S.quote_pending}, S.approved),
    "decline_quote": _rule({S.quote_pending}, S.declined),
    "request_parts": _rule({S.approved, S.awaiting_parts, S.in_repair}, S.awaiting_parts),
    "start_repair": _rule({S.approved, S.awaiting_parts}, S.in_repair),
    "start_testing": _rule({S.in_repair}, S.testing),
    "fail_test": _rule({S.testing}, S.in_repair),
    "complete_repaired": _rule({S.testing}, S.repaired),
    "declare_beyond_repair": _rule({S.diagnosing, S.approved, S.awaiting_parts, S.in_repair, S.testing},
                                   S.beyond_repair),
    "return_unrepaired": _rule({S.declined, S.diagnosing}, S.returned_unrepaired),
    # work recorded without a change of state
    "assign": _rule(OPEN),
    "diagnose": _rule({S.diagnosing}),
    "consume_parts": _rule({S.in_repair}),
    "record_test": _rule({S.testing}),
    "log_labour": _rule(OPEN - {S.queued}),
}
COMPLETION = {Outcome.repaired: "complete_repaired", Outcome.beyond_repair: "declare_beyond_repair",
              Outcome.returned_unrepaired: "return_unrepaired"}


def allowed_actions(state: WorkOrderState) -> list[str]:
    """Every action a work order in ``state`` accepts (transitions and recorded work)."""
    return sorted(a for a, r in RULES.items() if state in r.allowed_from)


def transitions_from(state: WorkOrderState) -> list[str]:
    return sorted(a for a, r in RULES.items() if state in r.allowed_from and r.to not in (None, state))


@dataclass(frozen=True)
class Step:
    """One line of a work order's history; a transition when the state changes."""
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str = ""

    @property
    def is_transition(self) -> bool:
        return self.from_state != self.to_state
