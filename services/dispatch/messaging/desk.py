"""The desk's projection: its read models (dashboard and unit timelines) fed by a consumer of its own.

Group ``bondline.dispatch.desk`` (``.g<n>`` after the n-th rebuild) reads the three services' topics; per event, in
one inbox-guarded transaction of its own, the unit's timeline row and then the dashboard's handler. Dispatch's own
handling of the same event (its items, the ledger) is another consumer's, another transaction: a failure here
dead-letters the event for the desk alone and never rolls back the ledger. Migration 0010 gave this consumer
dispatch's inbox rows and sequences, so the events the old in-transaction projection applied are not applied again.
"""
from __future__ import annotations

from typing import Any

from services.dispatch.db.dashboard import DashboardRepository
from services.dispatch.db.desk import TimelineRepository
from services.dispatch.messaging.dashboard_handlers import DASHBOARD_HANDLERS
from services.dispatch.service import desk, desk_unit
from services.kit.runtime import Projection
from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY
from shared.contract.topics import DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS
from shared.messaging.consumer import Handler

SUBSCRIBE = [INTAKE_EVENTS, REPAIR_EVENTS, DISPATCH_EVENTS]


async def on_event(uow: Any, payload: Any, ce: CloudEvent) -> None:
    """Every event of the three topics: its unit's timeline row, then what it changes on the dashboard."""
    await desk_unit.record(uow, payload, ce)
    dashboard = DASHBOARD_HANDLERS.get(ce.type)
    if dashboard is not None:
        await dashboard(uow, payload, ce)


async def prepare_batch(uow: Any, events: list[CloudEvent]) -> None:
    """A batch's dashboard items read ahead; its timeline rows and dashboard increments written once, at commit."""
    timeline = TimelineRepository.batch(uow.session)
    dashboard = await DashboardRepository.batch(uow.session, sorted({e.subject for e in events if e.subject}))

    async def write() -> None:
        await timeline.flush_batch()
        await dashboard.flush_batch()
    uow.before_commit(write)


HANDLERS: dict[str, Handler] = {s.ce_type: on_event for s in REGISTRY.specs() if s.topic in SUBSCRIBE}
DESK = Projection(name="desk", handlers=HANDLERS, subscribe=SUBSCRIBE, reset=desk.reset, prepare_batch=prepare_batch)
