"""A work order for one unit released to repair: diagnosis, quote, parts, repair, test, outcome."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from services.kit.errors import Conflict, Forbidden, illegal_transition
from services.repair.domain.diagnosis import Diagnosis
from services.repair.domain.quotes import Quote, SkipReason
from services.repair.domain.states import (
    COMPLETION,
    RULES,
    Outcome,
    Step,
    WorkOrderState,
    allowed_actions,
    transitions_from,
)
from shared.contract.events.common import Origin

__all__ = ["Outcome", "Step", "WorkOrder", "WorkOrderState"]
S = WorkOrderState


@dataclass
class WorkOrder:
    id: str
    unit_id: str
    owner_id: str
    serial_number: str
    hs_code: str
    origin: Origin
    opened_at: datetime
    part_number: str = ""
    warranty: bool = False
    fault_description: str = ""
    state: WorkOrderState = WorkOrderState.queued
    technician: str | None = None
    diagnosis: Diagnosis | None = None
    quote: Quote | None = None
    last_test_passed: bool | None = None
    outcome: Outcome | None = None
    repair_fee: Decimal = Decimal("0.00")
    currency: str = "CNY"
    labour_minutes: int = 0
    completed_at: datetime | None = None
    version: int = 1
    steps: list[Step] = field(default_factory=list)  # recorded, not yet saved

    @classmethod
    def open(cls, at: datetime, actor: str, **facts: object) -> WorkOrder:
        wo = cls(opened_at=at, **facts)  # type: ignore[arg-type]
        wo.steps.append(Step(at, actor, "open", None, S.queued.value, "unit released to repair"))
        return wo

    @property
    def allowed_actions(self) -> list[str]:
        return allowed_actions(self.state)

    def check(self, action: str) -> None:
        rule = RULES[action]
        if self.state in rule.allowed_from:
            return
        raise illegal_transition(f"work order {self.id}", action, self.state.value, sorted(rule.allowed_from),
                                 allowed_transitions=transitions_from(self.state))

    def _do(self, action: str, at: datetime, actor: str, note: str = "") -> None:
        self.check(action)
        to = RULES[action].to or self.state
        self.steps.append(Step(at, actor, action, self.state.value, to.value, note))
        self.state = to

    def change_owner(self, owner_id: str, at: datetime, actor: str) -> None:
        """Dispatch allocated the repaired unit to another owner: the work order follows (any state; the history
        keeps who owned it)."""
        self.steps.append(Step(at, actor, "owner_changed", self.state.value, self.state.value,
                               f"allocated from {self.owner_id} to {owner_id}"))
        self.owner_id = owner_id

    def assign(self, technician: str, at: datetime, actor: str) -> None:
        self._do("assign", at, actor, f"assigned to {technician}")
        self.technician = technician

    def start_diagnosis(self, at: datetime, actor: str) -> None:
        self._do("start_diagnosis", at, actor)

    def diagnose(self, d: Diagnosis, known_codes: frozenset[str], at: datetime, actor: str) -> None:
        self.check("diagnose")
        d.check(known_codes)
        self.diagnosis = d
        self._do("diagnose", at, actor, "no fault found" if d.no_fault_found else ", ".join(d.failure_codes))

    def issue_quote(self, q: Quote, currencies: frozenset[str], skip: SkipReason | None, actor: str) -> None:
        q.check(currencies)  # at the door: a bad amount or currency is refused whatever the state
        self.check("issue_quote")
        if self.diagnosis is None:
            raise Conflict(f"work order {self.id} has no diagnosis yet; record it before quoting")
        self.quote = q.skipped(skip) if skip else q
        if skip:
            self._do("skip_quote", q.issued_at, actor, f"no owner approval needed: {skip.value}")
        else:
            self._do("issue_quote", q.issued_at, actor, f"{q.total} {q.currency} awaits the owner")

    def decide_quote(self, approve: bool, by_owner: str | None, note: str, at: datetime, actor: str) -> None:
        if by_owner is not None and by_owner != self.owner_id:
            raise Forbidden(f"owner {by_owner} cannot decide on a quote for another owner's unit")
        action = "approve_quote" if approve else "decline_quote"  # a refusal names the action asked for
        self.check(action)
        assert self.quote is not None
        self.quote = self.quote.decided(approve, actor, at, note)
        self._do(action, at, actor, note)

    def request_parts(self, note: str, at: datetime, actor: str) -> None:
        self._do("request_parts", at, actor, note)

    def start_repair(self, waiting_parts: list[str], at: datetime, actor: str) -> None:
        self.check("start_repair")
        if waiting_parts:
            raise Conflict(f"work order {self.id} still waits for parts: {', '.join(waiting_parts)}",
                           waiting=waiting_parts)
        self._do("start_repair", at, actor)

    def consume_parts(self, note: str, at: datetime, actor: str) -> None:
        self._do("consume_parts", at, actor, note)

    def start_testing(self, at: datetime, actor: str) -> None:
        self._do("start_testing", at, actor)

    def record_test(self, passed: bool, procedure: str, at: datetime, actor: str) -> None:
        self._do("record_test", at, actor, f"{procedure}: {'passed' if passed else 'failed'}")
        self.last_test_passed = passed
        if not passed:
            self._do("fail_test", at, actor, "back to repair after a failed test")

    def log_labour(self, minutes: int, note: str, at: datetime, actor: str) -> None:
        self._do("log_labour", at, actor, note)
        self.labour_minutes += minutes

    def complete(self, outcome: Outcome, note: str, at: datetime, actor: str) -> None:
        """The repair fee is the go-ahead quote's fee when the unit is repaired; nothing otherwise."""
        action = COMPLETION[outcome]
        self.check(action)
        self._guard_completion(outcome)
        q = self.quote
        self.repair_fee = q.repair_fee if q and q.go_ahead and outcome is Outcome.repaired else Decimal("0.00")
        self.currency = q.currency if q else self.currency
        self.outcome, self.completed_at = outcome, at
        self._do(action, at, actor, note)

    def _guard_completion(self, outcome: Outcome) -> None:
        if outcome is Outcome.repaired and self.last_test_passed is not True:
            raise Conflict(f"work order {self.id} becomes repaired only after a passing test; "
                           f"last test: {'failed' if self.last_test_passed is False else 'none'}")
        if outcome is Outcome.beyond_repair and self.diagnosis is None:
            raise Conflict(f"work order {self.id}: record the diagnosis that shows it is beyond repair first")
        if outcome is Outcome.returned_unrepaired and self.state is S.diagnosing and \
                not (self.diagnosis and self.diagnosis.no_fault_found):
            raise Conflict(f"work order {self.id}: a unit is returned unrepaired from diagnosis only with no "
                           "fault found; otherwise after its quote is declined")
