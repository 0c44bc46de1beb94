"""Units and their history: rows to domain and back; optimistic locking on save."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import UnitHistoryRow, UnitRow
from services.intake.domain.units import GONE, Origin, Step, Unit, UnitState
from services.kit.errors import Conflict
from shared.messaging.sql import rowcount

FIELDS = tuple(f.name for f in fields(Unit) if f.name not in ("origin", "state", "history"))
STEP_FIELDS = tuple(f.name for f in fields(Step))
OPEN_STATES = tuple(s.value for s in UnitState if s not in GONE)
# Core tables: plain INSERTs, no ORM flush
UNITS, HISTORY = cast(Table, UnitRow.__table__), cast(Table, UnitHistoryRow.__table__)
# hot statements built once (Core, bound parameters): no expression building or ORM loading per call
_GET = select(UNITS).where(UNITS.c.id == bindparam("unit_id"))
_GET_FOR_UPDATE = _GET.with_for_update()
_ADD, _ADD_HISTORY = insert(UNITS), insert(HISTORY)
# optimistic lock: the SET clause is the columns given at execution (all but the id)
_SAVE = update(UNITS).where(UNITS.c.id == bindparam("match_id"), UNITS.c.version == bindparam("match_version"))
_SERIALS_IN_ZONE = select(UNITS.c.serial_number).where(
    UNITS.c.serial_number.in_(bindparam("serials", expanding=True)), UNITS.c.state.in_(OPEN_STATES))


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
        row = (await self.session.execute(_GET_FOR_UPDATE if for_update else _GET, {"unit_id": unit_id})).first()
        return _to_domain(row) if row else None

    async def in_declaration(self, declaration_id: str) -> list[Unit]:
        rows = await self.session.scalars(select(UnitRow).where(UnitRow.declaration_id == declaration_id)
                                          .order_by(UnitRow.id))
        return [_to_domain(r) for r in rows]

    async def serials_in_zone(self, serials: list[str]) -> set[str]:
        """Serials of units still in the zone's care (not rejected, not shipped out)."""
        return set(await self.session.scalars(_SERIALS_IN_ZONE, {"serials": serials}))

    async def add(self, unit: Unit, actor: str) -> None:
        await self.add_all([unit], actor)

    async def add_all(self, units: list[Unit], actor: str) -> None:
        """New units and their first history lines: one INSERT each, however many units."""
        await self.session.execute(_ADD, [_to_row(u) | {"created_by": actor, "updated_by": actor}
                                                   for u in units])
        await self._history(*units)

    async def save(self, unit: Unit, actor: str) -> None:
        values = _to_row(unit) | {"version": unit.version + 1, "updated_by": actor}
        del values["id"]  # the key is matched, not set
        result = await self.session.execute(_SAVE, values | {"match_id": unit.id, "match_version": unit.version})
        if rowcount(result) != 1:
            raise Conflict(f"unit {unit.id} was changed by someone else; reload and retry")
        unit.version += 1
        await self._history(unit)

    async def _history(self, *units: Unit) -> None:
        lines = [{"unit_id": u.id, **{f: getattr(s, f) for f in STEP_FIELDS}} for u in units for s in u.history]
        if lines:
            await self.session.execute(_ADD_HISTORY, lines)
        for u in units:
            u.history.clear()

    async def history(self, unit_id: str) -> list[Step]:
        rows = await self.session.scalars(select(UnitHistoryRow).where(UnitHistoryRow.unit_id == unit_id)
                                          .order_by(UnitHistoryRow.id))
        return [Step(**{f: getattr(r, f) for f in STEP_FIELDS}) for r in rows]

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


def _to_domain(r: UnitRow | Row[Any]) -> Unit:
    return Unit(**{f: getattr(r, f) for f in FIELDS}, origin=Origin(r.origin), state=UnitState(r.state))
