"""Maps intake's domain units to rows and back; optimistic locking on save."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import UnitRow
from services.intake.domain.units import Origin, Unit, UnitState
from services.kit.errors import Conflict

FIELDS = ("id", "owner_id", "serial_number", "part_number", "description", "hs_code", "origin_country",
          "declared_value", "currency", "warranty", "fault_description", "custody_location",
          "documents", "received_at", "released_at", "version")


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, unit_id: str) -> Unit | None:
        row = await self.session.get(UnitRow, unit_id)
        return _to_domain(row) if row else None

    async def serial_in_zone(self, serial_number: str) -> bool:
        found = await self.session.scalar(select(UnitRow.id).where(UnitRow.serial_number == serial_number).limit(1))
        return found is not None

    async def add(self, unit: Unit, actor: str) -> None:
        self.session.add(UnitRow(**_to_row(unit), created_by=actor, updated_by=actor))

    async def save(self, unit: Unit, actor: str) -> None:
        """Write a changed unit; 409 if someone else changed it since it was read."""
        values = _to_row(unit) | {"version": unit.version + 1, "updated_by": actor}
        result = await self.session.execute(
            update(UnitRow).where(UnitRow.id == unit.id, UnitRow.version == unit.version).values(**values))
        if result.rowcount != 1:
            raise Conflict(f"unit {unit.id} was changed by someone else; reload and retry")
        unit.version += 1

    async def list(self, state: str | None, owner_id: str | None, limit: int, offset: int) -> list[Unit]:
        q = select(UnitRow).order_by(UnitRow.received_at.desc(), UnitRow.id).limit(limit).offset(offset)
        if state:
            q = q.where(UnitRow.state == state)
        if owner_id:
            q = q.where(UnitRow.owner_id == owner_id)
        return [_to_domain(r) for r in (await self.session.scalars(q)).all()]


def _to_row(u: Unit) -> dict:
    return {f: getattr(u, f) for f in FIELDS} | {"origin": u.origin.value, "state": u.state.value}


def _to_domain(r: UnitRow) -> Unit:
    return Unit(**{f: getattr(r, f) for f in FIELDS}, origin=Origin(r.origin), state=UnitState(r.state))
