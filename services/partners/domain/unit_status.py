"""Where a unit stands, projected from the events of all three services (pure; no I/O).

A unit's status is one row: its stage and its latest state there, both in the one vocabulary of stages and states
(shared/contract/stages.py), and the facts an owner asks about first. ``apply`` folds one event into it, in the
order things happened rather than the order they were consumed: an event of an earlier stage, or an older event
of the same stage, never moves the unit back. Events about old parts and spare-part lots leave the unit's status
alone; they still appear in its timeline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shared.contract.stages import (
    STATES,
    DispatchState,
    IntakeState,
    LeftState,
    RepairState,
    Stage,
    rejected,
    stage_of,
)

INTAKE, REPAIR, DISPATCH = "com.bondline.intake.", "com.bondline.repair.", "com.bondline.dispatch."
Move = tuple[Stage, str]

_INTAKE_STATES: dict[str, Move] = {
    "unit.announced": (Stage.intake, IntakeState.announced), "unit.declared": (Stage.intake, IntakeState.declared),
    "unit.inspection_selected": (Stage.intake, IntakeState.inspection_selected),
    "unit.received": (Stage.intake, IntakeState.received),
    "unit.discrepancy_found": (Stage.intake, IntakeState.discrepancy),
    "unit.withdrawn": (Stage.left, LeftState.withdrawn),
    "unit.released_to_repair": (Stage.repair, RepairState.released),
}
_DISPATCH_STATES: dict[str, Move] = {
    "unit.awaiting_dispatch": (Stage.dispatch, DispatchState.awaiting_dispatch),
    "item.destination_decided": (Stage.dispatch, DispatchState.destination_decided),
    "item.destination_amended": (Stage.dispatch, DispatchState.destination_decided),
    "item.exit_declared": (Stage.dispatch, DispatchState.exit_declared),
    "item.exit_cancelled": (Stage.dispatch, DispatchState.destination_decided),
    "item.customs_cleared": (Stage.dispatch, DispatchState.customs_cleared),
    "item.allocated": (Stage.dispatch, DispatchState.allocated),
    "item.shipped": (Stage.left, LeftState.shipped), "item.delivered": (Stage.left, LeftState.delivered),
    "item.disposed": (Stage.left, LeftState.disposed),
}
_RECEIVED = (Stage.intake, IntakeState.received)


@dataclass(frozen=True)
class UnitStatus:
    """``updated_at``: when the event that last changed the status happened (its ce_time); ``last_event_type``:
    that event's type."""
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


def _intake(name: str, data: dict[str, Any], current: UnitStatus | None) -> Move | None:
    if name == "unit.inspected":
        return Stage.intake, IntakeState.inspected if data.get("result") == "passed" else IntakeState.inspection_failed
    if name == "unit.discrepancy_resolved":  # accepted: received; refused: its rejection follows
        return _RECEIVED if data.get("resolution", "accepted_as_found") == "accepted_as_found" else None
    if name == "unit.rejected":
        return _rejected(data, current)
    return _INTAKE_STATES.get(name)


def _rejected(data: dict[str, Any], current: UnitStatus | None) -> Move:
    """Refused after its receipt, the unit is in bond and goes back to its owner through dispatch (as dispatch's
    own ``unit.awaiting_dispatch`` says next); refused before, it is returned at once and has left."""
    if current is not None and (current.stage, current.state) == _RECEIVED:
        return Stage.dispatch, DispatchState.awaiting_dispatch
    return Stage.left, rejected(str(data.get("return_mode")))


def _repair(name: str, data: dict[str, Any]) -> Move | None:
    if name == "work_order.opened":
        return Stage.repair, RepairState.queued
    value = data.get("to_state") if name == "work_order.state_changed" else \
        data.get("outcome") if name == "work_order.completed" else None
    # a state repair adds before this vocabulary knows it moves nothing (the event stays in the timeline)
    return (Stage.repair, RepairState(value)) if value in STATES[Stage.repair] else None


def _compliance(name: str, data: dict[str, Any]) -> Move | None:
    """On hold while any hold is open; released, where the item is (``resumes``, in the vocabulary)."""
    if name == "item.compliance_held" or data.get("holds_open"):
        return Stage.dispatch, DispatchState.compliance_hold
    resumes = str(data.get("resumes", ""))
    stage = stage_of(resumes)
    return (stage, resumes) if stage in (Stage.dispatch, Stage.left) else None


def _stage_state(event_type: str, data: dict[str, Any], current: UnitStatus | None) -> Move | None:
    name = _name(event_type)
    if event_type.startswith(INTAKE):
        return _intake(name, data, current)
    if event_type.startswith(REPAIR):
        return _repair(name, data)
    if data.get("item_kind", "unit") != "unit":
        return None
    if name in ("item.compliance_held", "item.compliance_released"):
        return _compliance(name, data)
    return _DISPATCH_STATES.get(name)


def _quote_pending(event_type: str, data: dict[str, Any], was: bool) -> bool:
    name = _name(event_type)
    if name == "work_order.quote_issued":
        return bool(data.get("approval_required"))
    if name in ("work_order.quote_decided", "work_order.completed"):
        return False
    return was


_STAGE_RANK = {"": -1, Stage.intake: 0, Stage.repair: 2, Stage.dispatch: 3, Stage.left: 4}


def _rank(stage: str, state: str) -> int:
    """How far along a unit is. The three topics are read side by side, so an event of an earlier stage may
    arrive after a later one (repair's work order opened before intake's release): it must not move the unit
    back. Release to repair comes from intake, so it ranks below repair's own states."""
    return _STAGE_RANK[stage] - (1 if (stage, state) == (Stage.repair, RepairState.released) else 0)


def _behind(current: UnitStatus, moved: Move, late: bool) -> bool:
    """True if ``moved`` would take the unit back: to an earlier stage, or, from an event older than the status's
    last change, to an older state of the same stage."""
    was, will = _rank(current.stage, current.state), _rank(*moved)
    return will < was or (will == was and late)


def apply(current: UnitStatus | None, event_type: str, data: dict[str, Any], owner_id: str,
          at: datetime) -> UnitStatus | None:
    """The unit's status after this event (``at``: when it happened, its ce_time), or ``current`` unchanged if the
    event does not move the unit.

    Only an event that moves the unit changes its owner (an allocation hands it to a new one); events about its
    old parts keep naming the owner the parts belong to and leave the unit alone. An event older than the
    status's last change still gives its facts but changes neither the state within a stage nor the pending quote.
    """
    unit_id = data.get("unit_id")
    moved = _stage_state(event_type, data, current)
    if unit_id is None or (current is None and moved is None):
        return current
    if current is None:
        current = UnitStatus(unit_id=unit_id, owner_id=owner_id, stage="", state="", last_event_type=event_type,
                             updated_at=at, first_seen_at=at)
    late = at < current.updated_at
    if moved is not None and _behind(current, moved, late):
        moved = None  # kept in the timeline, the status stays
    # a late quote issued never reopens a decided quote; a decision or completion clears it even when a later event of
    # another topic (dispatch's, after the completion) was consumed first: topics are not ordered between them
    stale_issue = late and _name(event_type) == "work_order.quote_issued"
    quote = current.quote_pending if stale_issue else _quote_pending(event_type, data, current.quote_pending)
    changed = moved is not None or quote != current.quote_pending
    stage, state = moved or (current.stage, current.state)
    return replace(
        current, owner_id=owner_id if moved else current.owner_id, stage=str(stage), state=str(state),
        last_event_type=event_type if changed else current.last_event_type,
        updated_at=max(at, current.updated_at) if changed else current.updated_at,
        serial_number=data.get("serial_number", current.serial_number),
        part_number=current.part_number if "old_part_id" in data else data.get("part_number", current.part_number),
        hs_code=data.get("hs_code", current.hs_code), origin=current.origin or data.get("origin"),
        work_order_id=data.get("work_order_id", current.work_order_id), quote_pending=quote)


def owner_of_event(data: dict[str, Any]) -> str | None:
    """The owner an event is about: its ``owner_id`` (after an allocation, the new owner)."""
    owner = data.get("owner_id")
    return str(owner) if owner else None
