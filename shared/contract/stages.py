"""One vocabulary for where a unit stands: four stages and, per stage, the states a unit can be in there.

Every read model that tells a unit's stage and state uses these names and no others: partners' ``unit_status`` (what
owners see: services/partners/domain/unit_status.py) and the dispatch desk's ``dash_items`` and counters
(services/dispatch/messaging/dashboard_handlers.py). A state name belongs to exactly one stage, so a state alone
says where the unit is: ``declared`` is the entry declaration at intake, the exit declaration is dispatch's
``exit_declared``; nothing is "declared" in two stages. The names are partners' public ones where partners had one.

A projection need not produce every state of a stage (partners shows an exchange-pool decision as
``destination_decided``, the desk as ``exchange_pool``), but whatever it produces is in its stage's vocabulary
(tests/unit/test_stage_vocabulary.py). Services keep their own internal states (intake's ``UnitState``, repair's
``WorkOrderState``, dispatch's ``ItemState``); this is the vocabulary of the read models built from their events.
Pure Python, no I/O.
"""
from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """``intake``: announced to received, customs entry; ``repair``: released to repair until its work order ends;
    ``dispatch``: a candidate for dispatch until it leaves (or stays bonded); ``left``: out of the zone's care."""
    intake = "intake"
    repair = "repair"
    dispatch = "dispatch"
    left = "left"


class IntakeState(StrEnum):
    """At the zone's gate and in intake's custody, before repair.

    - ``announced``: the owner pre-alerted the unit (repair request); it has not arrived.
    - ``declared``: its customs entry is declared (inbound record list, 1371 inventory list, gate pass): the entry
      declaration, never an exit one (that is ``exit_declared``, at dispatch).
    - ``inspection_selected``: customs selected the declaration for inspection (on site or remote video).
    - ``inspected``: customs inspected it and it passed.
    - ``inspection_failed``: it failed inspection; its rejection follows.
    - ``discrepancy``: what was found on receipt differs from what was announced; it waits in quarantine.
    - ``discrepancy_resolved``: a clerk resolved the discrepancy; its receipt or its rejection follows.
    - ``received``: accepted into bonded stock, the ledger credited; it waits for repair.
    """
    announced = "announced"
    declared = "declared"
    inspection_selected = "inspection_selected"
    inspected = "inspected"
    inspection_failed = "inspection_failed"
    discrepancy = "discrepancy"
    discrepancy_resolved = "discrepancy_resolved"
    received = "received"


class RepairState(StrEnum):
    """In the repair centre: intake's release, then repair's work order states (its ``WorkOrderState``).

    - ``released``: intake released it to repair; no work order yet.
    - ``queued``: a work order is open and waits for a technician.
    - ``diagnosing``: the fault is being diagnosed.
    - ``quote_pending``: a quote waits for the owner's decision.
    - ``approved`` / ``declined``: the owner approved or declined the quote.
    - ``awaiting_parts``: waiting for parts from bonded stock.
    - ``in_repair``: being repaired.
    - ``testing``: under test after repair.
    - ``repaired`` / ``beyond_repair`` / ``returned_unrepaired``: the work order ended with this outcome; dispatch
      takes the unit next (``awaiting_dispatch``).
    """
    released = "released"
    queued = "queued"
    diagnosing = "diagnosing"
    quote_pending = "quote_pending"
    approved = "approved"
    declined = "declined"
    awaiting_parts = "awaiting_parts"
    in_repair = "in_repair"
    testing = "testing"
    repaired = "repaired"
    beyond_repair = "beyond_repair"
    returned_unrepaired = "returned_unrepaired"


class DispatchState(StrEnum):
    """At dispatch, still in the zone (a unit, or an old part on its way to disposal).

    - ``awaiting_dispatch``: a dispatch candidate (its repair ended, or it was refused after receipt and goes back to
      its owner): it waits for a destination.
    - ``destination_decided``: its destination is chosen (re-export, domestic release, return to owner, disposal);
      the exit is not declared yet.
    - ``exchange_pool``: chosen to stay bonded as an exchange spare; it ships only once allocated.
    - ``allocated``: an exchange spare allocated to a new owner; it waits for its destination, like
      ``awaiting_dispatch``.
    - ``exit_declared``: its exit is declared (outbound record list or inventory list, gate pass); it waits for its
      shipment.
    - ``customs_cleared``: its shipment cleared customs; it has not left yet.
    - ``compliance_hold``: trade-compliance screening matched its destination or its shipment's consignee; it is
      neither declared nor shipped until a compliance officer releases the hold (then it is where it was).
    """
    awaiting_dispatch = "awaiting_dispatch"
    destination_decided = "destination_decided"
    exchange_pool = "exchange_pool"
    allocated = "allocated"
    exit_declared = "exit_declared"
    customs_cleared = "customs_cleared"
    compliance_hold = "compliance_hold"


class LeftState(StrEnum):
    """Out of the zone's care: nothing follows.

    - ``shipped``: it left the zone in its shipment.
    - ``delivered``: its shipment was delivered.
    - ``disposed``: destroyed or gate-registered under customs supervision (old parts, scrap).
    - ``rejected_4500``: refused at intake before customs release, returned directly (4500).
    - ``rejected_4561``: refused at intake after customs release, before receipt, returned (4561). A unit refused
      after its receipt is in bond: it waits at dispatch for its return (``awaiting_dispatch``).
    - ``withdrawn``: pre-alerted, it never arrived and was withdrawn (no customs movement at all).
    """
    shipped = "shipped"
    delivered = "delivered"
    disposed = "disposed"
    rejected_4500 = "rejected_4500"
    rejected_4561 = "rejected_4561"
    withdrawn = "withdrawn"


STATES: dict[Stage, tuple[str, ...]] = {  # in the order a unit goes through them, roughly
    Stage.intake: tuple(IntakeState), Stage.repair: tuple(RepairState),
    Stage.dispatch: tuple(DispatchState), Stage.left: tuple(LeftState),
}
OPEN_STAGES = (Stage.intake, Stage.repair, Stage.dispatch)  # the unit is still in the zone's care


def belongs(stage: str, state: str) -> bool:
    """True if ``state`` is one of ``stage``'s states."""
    return stage in STATES and state in STATES[Stage(stage)]


def stage_of(state: str) -> Stage | None:
    """The one stage ``state`` belongs to (None: not in the vocabulary)."""
    return next((stage for stage, states in STATES.items() if state in states), None)


def rejected(return_mode: str) -> LeftState:
    """The state of a unit refused before its receipt, by its return mode (``4500`` or ``4561``)."""
    return LeftState(f"rejected_{return_mode}")
