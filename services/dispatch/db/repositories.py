"""Maps dispatch units to rows and back."""
from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.tables import DispatchUnitRow
from services.dispatch.domain.units import DispatchState, DispatchUnit
from services.kit.errors import Conflict

FIELDS = tuple(f.name for f in fields(DispatchUnit) if f.name != "state")


class DispatchUnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, unit_id: str) -> DispatchUnit | None:
        row = await self.session.get(DispatchUnitRow, unit_id)
        return _to_domain(row) if row else None

    async def add(self, u: DispatchUnit, actor: str) -> None:
        self.session.add(DispatchUnitRow(**_to_row(u), updated_by=actor))

    async def save(self, u: DispatchUnit, actor: str) -> None:
        values = _to_row(u) | {"version": u.version + 1, "updated_by": actor}
        result = await self.session.execute(update(DispatchUnitRow).where(
            DispatchUnitRow.unit_id == u.unit_id, DispatchUnitRow.version == u.version).values(**values))
        if result.rowcount != 1:
            raise Conflict(f"unit {u.unit_id} was changed by someone else; reload and retry")
        u.version += 1

    async def list(self, state: str | None, owner_id: str | None, limit: int, offset: int) -> list[DispatchUnit]:
        q = select(DispatchUnitRow).order_by(DispatchUnitRow.awaiting_since, DispatchUnitRow.unit_id)
        if state:
            q = q.where(DispatchUnitRow.state == state)
        if owner_id:
            q = q.where(DispatchUnitRow.owner_id == owner_id)
        rows = (await self.session.scalars(q.limit(limit).offset(offset))).all()
        return [_to_domain(r) for r in rows]


def _to_row(u: DispatchUnit) -> dict:
    return {f: getattr(u, f) for f in FIELDS} | {"state": u.state.value}


def _to_domain(r: DispatchUnitRow) -> DispatchUnit:
    return DispatchUnit(**{f: getattr(r, f) for f in FIELDS}, state=DispatchState(r.state))
