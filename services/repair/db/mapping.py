"""Work order rows to domain objects and back (diagnosis and quote are flattened into the row)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from services.repair.db.tables import WorkOrderRow
from services.repair.domain.diagnosis import Diagnosis
from services.repair.domain.quotes import Quote, QuoteStatus, SkipReason
from services.repair.domain.work_orders import Outcome, WorkOrder, WorkOrderState

PLAIN = ("id", "unit_id", "owner_id", "serial_number", "part_number", "hs_code", "origin", "warranty",
         "fault_description", "technician", "last_test_passed", "repair_fee", "currency", "labour_minutes",
         "opened_at", "completed_at", "version")
EMPTY_DIAGNOSIS = dict.fromkeys(("failure_codes", "findings", "no_fault_found", "diagnosed_at", "diagnosed_by"))
QUOTE_COLUMNS = {"quote_repair_fee": "repair_fee", "quote_parts_estimate": "parts_estimate",
                 "quote_currency": "currency", "quote_issued_at": "issued_at", "quote_issued_by": "issued_by",
                 "quote_decided_by": "decided_by", "quote_decided_at": "decided_at", "quote_note": "decision_note"}


def to_row(wo: WorkOrder) -> dict:
    row = {f: getattr(wo, f) for f in PLAIN} | {
        "state": wo.state.value, "outcome": wo.outcome.value if wo.outcome else None}
    return row | _diagnosis(wo.diagnosis) | _quote(wo.quote)


def _diagnosis(d: Diagnosis | None) -> dict:
    if d is None:
        return dict(EMPTY_DIAGNOSIS)
    return {"failure_codes": list(d.failure_codes), "findings": d.findings, "no_fault_found": d.no_fault_found,
            "diagnosed_at": d.diagnosed_at, "diagnosed_by": d.diagnosed_by}


def _quote(q: Quote | None) -> dict:
    if q is None:
        return dict.fromkeys([*QUOTE_COLUMNS, "quote_status", "quote_skip_reason"])
    return {col: getattr(q, attr) for col, attr in QUOTE_COLUMNS.items()} | {
        "quote_status": q.status.value, "quote_skip_reason": q.skip_reason.value if q.skip_reason else None}


def to_domain(r: WorkOrderRow | Row[Any]) -> WorkOrder:
    return WorkOrder(**{f: getattr(r, f) for f in PLAIN}, state=WorkOrderState(r.state),
                     outcome=Outcome(r.outcome) if r.outcome else None,
                     diagnosis=_to_diagnosis(r), quote=_to_quote(r))


def _to_diagnosis(r: WorkOrderRow | Row[Any]) -> Diagnosis | None:
    if r.diagnosed_at is None:
        return None
    return Diagnosis(tuple(r.failure_codes or ()), r.findings or "", bool(r.no_fault_found), r.diagnosed_at,
                     r.diagnosed_by or "")


def _to_quote(r: WorkOrderRow | Row[Any]) -> Quote | None:
    if r.quote_status is None:
        return None
    values = {attr: getattr(r, col) for col, attr in QUOTE_COLUMNS.items()}
    values["decision_note"] = values["decision_note"] or ""
    values["parts_estimate"] = values["parts_estimate"] or Decimal("0")
    return Quote(**values, status=QuoteStatus(r.quote_status),
                 skip_reason=SkipReason(r.quote_skip_reason) if r.quote_skip_reason else None)
