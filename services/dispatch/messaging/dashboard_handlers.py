"""Keep the dispatch desk's dashboard read models current from the events of all three services.

Stages and states are the shared vocabulary's (shared/contract/stages.py), the names owners see in partners' unit
status. These run in the desk projection's consumer (messaging/desk.py), each in its inbox-guarded transaction (an event
counts once) and never in the transaction of dispatch's own handling of the event: a failure here dead-letters the
event for the desk alone. The ledger's figures are not the desk's: they are the ledger's running totals.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.dispatch.db.dashboard import DashboardRepository
from services.dispatch.service import dashboard
from services.dispatch.service.dashboard import Change
from shared.contract.envelope import CloudEvent
from shared.contract.events import dispatch as d
from shared.contract.events import intake as i
from shared.contract.events import repair as r
from shared.contract.registry import REGISTRY
from shared.contract.stages import STATES, DispatchState, IntakeState, LeftState, RepairState, Stage, rejected, stage_of
from shared.messaging.consumer import Handler

ToChange = Callable[[Any, DashboardRepository], Awaitable[Change | None]]
HOUR = 3600


def identity(e: i.UnitFacts) -> dict[str, Any]:
    """What people read on a unit: its serial, part number and description (shown and searched on the desk)."""
    return {"serial_number": e.serial_number, "part_number": e.part_number, "description": e.description[:255] or None}


async def announced(e: i.UnitAnnounced, _repo: DashboardRepository) -> Change:
    return Change(e.unit_id, e.announced_at, e.owner_id, stage=Stage.intake, state=IntakeState.announced,
                  values={"origin": e.origin} | identity(e))


def intake_state(state: IntakeState | LeftState, at: str) -> ToChange:
    stage = stage_of(state)

    async def change(e: Any, _repo: DashboardRepository) -> Change:
        return Change(e.unit_id, getattr(e, at), e.owner_id, stage=stage, state=state)
    return change


async def inspected(e: i.UnitInspected, _repo: DashboardRepository) -> Change:
    state = IntakeState.inspected if e.result == "passed" else IntakeState.inspection_failed
    return Change(e.unit_id, e.inspected_at, e.owner_id, stage=Stage.intake, state=state)


async def received(e: i.UnitReceived, repo: DashboardRepository) -> Change:
    row = await repo.item(e.unit_id)
    if row is None or row.received_at is None:
        await repo.bump("origin", e.origin)
    return Change(e.unit_id, e.received_at, e.owner_id, stage=Stage.intake, state=IntakeState.received,
                  values={"origin": e.origin, "received_at": e.received_at, "due_kind": "bond",
                          "due_at": e.received_at} | identity(e))


async def unit_rejected(e: i.UnitRejected, repo: DashboardRepository) -> Change:
    row = await repo.item(e.unit_id)
    if row is not None and row.received_at is not None:  # in bond: dispatch returns it to its owner
        return Change(e.unit_id, e.rejected_at, e.owner_id, stage=Stage.dispatch,
                      state=DispatchState.awaiting_dispatch, values={"outcome": "rejected"})
    return Change(e.unit_id, e.rejected_at, e.owner_id, stage=Stage.left, state=rejected(e.return_mode))


async def released(e: i.UnitReleasedToRepair, _repo: DashboardRepository) -> Change:
    return Change(e.unit_id, e.released_at, e.owner_id, stage=Stage.repair, state=RepairState.released,
                  values={"origin": e.origin} | identity(e))


async def opened(e: r.WorkOrderOpened, _repo: DashboardRepository) -> Change:
    return Change(e.unit_id, e.opened_at, e.owner_id, stage=Stage.repair, state=RepairState.queued)


async def state_changed(e: r.WorkOrderStateChanged, repo: DashboardRepository) -> Change | None:
    row = await repo.item(e.unit_id)
    if row is not None and row.stage not in (Stage.intake, Stage.repair):
        return None  # a late state change never moves a unit back from dispatch
    if e.to_state not in STATES[Stage.repair]:
        return None  # a state repair adds before the vocabulary knows it moves nothing
    return Change(e.unit_id, e.changed_at, e.owner_id, stage=Stage.repair, state=RepairState(e.to_state))


async def tested(e: r.UnitTested, repo: DashboardRepository) -> None:
    if e.first_test:
        await repo.bump("first_test", "passed" if e.passed else "failed")


async def completed(e: r.WorkOrderCompleted, repo: DashboardRepository) -> Change:
    row = await repo.item(e.unit_id)
    if row is None or row.outcome is None:
        await repo.bump("outcome", e.outcome)
    return Change(e.unit_id, e.completed_at, e.owner_id, stage=Stage.dispatch, state=DispatchState.awaiting_dispatch,
                  values={"outcome": e.outcome})


async def old_part(e: r.OldPartRecorded, _repo: DashboardRepository) -> Change:
    return Change(e.old_part_id, e.removed_at, e.owner_id, kind="old_part", unit_id=e.unit_id, stage=Stage.dispatch,
                  state=DispatchState.awaiting_dispatch, values={"origin": e.origin, "due_kind": "disposal",
                                                                 "due_at": e.disposal_deadline,
                                                                 "part_number": e.part_number})


async def old_part_disposed(e: r.OldPartDisposed, _repo: DashboardRepository) -> Change:
    return Change(e.old_part_id, e.disposed_at, None, kind="old_part", unit_id=e.unit_id, stage=Stage.left,
                  state=LeftState.disposed)


async def awaiting(e: d.UnitAwaitingDispatch, _repo: DashboardRepository) -> Change:
    return Change(e.unit_id, e.since, e.owner_id, stage=Stage.dispatch, state=DispatchState.awaiting_dispatch)


def _split(e: d.DestinationDecided) -> str:
    if e.destination == "exchange_pool":
        return "bonded"
    return "domestic" if e.destination_country == "CN" else "overseas"


async def decided(e: d.DestinationDecided, repo: DashboardRepository) -> Change:
    if e.item_kind == "unit" and e.destination not in ("destruction", "gate_registration"):
        await repo.bump("destination", _split(e))
    return _decision(e)


async def amended(e: d.DestinationAmended, _repo: DashboardRepository) -> Change:
    return _decision(e)


def _decision(e: d.DestinationDecided | d.DestinationAmended) -> Change:
    """Decided or amended: kept bonded in the exchange pool (not due to ship), or bound for its destination."""
    pool = e.destination == "exchange_pool"
    state = DispatchState.exchange_pool if pool else DispatchState.destination_decided
    return Change(e.item_id, e.decided_at, e.owner_id, kind=e.item_kind, unit_id=e.unit_id, stage=Stage.dispatch,
                  state=state, values={"destination": e.destination, "destination_country": e.destination_country})


def item_state(state: DispatchState | LeftState, at: str) -> ToChange:
    stage = stage_of(state)

    async def change(e: Any, _repo: DashboardRepository) -> Change:
        return Change(e.item_id, getattr(e, at), e.owner_id, kind=e.item_kind, unit_id=e.unit_id, stage=stage,
                      state=state)
    return change


async def exit_cancelled(e: d.ExitCancelled, _repo: DashboardRepository) -> Change:
    """A cancelled exit declaration (删单): the item is back at dispatch with its destination decided, also an old
    part whose supervised destruction had taken it off the books (``reopen``)."""
    return Change(e.item_id, e.at, e.owner_id, kind=e.item_kind, unit_id=e.unit_id, stage=Stage.dispatch,
                  state=DispatchState.destination_decided, reopen=True)


async def shipped(e: d.ItemShipped, repo: DashboardRepository) -> Change:
    row = await repo.item(e.item_id)
    if e.item_kind == "unit" and row is not None and row.received_at is not None and row.stage != "left":
        await repo.bump_histogram("turnaround_h", max(0, int((e.at - row.received_at).total_seconds() // HOUR)))
    return Change(e.item_id, e.at, e.owner_id, kind=e.item_kind, unit_id=e.unit_id, stage=Stage.left,
                  state=LeftState.shipped)


async def nothing(_e: Any, _repo: DashboardRepository) -> None:
    return None  # the event only moves ledger lines: the ledger's, not the desk's


def handler(to_change: ToChange) -> Handler:
    async def handle(uow: Any, payload: Any, _ce: CloudEvent) -> None:
        repo = DashboardRepository(uow.session)
        change = await to_change(payload, repo)
        if change is not None:
            await dashboard.move(repo, change)
        await repo.flush()
    return handle


_BY_EVENT: dict[type, ToChange] = {
    i.UnitAnnounced: announced,
    i.UnitDeclared: intake_state(IntakeState.declared, "declared_at"),
    i.UnitInspectionSelected: intake_state(IntakeState.inspection_selected, "selected_at"),
    i.UnitInspected: inspected,
    i.UnitDiscrepancyFound: intake_state(IntakeState.discrepancy, "found_at"),
    i.UnitDiscrepancyResolved: intake_state(IntakeState.discrepancy_resolved, "resolved_at"),
    i.UnitReceived: received,
    i.UnitRejected: unit_rejected,
    i.UnitWithdrawn: intake_state(LeftState.withdrawn, "at"),
    i.UnitReleasedToRepair: released,
    i.PartsReceived: nothing,
    r.WorkOrderOpened: opened,
    r.WorkOrderStateChanged: state_changed,
    r.UnitTested: tested,
    r.PartsConsumed: nothing,
    r.WorkOrderCompleted: completed,
    r.OldPartRecorded: old_part,
    r.OldPartDisposed: old_part_disposed,
    d.UnitAwaitingDispatch: awaiting,
    d.DestinationDecided: decided,
    d.ExitDeclared: item_state(DispatchState.exit_declared, "declared_at"),
    d.ItemDisposed: item_state(LeftState.disposed, "disposed_at"),
    d.ItemAllocated: item_state(DispatchState.allocated, "allocated_at"),
    d.ItemCustomsCleared: item_state(DispatchState.customs_cleared, "at"),
    d.ItemShipped: shipped,
    d.ItemDelivered: item_state(LeftState.delivered, "at"),
    d.DestinationAmended: amended,
    d.ExitCancelled: exit_cancelled,
}
DASHBOARD_HANDLERS: dict[str, Handler] = {REGISTRY.type_of(t): handler(f) for t, f in _BY_EVENT.items()}

