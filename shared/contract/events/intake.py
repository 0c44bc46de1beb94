"""Events published by intake on bondline.intake.events."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.contract.events.common import Money, Origin
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import INTAKE_EVENTS

NS = "com.bondline.intake"


class UnitFacts(Payload):
    owner_id: str
    serial_number: str
    part_number: str
    description: str = ""
    hs_code: str = Field(pattern=r"^\d{10}$")
    origin: Origin
    origin_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, foreign units")
    declared_value: Money
    documents: dict[str, str] = Field(default_factory=dict, description="customs document numbers by kind")


@REGISTRY.register(f"{NS}.unit.received", 1, INTAKE_EVENTS)
class UnitReceived(UnitFacts):
    """A unit was accepted into bonded custody at the zone."""
    custody_location: str
    received_at: datetime


@REGISTRY.register(f"{NS}.unit.released_to_repair", 1, INTAKE_EVENTS)
class UnitReleasedToRepair(UnitFacts):
    """A received unit was handed over to the repair centre."""
    warranty: bool = False
    fault_description: str = ""
    released_at: datetime
