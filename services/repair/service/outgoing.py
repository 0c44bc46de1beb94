"""Domain state to the published contract (integration events)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from services.repair.db.reservations import UsedPart
from services.repair.domain.old_parts import OldPart, supervision_mode
from services.repair.domain.quotes import QuoteStatus
from services.repair.domain.testing import TestRecord
from services.repair.domain.work_orders import Step, WorkOrder
from shared.contract.events import repair as ev
from shared.contract.events.common import Money, PartLine


def _fact(wo: WorkOrder) -> dict:
    return {"unit_id": wo.unit_id, "work_order_id": wo.id, "owner_id": wo.owner_id}


def opened(wo: WorkOrder) -> ev.WorkOrderOpened:
    return ev.WorkOrderOpened(**_fact(wo), opened_at=wo.opened_at)


def state_changed(wo: WorkOrder, s: Step) -> ev.WorkOrderStateChanged:
    assert s.from_state is not None
    return ev.WorkOrderStateChanged(**_fact(wo), action=s.action, from_state=s.from_state, to_state=s.to_state,
                                    technician=wo.technician, note=s.note, changed_at=s.at)


def diagnosed(wo: WorkOrder) -> ev.WorkOrderDiagnosed:
    d = wo.diagnosis
    assert d is not None
    return ev.WorkOrderDiagnosed(**_fact(wo), failure_codes=list(d.failure_codes), findings=d.findings,
                                 no_fault_found=d.no_fault_found, diagnosed_at=d.diagnosed_at)


def quote_issued(wo: WorkOrder) -> ev.QuoteIssued:
    q = wo.quote
    assert q is not None
    return ev.QuoteIssued(**_fact(wo), repair_fee=Money(amount=q.repair_fee, currency=q.currency),
                          parts_estimate=Money(amount=q.parts_estimate, currency=q.currency),
                          approval_required=q.skip_reason is None,
                          skip_reason=q.skip_reason.value if q.skip_reason else None, issued_at=q.issued_at)


def quote_decided(wo: WorkOrder) -> ev.QuoteDecided:
    q = wo.quote
    assert q is not None and q.decided_at is not None
    assert q.status in (QuoteStatus.approved, QuoteStatus.declined)  # what Quote.decided sets
    decision: Literal["approved", "declined"] = "approved" if q.status is QuoteStatus.approved else "declined"
    return ev.QuoteDecided(**_fact(wo), decision=decision, note=q.decision_note, decided_at=q.decided_at)


def part_line(u: UsedPart) -> PartLine:
    return PartLine(part_number=u.part_number, lot=u.lot, quantity=u.quantity, origin=u.origin, hs_code=u.hs_code,
                    unit_value=Money(amount=u.unit_value, currency=u.currency))


def parts_consumed(wo: WorkOrder, used: list[UsedPart], at: datetime) -> ev.PartsConsumed:
    return ev.PartsConsumed(**_fact(wo), parts=[part_line(u) for u in used], consumed_at=at)


def tested(wo: WorkOrder, t: TestRecord, first: bool) -> ev.UnitTested:
    return ev.UnitTested(**_fact(wo), test_id=t.id, procedure=t.procedure, passed=t.passed, first_test=first,
                         measurements=[ev.MeasurementLine(**vars(m)) for m in t.measurements], tested_at=t.tested_at)


def completed(wo: WorkOrder, used: list[UsedPart], old_part_ids: list[str]) -> ev.WorkOrderCompleted:
    assert wo.outcome is not None and wo.completed_at is not None
    d = wo.diagnosis
    return ev.WorkOrderCompleted(
        **_fact(wo), outcome=wo.outcome.value, repair_fee=Money(amount=wo.repair_fee, currency=wo.currency),
        parts_used=[part_line(u) for u in used], labour_minutes=wo.labour_minutes, completed_at=wo.completed_at,
        failure_codes=list(d.failure_codes) if d else [], no_fault_found=bool(d and d.no_fault_found),
        technician=wo.technician, old_part_ids=old_part_ids)


def old_part_recorded(p: OldPart) -> ev.OldPartRecorded:
    return ev.OldPartRecorded(unit_id=p.unit_id, old_part_id=p.id, work_order_id=p.work_order_id,
                              owner_id=p.owner_id, part_number=p.part_number, quantity=p.quantity, origin=p.origin,
                              allowed_routes=p.allowed_routes, disposal_deadline=p.disposal_deadline,
                              removed_at=p.removed_at)


def old_part_disposed(p: OldPart, late: bool) -> ev.OldPartDisposed:
    assert p.route is not None and p.disposed_at is not None and p.document_no is not None
    return ev.OldPartDisposed(unit_id=p.unit_id, old_part_id=p.id, part_number=p.part_number, quantity=p.quantity,
                              origin=p.origin, route=p.route.value, supervision_mode=supervision_mode(p.route),
                              document_no=p.document_no, late=late, disposed_at=p.disposed_at)
