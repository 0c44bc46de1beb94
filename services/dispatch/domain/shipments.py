"""A shipment groups declared items for one destination: planned -> customs cleared -> shipped -> delivered."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.kit import iso
from services.kit.errors import Conflict, RuleViolation

INCOTERMS = {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"}


class ShipmentState(StrEnum):
    planned = "planned"
    customs_cleared = "customs_cleared"
    shipped = "shipped"
    delivered = "delivered"


NEXT = {ShipmentState.planned: ShipmentState.customs_cleared, ShipmentState.customs_cleared: ShipmentState.shipped,
        ShipmentState.shipped: ShipmentState.delivered}


@dataclass(frozen=True)
class ShipmentStep:
    """One move of a shipment: who moved it, when, from which state to which."""
    at: datetime
    actor: str
    from_: ShipmentState
    to: ShipmentState


@dataclass
class Shipment:
    id: str
    carrier: str
    tracking_number: str
    destination_country: str
    address: str
    incoterm: str
    created_at: datetime
    state: ShipmentState = ShipmentState.planned
    item_ids: list[str] = field(default_factory=list)
    history: list[ShipmentStep] = field(default_factory=list)
    version: int = 1

    def check(self, countries: frozenset[str]) -> None:
        if self.destination_country not in countries:
            raise RuleViolation(iso.check_country(self.destination_country) or
                                f"unknown ISO 3166 country {self.destination_country!r}", field="destination_country")
        if self.incoterm not in INCOTERMS:
            raise RuleViolation(f"incoterm {self.incoterm!r} is not an Incoterms 2020 rule: "
                                f"{', '.join(sorted(INCOTERMS))}", field="incoterm")

    def add(self, item_id: str, item_country: str | None) -> None:
        if self.state is not ShipmentState.planned:
            raise Conflict(f"shipment {self.id} is {self.state.value}; items are added while planned")
        if item_country != self.destination_country:
            raise RuleViolation(f"item goes to {item_country or 'nowhere (stays in the zone)'}, the shipment to "
                                f"{self.destination_country}", field="item_id")
        if item_id in self.item_ids:
            raise Conflict(f"item {item_id} is already in shipment {self.id}")
        self.item_ids.append(item_id)

    def advance(self, to: ShipmentState, at: datetime, actor: str) -> None:
        if NEXT.get(self.state) is not to:
            allowed = NEXT.get(self.state)
            raise Conflict(f"shipment {self.id} is {self.state.value}; next is "
                           f"{allowed.value if allowed else 'nothing (delivered)'}",
                           allowed=[allowed] if allowed else [])
        if not self.item_ids:
            raise RuleViolation("an empty shipment cannot move")
        self.history.append(ShipmentStep(at, actor, self.state, to))
        self.state = to
