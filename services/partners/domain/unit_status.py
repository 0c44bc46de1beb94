"""Where a unit stands, projected from the events of all three services (pure; no I/O).

A unit's status is one row: its stage (intake, repair, dispatch, left), its latest state there, and the facts an
owner asks about first. ``apply`` folds one event into it. Events about old parts and spare-part lots leave the
unit's status alone; they still appear in its timeline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

INTAKE, REPAIR, DISPATCH = "com.bondline.intake.", "com.bondline.repair.", "com.bondline.dispatch."

_INTAKE_STATES = {
    "unit.announced": "announced", "unit.declared": "declared", "unit.inspection_selected": "inspection_selected",
    "unit.received": "received", "unit.discrepancy_found": "discrepancy", "unit.discrepancy_resolved": "received",
    "unit.withdrawn": "withdrawn",
}
_DISPATCH_STATES = {
    "item.destination_decided": "destination_decided", "item.exit_declared": "exit_declared",
    "item.destination_amended": "destination_decided", "item.exit_cancelled": "destination_decided",
    "item.customs_cleared": "customs_cleared", "item.shipped": "shipped", "item.allocated": "allocated",
}
_LEFT_STATES = {"item.delivered": "delivered", "item.disposed": "disposed"}


@dataclass(frozen=True)
class UnitStatus:
    unit_id: str
    owner_id: str
    stage: str
    state: str
    last_event_type: str
    updated_at: datetime
    first_seen_at: datetime
    serial_number: str | None = None
    part_number: str | None = None
    hs_code: str | None = None
    origin: str | None = None
    work_order_id: str | None = None
    quote_pending: bool = False


def _name(event_type: str) -> str:
    """``com.bondline.intake.unit.received.v1`` → ``unit.received`` (every version moves a unit alike)."""
    name = re.sub(r"\.v\d+$", "", event_type)
    for prefix in (INTAKE, REPAIR, DISPATCH):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _stage_state(event_type: str, data: dict[str, Any]) -> tuple[str, str] | None:
    name = _name(event_type)
    if event_type.startswith(INTAKE):
        if name == "unit.inspected":
            return "intake", "inspected" if data.get("result") == "passed" else "inspection_failed"
        if name == "unit.rejected":
            return "intake", f"rejected_{data.get('return_mode', '')}".rstrip("_")
        if name == "unit.released_to_repair":
            return "repair", "released"
        return ("intake", _INTAKE_STATES[name]) if name in _INTAKE_STATES else None
    if event_type.startswith(REPAIR):
        if name == "work_order.opened":
            return "repair", "queued"
        if name == "work_order.state_changed":
            return "repair", str(data["to_state"])
        if name == "work_order.completed":
            return "repair", str(data["outcome"])
        return None
    if data.get("item_kind", "unit") != "unit":
        return None
    if name == "unit.awaiting_dispatch":
        return "dispatch", "awaiting_dispatch"
    if name in _DISPATCH_STATES:
        return "dispatch", _DISPATCH_STATES[name]
    return ("left", _LEFT_STATES[name]) if name in _LEFT_STATES else None


def _quote_pending(event_type: str, data: dict[str, Any], was: bool) -> bool:
    name = _name(event_type)
    if name == "work_order.quote_issued":
        return bool(data.get("approval_required"))
    if name in ("work_order.quote_decided", "work_order.completed"):
        return False
    return was


_STAGE_RANK = {"": -1, "intake": 0, "repair": 2, "dispatch": 3, "left": 4}


def _rank(stage: str, state: str) -> int:
    """How far along a unit is. The three topics are read side by side, so an event of an earlier stage may
    arrive after a later one (repair's work order opened before intake's release): it must not move the unit
    back. Release to repair comes from intake, so it ranks below repair's own states."""
    return _STAGE_RANK[stage] - (1 if (stage, state) == ("repair", "released") else 0)


def apply(current: UnitStatus | None, event_type: str, data: dict[str, Any], owner_id: str,
          at: datetime) -> UnitStatus | None:
    """The unit's status after this event, or ``current`` unchanged if the event does not move the unit.

    Only an event that moves the unit changes its owner (an allocation hands it to a new one); events about its
    old parts keep naming the owner the parts belong to and leave the unit alone.
    """
    unit_id = data.get("unit_id")
    moved = _stage_state(event_type, data)
    if unit_id is None or (current is None and moved is None):
        return current
    if current is None:
        current = UnitStatus(unit_id=unit_id, owner_id=owner_id, stage="", state="", last_event_type=event_type,
                             updated_at=at, first_seen_at=at)
    if moved is not None and _rank(*moved) < _rank(current.stage, current.state):
        moved = None  # a late event of an earlier stage: kept in the timeline, the status stays
    stage, state = moved or (current.stage, current.state)
    return replace(
        current, owner_id=owner_id if moved else current.owner_id, stage=stage, state=state,
        last_event_type=event_type, updated_at=at,
        serial_number=data.get("serial_number", current.serial_number),
        part_number=current.part_number if "old_part_id" in data else data.get("part_number", current.part_number),
        hs_code=data.get("hs_code", current.hs_code), origin=current.origin or data.get("origin"),
        work_order_id=data.get("work_order_id", current.work_order_id),
        quote_pending=_quote_pending(event_type, data, current.quote_pending))


def owner_of_event(data: dict[str, Any]) -> str | None:
    """The owner an event is about: its ``owner_id`` (after an allocation, the new owner)."""
    owner = data.get("owner_id")
    return str(owner) if owner else None
