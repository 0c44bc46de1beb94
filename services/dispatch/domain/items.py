"""An item dispatch decides about: a unit after repair (or rejection), or an old part / scrap item."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal, TypeVar

from services.dispatch.domain import destinations as dest
from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.taxes import Assessment, ItemTax
from services.kit import iso
from services.kit.errors import RuleViolation, illegal_transition


class ItemState(StrEnum):
    in_zone = "in_zone"                    # known to dispatch, repair not finished
    awaiting_dispatch = "awaiting_dispatch"
    decided = "decided"                    # destination chosen, exit not yet declared
    exchange_pool = "exchange_pool"        # stays bonded, allocatable to another owner
    declared = "declared"                  # exit declared; waits for its shipment
    shipped = "shipped"
    delivered = "delivered"
    disposed = "disposed"                  # destroyed or gate-registered


S = ItemState
ALLOWED = {"decide": {S.awaiting_dispatch}, "declare": {S.decided}, "allocate": {S.exchange_pool},
           "ship": {S.declared}, "deliver": {S.shipped},
           # 删改单: a decision changes until the exit is declared; an exit is cancelled until its shipment leaves
           # (a disposal's exit, recorded at its declaration, is reversed in the ledger by its own line)
           "amend_decision": {S.decided, S.exchange_pool}, "cancel_exit": {S.declared, S.disposed}}
Origin = Literal["foreign", "domestic"]
# how the item became a candidate: repair's outcome, rejected at intake after receipt, or an old part of its own
Outcome = Literal["repaired", "beyond_repair", "returned_unrepaired", "rejected", "old_part"]


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class PartUsed:
    """A part the repair fitted (repair's ``parts_used``): a domestic unit coming home is taxed on its value."""
    part_number: str
    quantity: int
    unit_value: Money
    origin: Origin
    lot: str | None = None
    hs_code: str | None = None


@dataclass(frozen=True)
class Decision:
    destination: Destination | None
    destination_country: str | None


@dataclass(frozen=True, kw_only=True)
class DecisionAmended:
    """删改单: the destination changed before the exit was declared."""
    action: Literal["decision_amended"] = "decision_amended"
    at: datetime
    actor: str
    reason: str
    before: Decision
    after: Decision


@dataclass(frozen=True, kw_only=True)
class ExitCancelled:
    """删单: the exit declaration was cancelled before the item left; its documents are kept here."""
    action: Literal["exit_cancelled"] = "exit_cancelled"
    at: datetime
    actor: str
    reason: str
    state: ItemState
    documents: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class NumbersTyped:
    """The exit declaration's customs numbers were typed in, not taken from customs' receipts: a manual override,
    allowed only with a reason (the platform was down, customs gave the numbers another way)."""
    action: Literal["numbers_typed"] = "numbers_typed"
    at: datetime
    actor: str
    reason: str
    documents: dict[str, str]


HistoryEntry = DecisionAmended | ExitCancelled | NumbersTyped
Entry = TypeVar("Entry", DecisionAmended, ExitCancelled, NumbersTyped)


@dataclass
class DispatchItem:
    item_id: str
    kind: ItemKind
    unit_id: str
    owner_id: str
    state: ItemState = ItemState.in_zone
    owner_group: str | None = None
    serial_number: str | None = None
    part_number: str | None = None
    hs_code: str | None = None
    origin: Origin | None = None
    origin_country: str | None = None
    declared_value: Decimal | None = None
    currency: str | None = None
    received_at: datetime | None = None
    in_catalogue: bool = True
    own_products_only: bool = False
    outcome: Outcome | None = None
    repair_fee: Decimal | None = None
    repair_currency: str | None = None
    parts_used: list[PartUsed] = field(default_factory=list)
    return_mode: str | None = None
    disposal_deadline: datetime | None = None
    awaiting_since: datetime | None = None
    destination: Destination | None = None
    destination_country: str | None = None
    decided_at: datetime | None = None
    exit_documents: dict[str, str] = field(default_factory=dict)
    tax: ItemTax = field(default_factory=ItemTax)
    history: list[HistoryEntry] = field(default_factory=list)   # amendments and cancellations: who, when, why, what
    version: int = 1

    def _check(self, action: str) -> None:
        if self.state not in ALLOWED[action]:
            raise illegal_transition(f"item {self.item_id}", action, self.state.value,
                                     sorted(s.value for s in ALLOWED[action]))

    def case(self) -> dest.Case:
        return dest.Case(self.kind, self.origin or "foreign", self.outcome, self.in_catalogue)

    def becomes_candidate(self, outcome: Outcome, at: datetime) -> bool:
        """True the first time the item becomes a dispatch candidate."""
        if self.state is not S.in_zone:
            return False
        self.state, self.outcome, self.awaiting_since = S.awaiting_dispatch, outcome, at
        return True

    @property
    def abroad(self) -> bool:
        return self.destination_country not in (None, "CN")

    def decide(self, d: Destination, country: str | None, at: datetime) -> None:
        self._check("decide")
        self._choose(d, country, at)

    def _choose(self, d: Destination, country: str | None, at: datetime) -> None:
        if country is not None and (wrong := iso.check_country(country)):
            raise RuleViolation(wrong, field="destination_country")
        dest.check(self.case(), d)
        owners = self.origin_country if self.origin == "foreign" else "CN"
        self.destination_country = dest.country_for(d, country, owners)
        self.destination, self.decided_at = d, at
        self.state = S.exchange_pool if d is Destination.exchange_pool else S.decided

    def amend_decision(self, d: Destination, country: str | None, reason: str, actor: str,
                       at: datetime) -> DecisionAmended:
        """Change the destination until the exit is declared; the change is kept in ``history``."""
        self._check("amend_decision")
        _need_reason("amend decision", reason)
        before = Decision(self.destination, self.destination_country)
        self._choose(d, country, at)
        self.tax = ItemTax()
        return self._audit(DecisionAmended(at=at, actor=actor, reason=reason, before=before,
                                           after=Decision(d, self.destination_country)))

    def cancel_exit(self, reason: str, actor: str, at: datetime) -> ExitCancelled:
        """Cancel the exit declaration (删单) until the item has left; it goes back to decided, its documents kept in
        ``history``. A disposal's exit line is reversed by the caller (its own ledger line)."""
        self._check("cancel_exit")
        _need_reason("cancel exit", reason)
        entry = self._audit(ExitCancelled(at=at, actor=actor, reason=reason, state=self.state,
                                          documents=dict(self.exit_documents)))
        self.exit_documents, self.state = {}, S.decided
        self.tax = replace(self.tax, final=None)
        return entry

    def numbers_typed(self, documents: dict[str, str], reason: str, at: datetime, actor: str) -> None:
        if not reason.strip():
            raise RuleViolation("customs numbers come from customs' receipts (file the exit: POST "
                                "/v1/customs/exit-filings, then declare with its filing_id); typing them in is a "
                                "manual override that needs override_reason", field="override_reason")
        self._audit(NumbersTyped(at=at, actor=actor, reason=reason.strip(), documents=dict(documents)))

    def _audit(self, entry: Entry) -> Entry:
        self.history = [*self.history, entry]
        return entry

    def declare_exit(self, documents: dict[str, str], final: Assessment | None, at: datetime) -> None:
        """``final``: the taxes assessed at the declaration, where any are owed (the estimate is kept)."""
        self._check("declare")
        self.exit_documents = documents
        if final is not None:
            self.tax = replace(self.tax, final=final)
        disposal = self.destination in (Destination.destruction, Destination.gate_registration)
        self.state = S.disposed if disposal else S.declared

    def allocate(self, owner_id: str, owner_group: str | None, at: datetime) -> None:
        self._check("allocate")
        if self.own_products_only and owner_group != self.owner_group:
            raise RuleViolation("own_products_only: this unit's catalogue entry limits it to the owner group "
                                f"{self.owner_group!r}", rule="own_products_only")
        self.owner_id, self.owner_group = owner_id, owner_group
        self.state, self.destination, self.awaiting_since = S.awaiting_dispatch, None, at

    def ready_to_ship(self) -> None:
        """Only items whose exit is declared travel."""
        self._check("ship")

    def ship(self) -> None:
        self._check("ship")
        self.state = S.shipped

    def deliver(self) -> None:
        self._check("deliver")
        self.state = S.delivered


def _need_reason(action: str, reason: str) -> None:
    if not reason.strip():
        raise RuleViolation(f"{action} needs a reason (it is audited)", field="reason")
