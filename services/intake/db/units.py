"""Units and their history: rows to domain and back; optimistic locking on save."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import UnitHistoryRow, UnitRow
from services.intake.domain.units import Origin, Step, Unit, UnitState
from services.kit.errors import Conflict

FIELDS = tuple(f.name for f in fields(Unit) if f.name not in ("origin", "state", "history"))
OPEN_STATES = tuple(s.value for s in UnitState if s is not UnitState.rejected)


@dataclass(frozen=True)
class UnitFilter:
    state: str | None = None
    owner_id: str | None = None
    serial_number: str | None = None
    hs_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, unit_id: str, for_update: bool = False) -> Unit | None:
        row = await self.session.get(UnitRow, unit_id, with_for_update=for_update or None)
        return _to_domain(row) if row else None

    async def in_declaration(self, declaration_id: str) -> list[Unit]:
        rows = await self.session.scalars(select(UnitRow).where(UnitRow.declaration_id == declaration_id)
                                          .order_by(UnitRow.id))
        return [_to_domain(r) for r in rows]

    async def serials_in_zone(self, serials: list[str]) -> set[str]:
        """Serials of units still in the zone's care (not rejected; exits are dispatch's to record)."""
        found = await self.session.scalars(select(UnitRow.serial_number).where(
            UnitRow.serial_number.in_(serials), UnitRow.state.in_(OPEN_STATES)))
        return set(found)

    async def add(self, unit: Unit, actor: str) -> None:
        self.session.add(UnitRow(**_to_row(unit), created_by=actor, updated_by=actor))
        await self._history(unit)

    async def save(self, unit: Unit, actor: str) -> None:
        values = _to_row(unit) | {"version": unit.version + 1, "updated_by": actor}
        result = await self.session.execute(
            update(UnitRow).where(UnitRow.id == unit.id, UnitRow.version == unit.version).values(**values))
        if result.rowcount != 1:
            raise Conflict(f"unit {unit.id} was changed by someone else; reload and retry")
        unit.version += 1
        await self._history(unit)

    async def _history(self, unit: Unit) -> None:
        if unit.history:
            await self.session.execute(insert(UnitHistoryRow), [
                {"unit_id": unit.id, **{f.name: getattr(s, f.name) for f in fields(Step)}} for s in unit.history])
            unit.history.clear()

    async def history(self, unit_id: str) -> list[Step]:
        rows = await self.session.scalars(select(UnitHistoryRow).where(UnitHistoryRow.unit_id == unit_id)
                                          .order_by(UnitHistoryRow.id))
        return [Step(**{f.name: getattr(r, f.name) for f in fields(Step)}) for r in rows]

    async def find(self, f: UnitFilter, limit: int, offset: int) -> list[Unit]:
        q = select(UnitRow)
        for column, value in ((UnitRow.state, f.state), (UnitRow.owner_id, f.owner_id),
                              (UnitRow.serial_number, f.serial_number), (UnitRow.hs_code, f.hs_code)):
            if value:
                q = q.where(column == value)
        if f.since:
            q = q.where(UnitRow.announced_at >= f.since)
        if f.until:
            q = q.where(UnitRow.announced_at < f.until)
        q = q.order_by(UnitRow.announced_at.desc(), UnitRow.id).limit(limit).offset(offset)
        return [_to_domain(r) for r in await self.session.scalars(q)]


def _to_row(u: Unit) -> dict:
    return {f: getattr(u, f) for f in FIELDS} | {"origin": u.origin.value, "state": u.state.value}


def _to_domain(r: UnitRow) -> Unit:
    return Unit(**{f: getattr(r, f) for f in FIELDS}, origin=Origin(r.origin), state=UnitState(r.state))
