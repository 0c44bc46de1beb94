"""Stock fed by intake's parts receipts; expected deliveries; availability; waiting demand served on arrival."""
from __future__ import annotations

from datetime import datetime

from services.kit.errors import Conflict, RuleViolation
from services.repair.domain.states import Step
from services.repair.domain.stock import (
    MAX_LINE_QUANTITY,
    ExpectedDelivery,
    PartPosition,
    Reservation,
    StockLot,
    check_receipt,
)
from services.repair.service.allocation import reserve_free
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now
from shared.contract.events.intake import PartsReceived


async def receive(uow: RepairUnitOfWork, e: PartsReceived) -> int | None:
    """Called inside the consumer's unit of work; a receipt is taken in once (by its id).

    Locks are taken in the order every command takes them: the waiting work orders first, then stock.
    """
    check_receipt(e.quantity, e.bonded, e.origin)
    if await uow.stock.has_receipt(e.receipt_id):
        return None
    at, actor = utc_now(), uow.actor or "system"
    waiting = await uow.reservations.waiting(e.part_number)
    ids = sorted({w.work_order_id for w in waiting})
    states = {wo: await uow.work_orders.touch_if_open(wo, actor, at) for wo in ids}
    lot = StockLot(id=0, part_number=e.part_number, lot=e.lot, bonded=e.bonded, origin=e.origin, hs_code=e.hs_code,
                   unit_value=e.unit_value.amount, currency=e.unit_value.currency, on_hand=e.quantity, reserved=0,
                   received_at=e.received_at)
    lot_id = await uow.stock.receive(e.receipt_id, lot, dict(e.documents), actor)
    await uow.stock.arrived(e.part_number, e.quantity)
    await _serve([w for w in waiting if states[w.work_order_id]], states, e.part_number, at, actor, uow)
    return lot_id


async def _serve(waiting: list[Reservation], states: dict[str, str | None], part_number: str, at: datetime,
                 actor: str, uow: RepairUnitOfWork) -> None:
    """Open work orders waiting for this part get it reserved, first come first served."""
    served: dict[str, int] = {}
    for w in waiting:
        for lot, n in await reserve_free(uow, part_number, w.quantity, w.bonded):
            if not await uow.reservations.shrink_waiting(w.id, n):
                raise Conflict(f"reservation {w.id} changed meanwhile; the receipt will be retried")
            await uow.reservations.add(w.work_order_id, part_number, n, w.bonded, lot.id, at, actor)
            served[w.work_order_id] = served.get(w.work_order_id, 0) + n
    for wo_id, n in served.items():
        state = states[wo_id] or ""
        await uow.work_orders.log(wo_id, Step(at, actor, "reserve_parts", state, state,
                                              f"{n} x {part_number} reserved on arrival"))


async def position(uow: RepairUnitOfWork, part_number: str, bonded: bool | None) -> PartPosition:
    async with uow:
        return await uow.stock.position(part_number, bonded)


async def lots(uow: RepairUnitOfWork, part_number: str | None, bonded: bool | None, available_only: bool,
               limit: int, offset: int) -> list[StockLot]:
    async with uow:
        return await uow.stock.lots(part_number, bonded, available_only, limit, offset)


async def expect(uow: RepairUnitOfWork, part_number: str, quantity: int, expected_by: datetime | None, note: str,
                 actor: str) -> ExpectedDelivery:
    if not part_number.strip() or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise RuleViolation(f"an expected delivery names a part and 1 to {MAX_LINE_QUANTITY} pieces",
                            field="quantity")
    async with uow:
        at = utc_now()
        new_id = await uow.stock.expect(part_number, quantity, expected_by, note, at, actor)
        await uow.commit()
        return ExpectedDelivery(new_id, part_number, quantity, quantity, expected_by, note, at, actor)


async def expected(uow: RepairUnitOfWork, part_number: str | None, open_only: bool) -> list[ExpectedDelivery]:
    async with uow:
        return await uow.stock.expected(part_number, open_only)
