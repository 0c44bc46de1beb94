"""An item leaving bonded custody: its exit line in the bonded ledger."""
from __future__ import annotations

from datetime import datetime

from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.ledger import exit_movement
from services.dispatch.service import ledger
from services.dispatch.service.uow import DispatchUnitOfWork


async def record_exit(uow: DispatchUnitOfWork, item: DispatchItem, documents: dict[str, str], at: datetime,
                      source: str) -> None:
    """Refused (RuleViolation) if the ledger holds less than leaves: nothing exits that never entered."""
    assert item.destination is not None
    movement = exit_movement(item.destination.value, item.abroad)
    if movement is None:
        return
    held = await ledger.holding(uow, item.item_id)
    await ledger.record_movement(
        uow, item_id=item.item_id, item_kind=item.kind.value, category=next(iter(held), "repaired_units"),
        movement=movement.value, quantity=sum(held.values()) or 1, documents=documents, at=at,
        owner_id=item.owner_id, source=source)
