"""Domain state to the published contract (integration events)."""
from __future__ import annotations

from shared.contract.events.common import Money
from shared.contract.events.intake import UnitReceived, UnitReleasedToRepair
from services.intake.domain.units import Unit


def _facts(u: Unit) -> dict:
    return {
        "unit_id": u.id, "owner_id": u.owner_id, "serial_number": u.serial_number,
        "part_number": u.part_number, "description": u.description, "hs_code": u.hs_code,
        "origin": u.origin.value, "origin_country": u.origin_country,
        "declared_value": Money(amount=u.declared_value, currency=u.currency), "documents": u.documents,
    }


def received(u: Unit) -> UnitReceived:
    return UnitReceived(**_facts(u), custody_location=u.custody_location, received_at=u.received_at)


def released(u: Unit) -> UnitReleasedToRepair:
    assert u.released_at is not None
    return UnitReleasedToRepair(**_facts(u), warranty=u.warranty, fault_description=u.fault_description,
                                released_at=u.released_at)
