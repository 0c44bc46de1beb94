"""Maps work orders to rows and back; optimistic locking on save."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.kit.errors import Conflict
from services.repair.db.tables import WorkOrderRow
from services.repair.domain.work_orders import Outcome, WorkOrder, WorkOrderState

FIELDS = ("id", "unit_id", "owner_id", "serial_number", "hs_code", "origin", "repair_fee", "currency",
          "labour_minutes", "opened_at", "completed_at", "version")


class WorkOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, work_order_id: str) -> WorkOrder | None:
        row = await self.session.get(WorkOrderRow, work_order_id)
        return _to_domain(row) if row else None

    async def for_unit(self, unit_id: str) -> WorkOrder | None:
        row = await self.session.scalar(select(WorkOrderRow).where(WorkOrderRow.unit_id == unit_id))
        return _to_domain(row) if row else None

    async def add(self, wo: WorkOrder, actor: str) -> None:
        self.session.add(WorkOrderRow(**_to_row(wo), created_by=actor, updated_by=actor))

    async def save(self, wo: WorkOrder, actor: str) -> None:
        values = _to_row(wo) | {"version": wo.version + 1, "updated_by": actor}
        result = await self.session.execute(update(WorkOrderRow).where(
            WorkOrderRow.id == wo.id, WorkOrderRow.version == wo.version).values(**values))
        if result.rowcount != 1:
            raise Conflict(f"work order {wo.id} was changed by someone else; reload and retry")
        wo.version += 1

    async def list(self, state: str | None, owner_id: str | None, limit: int, offset: int) -> list[WorkOrder]:
        q = select(WorkOrderRow).order_by(WorkOrderRow.opened_at.desc(), WorkOrderRow.id).limit(limit).offset(offset)
        if state:
            q = q.where(WorkOrderRow.state == state)
        if owner_id:
            q = q.where(WorkOrderRow.owner_id == owner_id)
        return [_to_domain(r) for r in (await self.session.scalars(q)).all()]


def _to_row(wo: WorkOrder) -> dict:
    return {f: getattr(wo, f) for f in FIELDS} | {
        "state": wo.state.value, "outcome": wo.outcome.value if wo.outcome else None}


def _to_domain(r: WorkOrderRow) -> WorkOrder:
    return WorkOrder(**{f: getattr(r, f) for f in FIELDS}, state=WorkOrderState(r.state),
                     outcome=Outcome(r.outcome) if r.outcome else None)
