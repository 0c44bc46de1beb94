"""A work order's parts: request them (reserved now, or waiting for stock), consume them in repair."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.kit.errors import Conflict, RuleViolation
from services.repair.db.reservations import UsedPart
from services.repair.domain.old_parts import OldPart
from services.repair.domain.stock import Availability, PartNeed, Reservation, StockLot
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import outgoing
from services.repair.service.allocation import consume_free, reserve_free
from services.repair.service.common import load, save
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now


@dataclass(frozen=True)
class LineResult:
    part_number: str
    requested: int
    reserved: int
    waiting: int
    availability: Availability  # of what is still waiting (available when nothing waits)


async def request(uow: RepairUnitOfWork, work_order_id: str, needs: list[PartNeed], actor: str,
                  expected_version: int | None = None) -> tuple[WorkOrder, list[LineResult]]:
    if not needs:
        raise RuleViolation("request at least one part", field="lines")
    for need in needs:
        need.check()
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.request_parts(", ".join(f"{n.quantity} x {n.part_number}" for n in needs), at, actor)
        await save(uow, wo, actor, at)  # locks the work order before touching stock
        results = [await _reserve(uow, wo, n, actor) for n in needs]
        await uow.commit()
        return wo, results


async def _reserve(uow: RepairUnitOfWork, wo: WorkOrder, need: PartNeed, actor: str) -> LineResult:
    at = utc_now()
    got = await reserve_free(uow, need.part_number, need.quantity, need.bonded)
    for lot, n in got:
        await uow.reservations.add(wo.id, need.part_number, n, need.bonded, lot.id, at, actor)
    waiting = need.quantity - sum(n for _, n in got)
    status = (await uow.stock.position(need.part_number, need.bonded)).status(waiting) if waiting \
        else Availability.available
    if waiting:
        await uow.reservations.add(wo.id, need.part_number, waiting, need.bonded, None, at, actor)
    return LineResult(need.part_number, need.quantity, need.quantity - waiting, waiting, status)


async def consume(uow: RepairUnitOfWork, work_order_id: str, need: PartNeed, replaces_old_part: bool,
                  disposal_days: int, actor: str,
                  expected_version: int | None = None) -> tuple[WorkOrder, list[UsedPart], OldPart | None]:
    """Reserved parts are used first, then free stock; if stock falls short nothing is consumed (409)."""
    need.check()
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.consume_parts(f"{need.quantity} x {need.part_number}", at, actor)
        await save(uow, wo, actor, at)
        taken = await _from_reservations(uow, wo.id, need)
        rest = need.quantity - sum(n for _, _, n in taken)
        taken += [(lot, None, n) for lot, n in await consume_free(uow, need.part_number, rest, need.bonded)]
        await _refuse_if_short(uow, wo, need, sum(n for _, _, n in taken))
        for lot, reservation_id, n in taken:
            await uow.reservations.record_consumption(wo.id, lot.id, reservation_id, n, at, actor)
        used = [_used(lot, n) for lot, _, n in taken]
        uow.publish(outgoing.parts_consumed(wo, used, at))
        old = await _old_part(uow, wo, need, disposal_days, at, actor) if replaces_old_part else None
        await uow.commit()
        return wo, used, old


async def _from_reservations(uow: RepairUnitOfWork, work_order_id: str,
                             need: PartNeed) -> list[tuple[StockLot, int | None, int]]:
    taken: list[tuple[StockLot, int | None, int]] = []
    remaining = need.quantity
    for r in await uow.reservations.for_work_order(work_order_id, need.part_number):
        lot = await uow.stock.lot(r.lot_id) if r.lot_id is not None and r.remaining > 0 else None
        if remaining == 0 or lot is None or (need.bonded is not None and lot.bonded != need.bonded):
            continue
        n = min(remaining, r.remaining)
        if not (await uow.reservations.consume(r.id, n) and await uow.stock.consume_reserved(lot.id, n)):
            raise Conflict(f"reservation {r.id} changed meanwhile; retry")
        taken.append((lot, r.id, n))
        remaining -= n
    return taken


async def _refuse_if_short(uow: RepairUnitOfWork, wo: WorkOrder, need: PartNeed, got: int) -> None:
    if got >= need.quantity:
        return
    pos = await uow.stock.position(need.part_number, need.bonded)
    status = pos.status(need.quantity - got)
    raise Conflict(f"only {got} of {need.quantity} x {need.part_number} can be drawn for work order {wo.id} "
                   f"({status.value}); nothing was consumed", availability=status.value, free=pos.free,
                   reserved_for_this_work_order=got)


def _used(lot: StockLot, n: int) -> UsedPart:
    return UsedPart(lot.part_number, lot.lot, n, lot.unit_value, lot.currency, lot.origin, lot.hs_code, lot.bonded)


async def _old_part(uow: RepairUnitOfWork, wo: WorkOrder, need: PartNeed, days: int, at: datetime,
                    actor: str) -> OldPart:
    old = OldPart.removed(disposal_days=days, removed_at=at, origin=wo.origin, id=str(uuid.uuid4()),
                          unit_id=wo.unit_id, work_order_id=wo.id, owner_id=wo.owner_id,
                          part_number=need.part_number, quantity=need.quantity)
    await uow.old_parts.add(old, actor)
    uow.publish(outgoing.old_part_recorded(old))
    return old


async def of_work_order(uow: RepairUnitOfWork,
                        work_order_id: str) -> tuple[WorkOrder, list[Reservation], list[UsedPart]]:
    async with uow:
        wo = await load(uow, work_order_id)
        return wo, await uow.reservations.for_work_order(wo.id), await uow.reservations.used(wo.id)
