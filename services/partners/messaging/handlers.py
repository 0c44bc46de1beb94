"""Partners consumes every event of the three services: the journal (timelines, owners' feed, webhooks), unit status."""
from __future__ import annotations

from services.partners.service import journal
from services.partners.service.uow import PartnersUnitOfWork
from shared.contract import events  # noqa: F401  (registers every event: HANDLERS below is built from the registry)
from shared.contract.envelope import CloudEvent
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS
from shared.messaging.consumer import Handler


async def on_any_event(uow: PartnersUnitOfWork, e: Payload, ce: CloudEvent) -> None:
    await journal.record(uow, e, ce)


HANDLERS: dict[str, Handler] = {spec.ce_type: on_any_event for spec in REGISTRY.specs()}
SUBSCRIBE = [INTAKE_EVENTS, REPAIR_EVENTS, DISPATCH_EVENTS]
