"""What the bench's pages show, read through repair's use cases: a work order with its history, labour, parts
(with the stock of every part it names), tests and the failure codes to choose from; the queues."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.kit.errors import NotFound
from services.repair.db.reservations import UsedPart
from services.repair.db.work_orders import WorkOrderFilter
from services.repair.domain.diagnosis import FailureCode
from services.repair.domain.labour import LabourEntry
from services.repair.domain.states import OPEN, Step
from services.repair.domain.stock import PartPosition, Reservation
from services.repair.domain.testing import TestRecord
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import labour, parts, reference, repairs, stock, work_orders

OPEN_STATES = tuple(sorted(s.value for s in OPEN))
BACKLOG = 200      # open work orders on the queue page, oldest first
SEARCHED = 500     # the newest work orders a serial is looked for in


@dataclass(frozen=True)
class Bench:
    """One work order as the bench shows it."""
    wo: WorkOrder
    steps: list[Step]
    labour: list[LabourEntry]
    reservations: list[Reservation]
    used: list[UsedPart]
    tests: list[TestRecord]
    stock: dict[str, PartPosition]       # every part number the work order names, and the one looked up
    failure_codes: list[FailureCode]

    def clock_running(self, technician: str) -> LabourEntry | None:
        return next((e for e in self.labour if e.running and e.technician == technician), None)


async def work_order(rt: Any, work_order_id: str, look_up: str = "") -> Bench:
    wo, steps = await work_orders.history(rt.uow(), work_order_id)
    _, entries = await labour.of_work_order(rt.uow(), work_order_id)
    _, reservations, used = await parts.of_work_order(rt.uow(), work_order_id)
    _, tests = await repairs.tests_of(rt.uow(), work_order_id)
    names = [*(r.part_number for r in reservations), *(u.part_number for u in used)] + ([look_up] if look_up else [])
    positions = {pn: await stock.position(rt.uow(), pn, None) for pn in dict.fromkeys(names)}
    codes = await reference.failure_codes(rt.uow(), active_only=True)
    return Bench(wo, steps, entries, reservations, used, tests, positions, codes)


async def queues(rt: Any, technician: str) -> tuple[list[WorkOrder], list[WorkOrder]]:
    """The technician's own open work orders and every open one, both oldest first."""
    mine = await work_orders.queue(rt.uow(), technician, BACKLOG, 0)
    backlog = await work_orders.find(rt.uow(), WorkOrderFilter(states=OPEN_STATES), BACKLOG, 0)
    return mine, sorted(backlog, key=lambda w: (w.opened_at, w.id))


async def lookup(rt: Any, q: str) -> list[WorkOrder]:
    """A scanned or typed code: a work order id, a unit id (the unit's label), else a serial number (exact, any
    case) among the newest work orders."""
    try:
        return [await work_orders.get(rt.uow(), q)]
    except NotFound:
        pass
    by_unit = await work_orders.find(rt.uow(), WorkOrderFilter(unit_id=q), 1, 0)
    if by_unit:
        return by_unit
    recent = await work_orders.find(rt.uow(), WorkOrderFilter(), SEARCHED, 0)
    return [w for w in recent if w.serial_number.casefold() == q.casefold()]


def age_days(wo: WorkOrder, now: datetime) -> int:
    return max(0, (now - wo.opened_at).days)
