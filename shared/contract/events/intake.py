"""Events published by intake on bondline.intake.events (key: the unit id; parts: the receipt id; owners: owner id)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.contract.events.common import Money, Origin
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import INTAKE_EVENTS

NS = "com.bondline.intake"
Documents = dict[str, str]
DOCS = "customs document numbers by kind: bonded_inventory_list, entry_record_list, " \
       "export_declaration, gate_pass, gate_pass_type, supervision_mode, return_mode"


class UnitFacts(Payload):
    unit_id: str
    owner_id: str
    serial_number: str
    part_number: str
    description: str = ""
    hs_code: str = Field(pattern=r"^\d{10}$")
    origin: Origin
    origin_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, foreign units")
    declared_value: Money
    documents: Documents = Field(default_factory=dict, description=DOCS)


class UnitStep(Payload):
    unit_id: str
    owner_id: str
    documents: Documents = Field(default_factory=dict, description=DOCS)


@REGISTRY.register(f"{NS}.unit.announced", 1, INTAKE_EVENTS)
class UnitAnnounced(UnitFacts):
    """An owner or a clerk pre-alerted a unit for repair; its HS code passed the catalogue."""
    request_id: str
    warranty: bool = False
    fault_description: str = ""
    catalogue_version: int
    announced_at: datetime


@REGISTRY.register(f"{NS}.unit.declared", 1, INTAKE_EVENTS)
class UnitDeclared(UnitStep):
    """The unit's shipment was declared to customs at the zone gate."""
    declaration_id: str
    inspection_selected: bool
    declared_at: datetime


@REGISTRY.register(f"{NS}.unit.inspection_selected", 1, INTAKE_EVENTS)
class UnitInspectionSelected(UnitStep):
    """Customs selected the unit's declaration for inspection."""
    declaration_id: str
    method: Literal["on_site", "remote_video"]
    credit_tier: str
    rate: float = Field(ge=0, le=1)
    selected_at: datetime


@REGISTRY.register(f"{NS}.unit.inspected", 1, INTAKE_EVENTS)
class UnitInspected(UnitStep):
    """Customs inspected the unit; a failed inspection is followed by a rejection."""
    declaration_id: str
    method: Literal["on_site", "remote_video"]
    result: Literal["passed", "failed"]
    seals: list[str] = Field(default_factory=list)
    notes: str = ""
    inspected_at: datetime


@REGISTRY.register(f"{NS}.unit.received", 1, INTAKE_EVENTS)
class UnitReceived(UnitFacts):
    """A unit was accepted into bonded custody at the zone."""
    custody_location: str
    received_at: datetime
    condition_notes: str = ""
    catalogue_version: int | None = None
    owner_group: str | None = Field(default=None, description="the owner's group (exchange-pool allocation)")
    own_products_only: bool | None = Field(default=None, description="catalogue entry limited to own products")


@REGISTRY.register(f"{NS}.unit.discrepancy_found", 1, INTAKE_EVENTS)
class UnitDiscrepancyFound(UnitStep):
    """What arrived differs from the repair request; a clerk must resolve it."""
    expected_serial_number: str
    expected_part_number: str
    found_serial_number: str
    found_part_number: str
    found_at: datetime


@REGISTRY.register(f"{NS}.unit.discrepancy_resolved", 1, INTAKE_EVENTS)
class UnitDiscrepancyResolved(UnitStep):
    """A clerk resolved a discrepancy: accepted as found (then received) or rejected."""
    resolution: Literal["accepted_as_found", "rejected"]
    note: str = ""
    resolved_at: datetime


@REGISTRY.register(f"{NS}.unit.rejected", 1, INTAKE_EVENTS)
class UnitRejected(UnitStep):
    """The unit is refused and returned: 4500 direct return before customs release, 4561 after."""
    reason: str
    return_mode: Literal["4500", "4561"]
    rejected_at: datetime


@REGISTRY.register(f"{NS}.unit.withdrawn", 1, INTAKE_EVENTS)
class UnitWithdrawn(UnitStep):
    """A pre-alerted unit that never arrived was withdrawn: no customs movement, its serial may be announced again."""
    serial_number: str
    reason: str
    at: datetime = Field(description="when the unit was withdrawn")


@REGISTRY.register(f"{NS}.unit.released_to_repair", 1, INTAKE_EVENTS)
class UnitReleasedToRepair(UnitFacts):
    """A received unit was handed over to the repair centre."""
    warranty: bool = False
    fault_description: str = ""
    released_at: datetime


@REGISTRY.register(f"{NS}.parts.received", 1, INTAKE_EVENTS)
class PartsReceived(Payload):
    """Bonded (or duty-paid) spare parts were received into stock."""
    subject_field = "receipt_id"
    receipt_id: str
    part_number: str
    lot: str
    quantity: int = Field(ge=1)
    unit_value: Money
    hs_code: str = Field(pattern=r"^\d{10}$")
    origin: Origin
    bonded: bool = True
    documents: Documents = Field(default_factory=dict, description=DOCS)
    received_at: datetime


@REGISTRY.register(f"{NS}.owner.registered", 1, INTAKE_EVENTS)
class OwnerRegistered(Payload):
    """An owner was registered at intake (or, once after an upgrade, announced to the services that need the
    register): only registered owners may receive units, including an exchange-pool allocation at dispatch."""
    subject_field = "owner_id"
    owner_id: str
    name: str
    kind: Literal["overseas", "domestic"]
    country: str = Field(description="ISO 3166-1 alpha-2")
    group: str | None = None
    registered_at: datetime
