"""Record every event partners consumes: the journal row (timelines, owners' feed, webhooks) and the unit's status."""
from __future__ import annotations

from typing import Any

from services.partners.db.journal_repo import Entry
from services.partners.domain.unit_status import apply, owner_of_event
from services.partners.service.uow import PartnersUnitOfWork
from shared.clock import utc_now
from shared.contract.envelope import CloudEvent, format_sequence
from shared.contract.registry import Payload
from shared.messaging import tracing


async def record(uow: PartnersUnitOfWork, payload: Payload, ce: CloudEvent) -> bool:
    """Journal the event and move the unit's status; False if the journal already holds it (e.g. an event dispatch
    journaled before the upgrade, read again by partners' new consumer group)."""
    data = payload.model_dump(mode="json")
    unit_id = data.get("unit_id")
    current = await uow.journal.status(unit_id) if unit_id else None
    # the feed and webhooks are about the owner's units: an event of no unit (an owner's registration at intake,
    # a parts receipt) is journaled for no owner
    owner = owner_of_event(data) if unit_id else None
    if owner is None and unit_id:  # e.g. repair's old_part.disposed: the owner repair last named for the unit
        owner = await uow.journal.last_owner(unit_id, ce.source) or (current.owner_id if current else None)
    journaled = await uow.journal.append(
        event_id=ce.id, type=ce.type, source=ce.source, unit_id=unit_id, owner_id=owner, occurred_at=ce.time,
        sequence=ce.sequence, recorded_at=utc_now(), data=data, trace=tracing.current_or(ce.traceparent, ce.tracestate))
    if not journaled:  # already journaled: its status change was applied then
        return False
    if owner is not None:
        moved = apply(current, ce.type, data, owner, ce.time)
        if moved is not None and moved != current:
            await uow.journal.save_status(moved, new=current is None)
    return True


def as_cloudevent(entry: Entry) -> dict[str, Any]:
    """A journal entry as a CloudEvents 1.0 JSON (structured mode) object: the webhook body and a feed item."""
    event: dict[str, Any] = {"specversion": "1.0", "id": entry.event_id, "source": entry.source, "type": entry.type,
                             "time": entry.occurred_at.isoformat(), "datacontenttype": "application/json"}
    if entry.unit_id:
        event["subject"] = entry.unit_id
    if entry.sequence is not None:  # the CloudEvents sequence extension, as the producer sent it
        event["sequence"] = format_sequence(entry.sequence)
    return event | {"data": entry.data}
