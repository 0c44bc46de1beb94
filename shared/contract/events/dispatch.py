"""Events published by dispatch on bondline.dispatch.events (key: the unit id; old parts: the parent unit)."""
from __future__ import annotations

from datetime import date, datetime
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


class MatchedEntry(BaseModel):
    """The list entry a screening matched, as the lists' version held it: a country rule of a classification, or a
    restricted party (with the fuzzy score of the match)."""
    model_config = ConfigDict(extra="ignore", frozen=True)
    list_name: str = Field(description="country_rules, or the restricted-party list's name (e.g. Entity List)")
    entry_id: str | None = Field(None, description="the restricted party's id in the lists")
    name: str | None = Field(None, description="the restricted party's listed name")
    classification: str | None = Field(None, description="the export-control classification (ECCN-style code)")
    regime: str | None = Field(None, description="the controlling regime of the classification (e.g. EAR)")
    country: str | None = Field(None, description="the country rule's country (ISO 3166 alpha-2, or * for all)")
    score: float | None = Field(None, description="0..100, how alike the screened name was to the listed one")


class LicenceFacts(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    number: str
    valid_from: date | None = None
    valid_until: date


HoldScreen = Literal["country", "party"]
HoldControl = Literal["licence_required", "prohibited"]


@REGISTRY.register(f"{NS}.item.compliance_held", 1, DISPATCH_EVENTS)
class ItemComplianceHeld(ItemStep):
    """Trade-compliance screening put the item on hold (its destination country, or its shipment's consignee):
    nothing on hold is declared or shipped until a compliance officer releases it."""
    hold_id: str
    scope: Literal["item", "shipment"] = Field(description="what is held: the item, or its whole shipment")
    shipment_id: str | None = Field(None, description="the held shipment, for a consignee hold")
    screen: HoldScreen
    control: HoldControl = Field(description="what the match means: a licence is required, or it is prohibited")
    point: str = Field(description="when it was screened: decision, amendment, declaration, consignee, "
                                   "customs_clearance, shipping, list_change")
    reason: str
    matched: MatchedEntry
    list_version: int = Field(description="the version of the compliance lists that matched")
    held_at: datetime


@REGISTRY.register(f"{NS}.item.compliance_released", 1, DISPATCH_EVENTS)
class ItemComplianceReleased(ItemStep):
    """A compliance hold on the item (or its shipment) ended: released by a compliance officer (with a licence, or
    as a false positive), or cleared because screening again no longer matched (decision or lists changed)."""
    hold_id: str
    shipment_id: str | None = None
    resolution: Literal["licence", "false_positive", "no_longer_matches"]
    reason: str
    licence: LicenceFacts | None = None
    actor: str | None = Field(None, description="who released it (also the event's ce_actor)")
    holds_open: int = Field(0, ge=0, description="the item's holds still open after this one")
    resumes: str = Field(description="the stage-vocabulary state the item is in once no hold remains "
                                     "(destination_decided, exit_declared, customs_cleared, ...)")
    released_at: datetime
