"""One read-model row (an ORM object or a plain row of dash_items) as the desk shows it, with its deadline
and whether it is at risk or breached."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from services.dispatch.service.desk import Policy
from services.dispatch.web import zone


def deadline(r: Any, p: Policy) -> tuple[datetime | None, str | None]:
    """Days in bond end ``ledger_cycle_days`` after receipt; an old part's disposal day is its own."""
    if r.due_at is None or r.due_kind is None:
        return None, None
    if r.due_kind == "bond":
        end, warn = r.due_at + timedelta(days=p.ledger_cycle_days), p.ledger_warning_days
    else:
        end, warn = r.due_at, p.disposal_warning_days
    left = (end.astimezone(p.zone).date() - p.today).days
    return end, "breached" if left < 0 else "at_risk" if left <= warn else "ok"


def view(r: Any, p: Policy, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``names``: the registered owners' names by id (the desk shows owners by name; an unknown one by its id)."""
    end, status = deadline(r, p)
    return {"item_id": r.item_id, "kind": r.kind, "unit_id": r.unit_id, "owner_id": r.owner_id,
            "owner_name": (names or {}).get(r.owner_id) or r.owner_id, "origin": r.origin,
            "stage": r.stage, "state": r.state, "stage_since": zone.local(r.stage_since, p.zone),
            "stage_since_at": r.stage_since,  # the page formats it in the reader's language (the CSV: stage_since)
            "received_at": zone.local(r.received_at, p.zone),
            "deadline": end.astimezone(p.zone).date().isoformat() if end else None, "deadline_status": status,
            "due_kind": r.due_kind, "outcome": r.outcome, "destination": r.destination,
            "destination_country": r.destination_country, "serial_number": r.serial_number,
            "part_number": r.part_number, "description": r.description,
            "days_in_stage": max(0, (p.today - r.stage_since.astimezone(p.zone).date()).days)}
