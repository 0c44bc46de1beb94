"""An item dispatch decides about: a unit after repair (or rejection), or an old part / scrap item."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.dispatch.domain import destinations as dest
from services.dispatch.domain.destinations import Destination, ItemKind
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
           "ship": {S.declared}, "deliver": {S.shipped}}


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
    origin: str | None = None
    origin_country: str | None = None
    declared_value: Decimal | None = None
    currency: str | None = None
    received_at: datetime | None = None
    in_catalogue: bool = True
    own_products_only: bool = False
    outcome: str | None = None
    repair_fee: Decimal | None = None
    repair_currency: str | None = None
    parts_used: list[dict] = field(default_factory=list)
    return_mode: str | None = None
    disposal_deadline: datetime | None = None
    awaiting_since: datetime | None = None
    destination: Destination | None = None
    destination_country: str | None = None
    decided_at: datetime | None = None
    exit_documents: dict[str, str] = field(default_factory=dict)
    tax: dict = field(default_factory=dict)
    version: int = 1

    def _check(self, action: str) -> None:
        if self.state not in ALLOWED[action]:
            raise illegal_transition(f"item {self.item_id}", action, self.state.value,
                                     sorted(s.value for s in ALLOWED[action]))

    def case(self) -> dest.Case:
        return dest.Case(self.kind, self.origin or "foreign", self.outcome, self.in_catalogue)

    def becomes_candidate(self, outcome: str, at: datetime) -> bool:
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
        dest.check(self.case(), d)
        self.destination_country = self._country_for(d, country)
        self.destination, self.decided_at = d, at
        self.state = S.exchange_pool if d is Destination.exchange_pool else S.decided

    def _country_for(self, d: Destination, country: str | None) -> str | None:
        if d is Destination.re_export:
            if not country or country == "CN":
                raise RuleViolation("re-export needs a destination country outside China", field="destination_country")
            return country
        if d is Destination.return_to_owner:
            return self.origin_country if self.origin == "foreign" else "CN"
        return None if d in (Destination.exchange_pool, Destination.destruction) else "CN"

    def declare_exit(self, documents: dict[str, str], tax: dict, at: datetime) -> None:
        self._check("declare")
        self.exit_documents, self.tax = documents, tax
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
