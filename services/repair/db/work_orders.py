"""Work orders and their history: optimistic locking on save, filters, a technician's queue."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.kit.errors import Conflict
from services.repair.db.mapping import to_domain, to_row
from services.repair.db.tables import WorkOrderHistoryRow, WorkOrderRow
from services.repair.domain.states import OPEN
from services.repair.domain.work_orders import Step, WorkOrder
from shared.messaging.sql import rowcount

STEP_FIELDS = tuple(f.name for f in fields(Step))
# Core: no ORM flush or identity map
WO, HISTORY = cast(Table, WorkOrderRow.__table__), cast(Table, WorkOrderHistoryRow.__table__)
# hot statements built once, with bound parameters
_GET = select(WO).where(WO.c.id == bindparam("work_order_id"))
_FOR_UNIT = select(WO).where(WO.c.unit_id == bindparam("unit_id"))
_ADD, _ADD_HISTORY = insert(WO), insert(HISTORY)
_INSERT_UNLESS_UNIT_HAS_ONE = {name: dialect_insert(WO).on_conflict_do_nothing(index_elements=[WO.c.unit_id])
                               for name, dialect_insert in (("postgresql", postgresql.insert),
                                                            ("sqlite", sqlite.insert))}
# optimistic lock: the SET clause is the columns given at execution (all but the id)
_SAVE = update(WO).where(WO.c.id == bindparam("match_id"), WO.c.version == bindparam("match_version"))


@dataclass(frozen=True)
class WorkOrderFilter:
    states: tuple[str, ...] = ()
    technician: str | None = None
    owner_id: str | None = None
    unit_id: str | None = None
    opened_before: datetime | None = None  # older than
    opened_since: datetime | None = None   # younger than


class WorkOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, work_order_id: str) -> WorkOrder | None:
        row = (await self.session.execute(_GET, {"work_order_id": work_order_id})).first()
        return to_domain(row) if row else None

    async def for_unit(self, unit_id: str) -> WorkOrder | None:
        row = (await self.session.execute(_FOR_UNIT, {"unit_id": unit_id})).first()
        return to_domain(row) if row else None

    async def add_unless_unit_has_one(self, wo: WorkOrder, actor: str, at: datetime) -> bool:
        """Insert ``wo`` unless its unit already has a work order (unit_id is unique): True if inserted.

        One round trip on PostgreSQL and SQLite (INSERT .. ON CONFLICT DO NOTHING) instead of a read first."""
        dialect = self.session.bind.dialect.name if self.session.bind is not None else ""
        if dialect not in _INSERT_UNLESS_UNIT_HAS_ONE:
            if await self.for_unit(wo.unit_id) is not None:
                return False
            await self.add(wo, actor, at)
            return True
        row = to_row(wo) | {"created_by": actor, "updated_by": actor, "updated_at": at}
        if rowcount(await self.session.execute(_INSERT_UNLESS_UNIT_HAS_ONE[dialect], row)) != 1:
            return False
        await self._history(wo)
        return True

    async def add(self, wo: WorkOrder, actor: str, at: datetime) -> None:
        await self.session.execute(_ADD, [to_row(wo) | {"created_by": actor, "updated_by": actor,
                                                               "updated_at": at}])
        await self._history(wo)

    async def save(self, wo: WorkOrder, actor: str, at: datetime) -> None:
        """Write the work order if nobody changed it since it was read; else 409, nothing written."""
        values = to_row(wo) | {"version": wo.version + 1, "updated_by": actor, "updated_at": at}
        del values["id"]  # the key is matched, not set
        result = await self.session.execute(_SAVE, values | {"match_id": wo.id, "match_version": wo.version})
        if rowcount(result) != 1:
            raise Conflict(f"work order {wo.id} was changed by someone else; reload and retry",
                           work_order=wo.id, your_version=wo.version)
        wo.version += 1
        await self._history(wo)

    async def touch_if_open(self, work_order_id: str, actor: str, at: datetime) -> str | None:
        """Bump an open work order's version (a concurrent command on it gets 409, and the row stays locked
        until commit); its state, or None when it is closed. For changes made on its behalf (parts arriving)."""
        return await self.session.scalar(update(WorkOrderRow).where(
            WorkOrderRow.id == work_order_id, WorkOrderRow.state.in_([s.value for s in OPEN])).values(
            version=WorkOrderRow.version + 1, updated_by=actor, updated_at=at).returning(WorkOrderRow.state))

    async def log(self, work_order_id: str, step: Step) -> None:
        await self.session.execute(insert(HISTORY).values(
            work_order_id=work_order_id, **{f: getattr(step, f) for f in STEP_FIELDS}))

    async def _history(self, wo: WorkOrder) -> None:
        if wo.steps:
            await self.session.execute(_ADD_HISTORY, [
                {"work_order_id": wo.id, **{f: getattr(s, f) for f in STEP_FIELDS}} for s in wo.steps])
            wo.steps.clear()

    async def history(self, work_order_id: str) -> list[Step]:
        rows = await self.session.scalars(select(WorkOrderHistoryRow).where(
            WorkOrderHistoryRow.work_order_id == work_order_id).order_by(WorkOrderHistoryRow.id))
        return [Step(**{f: getattr(r, f) for f in STEP_FIELDS}) for r in rows]

    async def find(self, f: WorkOrderFilter, limit: int, offset: int, oldest_first: bool = False) -> list[WorkOrder]:
        q = select(WorkOrderRow)
        for column, value in ((WorkOrderRow.technician, f.technician), (WorkOrderRow.owner_id, f.owner_id),
                              (WorkOrderRow.unit_id, f.unit_id)):
            if value:
                q = q.where(column == value)
        if f.states:
            q = q.where(WorkOrderRow.state.in_(f.states))
        if f.opened_before:
            q = q.where(WorkOrderRow.opened_at < f.opened_before)
        if f.opened_since:
            q = q.where(WorkOrderRow.opened_at >= f.opened_since)
        order = WorkOrderRow.opened_at.asc() if oldest_first else WorkOrderRow.opened_at.desc()
        q = q.order_by(order, WorkOrderRow.id).limit(limit).offset(offset)
        return [to_domain(r) for r in await self.session.scalars(q)]

    async def queue(self, technician: str, limit: int, offset: int) -> list[WorkOrder]:
        f = WorkOrderFilter(states=tuple(s.value for s in OPEN), technician=technician)
        return await self.find(f, limit, offset, oldest_first=True)
