"""Domain state to the published contract (integration events)."""
from __future__ import annotations

from datetime import datetime

from services.intake.domain.declarations import Declaration
from services.intake.domain.parts import PartsReceipt
from services.intake.domain.units import ReturnMode, Unit
from shared.contract.events import intake as ev
from shared.contract.events.common import Money


def _facts(u: Unit) -> dict:
    return {
        "unit_id": u.id, "owner_id": u.owner_id, "serial_number": u.serial_number,
        "part_number": u.part_number, "description": u.description, "hs_code": u.hs_code,
        "origin": u.origin.value, "origin_country": u.origin_country,
        "declared_value": Money(amount=u.declared_value, currency=u.currency), "documents": u.documents,
    }


def _step(u: Unit) -> dict:
    return {"unit_id": u.id, "owner_id": u.owner_id, "documents": u.documents}


def announced(u: Unit) -> ev.UnitAnnounced:
    return ev.UnitAnnounced(**_facts(u), request_id=u.request_id, warranty=u.warranty,
                            fault_description=u.fault_description, catalogue_version=u.catalogue_version,
                            announced_at=u.announced_at)


def declared(u: Unit, d: Declaration) -> list[ev.Payload]:
    s = d.selection
    assert s is not None
    out: list[ev.Payload] = [ev.UnitDeclared(**_step(u), declaration_id=d.id, inspection_selected=s.selected,
                                             declared_at=d.declared_at)]
    if s.selected:
        method = s.methods[-1]  # the top tier's remote video where it may choose; what customs instructed
        out.append(ev.UnitInspectionSelected(**_step(u), declaration_id=d.id, method=method.value,
                                             credit_tier=s.tier.value, rate=s.rate, selected_at=d.declared_at))
    return out


def inspected(u: Unit, d: Declaration, at: datetime) -> ev.UnitInspected:
    assert d.inspection_method is not None and d.inspection_result is not None
    return ev.UnitInspected(**_step(u), declaration_id=d.id, method=d.inspection_method.value,
                            result=d.inspection_result.value, seals=list(d.seals), notes=d.inspection_notes,
                            inspected_at=at)


def received(u: Unit, owner_group: str | None, own_products_only: bool | None) -> ev.UnitReceived:
    assert u.received_at is not None
    return ev.UnitReceived(**_facts(u), custody_location=u.custody_location, received_at=u.received_at,
                           condition_notes=u.condition_notes, catalogue_version=u.catalogue_version,
                           owner_group=owner_group, own_products_only=own_products_only)


def discrepancy(u: Unit, at: datetime) -> ev.UnitDiscrepancyFound:
    return ev.UnitDiscrepancyFound(**_step(u), **u.discrepancy, found_at=at)


def resolved(u: Unit, accepted: bool, note: str, at: datetime) -> ev.UnitDiscrepancyResolved:
    return ev.UnitDiscrepancyResolved(**_step(u), resolution="accepted_as_found" if accepted else "rejected",
                                      note=note, resolved_at=at)


def rejected(u: Unit, at: datetime) -> ev.UnitRejected:
    return_mode = ReturnMode(u.documents["return_mode"])
    return ev.UnitRejected(**_step(u), reason=u.rejection_reason or "", return_mode=return_mode.value,
                           rejected_at=at)


def withdrawn(u: Unit, at: datetime) -> ev.UnitWithdrawn:
    return ev.UnitWithdrawn(**_step(u), serial_number=u.serial_number, reason=u.rejection_reason or "", at=at)


def released(u: Unit) -> ev.UnitReleasedToRepair:
    assert u.released_at is not None
    return ev.UnitReleasedToRepair(**_facts(u), warranty=u.warranty, fault_description=u.fault_description,
                                   released_at=u.released_at)


def parts(p: PartsReceipt) -> ev.PartsReceived:
    return ev.PartsReceived(receipt_id=p.id, part_number=p.part_number, lot=p.lot, quantity=p.quantity,
                            unit_value=Money(amount=p.unit_value, currency=p.currency), hs_code=p.hs_code,
                            origin=p.origin.value, bonded=p.bonded, documents=p.documents, received_at=p.received_at)


# ---- an entry filed with the customs platform: the same events, what customs' receipts said -------------------

def entry_declared(u: Unit, filing_id: str, selected: bool, at: datetime) -> ev.UnitDeclared:
    return ev.UnitDeclared(**_step(u), declaration_id=filing_id, inspection_selected=selected, declared_at=at)


def entry_selected(u: Unit, filing_id: str, method: str, tier: str, rate: float,
                   at: datetime) -> ev.UnitInspectionSelected:
    """``rate``: the owner's tier's configured share, for the record; customs selected, not a draw."""
    return ev.UnitInspectionSelected(**_step(u), declaration_id=filing_id, method=method,  # type: ignore[arg-type]
                                     credit_tier=tier, rate=rate, selected_at=at)


def entry_inspected(u: Unit, filing_id: str, method: str, passed: bool, at: datetime) -> ev.UnitInspected:
    return ev.UnitInspected(**_step(u), declaration_id=filing_id, method=method,  # type: ignore[arg-type]
                            result="passed" if passed else "failed", notes="as customs' receipt says",
                            inspected_at=at)
