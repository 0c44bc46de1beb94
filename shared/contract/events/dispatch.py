"""Events published by dispatch on bondline.dispatch.events (key: the unit id; old parts: the parent unit)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.events.common import Outcome
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import DISPATCH_EVENTS

NS = "com.bondline.dispatch"
Destination = Literal["re_export", "domestic_release", "return_to_owner", "exchange_pool", "destruction",
                      "gate_registration"]
ItemKind = Literal["unit", "old_part", "scrap"]


class TaxAssessment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    basis: Literal["customs_value", "repair_value"]
    taxable_value_cny: Decimal
    duty_rate: Decimal
    duty_cny: Decimal
    vat_rate: Decimal
    vat_cny: Decimal
    total_cny: Decimal
    assessed_on: str = Field(description="date whose exchange rates were used (ISO 8601)")


class ItemStep(Payload):
    unit_id: str = Field(description="the unit, or the parent unit of an old part")
    item_id: str
    item_kind: ItemKind
    owner_id: str


class ShipmentFacts(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    shipment_id: str
    carrier: str
    tracking_number: str
    destination_country: str
    incoterm: str


@REGISTRY.register(f"{NS}.unit.awaiting_dispatch", 1, DISPATCH_EVENTS)
class UnitAwaitingDispatch(Payload):
    """A unit whose repair ended is now a dispatch candidate."""
    unit_id: str
    owner_id: str
    outcome: Outcome
    since: datetime


@REGISTRY.register(f"{NS}.item.destination_decided", 1, DISPATCH_EVENTS)
class DestinationDecided(ItemStep):
    """The dispatch desk chose where the item goes."""
    destination: Destination
    destination_country: str | None = None
    tax_estimate: TaxAssessment | None = None
    decided_at: datetime


@REGISTRY.register(f"{NS}.item.exit_declared", 1, DISPATCH_EVENTS)
class ExitDeclared(ItemStep):
    """The item's exit was declared to customs; domestic releases carry the final taxes."""
    destination: Destination
    supervision_mode: str
    documents: dict[str, str]
    tax: TaxAssessment | None = None
    declared_at: datetime


@REGISTRY.register(f"{NS}.item.disposed", 1, DISPATCH_EVENTS)
class ItemDisposed(ItemStep):
    """An old part or scrap item was destroyed under supervision or left by gate registration."""
    route: Literal["destruction", "gate_registration"]
    documents: dict[str, str]
    disposed_at: datetime


@REGISTRY.register(f"{NS}.item.allocated", 1, DISPATCH_EVENTS)
class ItemAllocated(ItemStep):
    """An exchange-pool unit was allocated to another owner (it stays bonded)."""
    previous_owner_id: str
    allocated_at: datetime


@REGISTRY.register(f"{NS}.item.customs_cleared", 1, DISPATCH_EVENTS)
class ItemCustomsCleared(ItemStep):
    """The item's shipment cleared customs."""
    shipment: ShipmentFacts
    at: datetime


@REGISTRY.register(f"{NS}.item.shipped", 1, DISPATCH_EVENTS)
class ItemShipped(ItemStep):
    """The item left the zone in its shipment."""
    shipment: ShipmentFacts
    at: datetime


@REGISTRY.register(f"{NS}.item.delivered", 1, DISPATCH_EVENTS)
class ItemDelivered(ItemStep):
    """The item's shipment was delivered."""
    shipment: ShipmentFacts
    at: datetime


@REGISTRY.register(f"{NS}.item.destination_amended", 1, DISPATCH_EVENTS)
class DestinationAmended(ItemStep):
    """The dispatch desk changed a destination decision before the exit was declared (删改单), with its reason."""
    previous_destination: Destination | None = None
    previous_destination_country: str | None = None
    destination: Destination
    destination_country: str | None = None
    tax_estimate: TaxAssessment | None = None
    reason: str = Field(description="why the decision changed (audited)")
    actor: str | None = Field(None, description="who changed it (also the event's ce_actor)")
    decided_at: datetime = Field(description="when the amended decision was made")


@REGISTRY.register(f"{NS}.item.exit_cancelled", 1, DISPATCH_EVENTS)
class ExitCancelled(ItemStep):
    """The item's exit declaration was cancelled (删单) before it left; the item is back to decided. A disposal's
    exit line is reversed in the ledger by a line of its own (``ledger_reversed``)."""
    destination: Destination
    documents: dict[str, str] = Field(description="the cancelled declaration's documents")
    reference: str | None = Field(None, description="the customs platform's receipt of the cancellation")
    shipment_id: str | None = Field(None, description="the open shipment the item was taken out of")
    ledger_reversed: bool = False
    reason: str = Field(description="why the declaration was cancelled (audited)")
    actor: str | None = Field(None, description="who cancelled it (also the event's ce_actor)")
    at: datetime = Field(description="when it was cancelled")
