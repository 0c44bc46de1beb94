"""Partners consumes every event of the three services: the journal (timelines, owners' feed, webhooks), unit status."""
from __future__ import annotations

import shared.contract.events  # noqa: F401  (registers every event: HANDLERS below is built from the registry)
from services.partners.service import journal
from services.partners.service.uow import PartnersUnitOfWork
from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS
from shared.messaging.consumer import Handler


async def on_any_event(uow: PartnersUnitOfWork, e: Payload, ce: CloudEvent) -> None:
    await journal.record(uow, e, ce)


async def prepare_batch(uow: PartnersUnitOfWork, events: list[CloudEvent]) -> None:
    """A batch's unit statuses and known events read ahead, its journal rows and statuses written at commit."""
    await uow.journal.prefetch(sorted({e.subject for e in events if e.subject}), [e.id for e in events])
    uow.before_commit(uow.journal.flush)


HANDLERS: dict[str, Handler] = {spec.ce_type: on_any_event for spec in REGISTRY.specs()}
SUBSCRIBE = [INTAKE_EVENTS, REPAIR_EVENTS, DISPATCH_EVENTS]
