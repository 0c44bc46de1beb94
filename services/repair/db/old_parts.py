"""Old and bad parts, with their disposal."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.kit.errors import Conflict
from services.repair.db.tables import OldPartRow
from services.repair.domain.old_parts import DisposalRoute, OldPart
from shared.messaging.sql import rowcount

FIELDS = tuple(f.name for f in fields(OldPart) if f.name != "route")
OP = OldPartRow


@dataclass(frozen=True)
class OldPartFilter:
    unit_id: str | None = None
    work_order_id: str | None = None
    disposed: bool | None = None
    due_before: datetime | None = None  # disposal deadline before this moment


class OldPartRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, p: OldPart, actor: str) -> None:
        self.session.add(OP(**{f: getattr(p, f) for f in FIELDS}, route=None, created_by=actor))

    async def get(self, old_part_id: str) -> OldPart | None:
        row = await self.session.get(OP, old_part_id)
        return _domain(row) if row else None

    async def save_disposal(self, p: OldPart) -> None:
        """Only an undisposed old part can be disposed of: a concurrent second disposal gets 409."""
        assert p.route is not None
        result = await self.session.execute(update(OP).where(OP.id == p.id, OP.disposed_at.is_(None)).values(
            route=p.route.value, document_no=p.document_no, disposed_at=p.disposed_at, disposed_by=p.disposed_by,
            note=p.note))
        if rowcount(result) != 1:
            raise Conflict(f"old part {p.id} was disposed of by someone else meanwhile")

    async def save_disposal_cancelled(self, p: OldPart, document_no: str) -> None:
        """Only the disposal declared under document_no is cleared: a concurrent change gets 409."""
        assert p.disposed_at is None
        result = await self.session.execute(update(OP).where(
            OP.id == p.id, OP.disposed_at.is_not(None), OP.document_no == document_no).values(
            route=None, document_no=None, disposed_at=None, disposed_by=None, note=p.note))
        if rowcount(result) != 1:
            raise Conflict(f"old part {p.id} changed meanwhile: its disposal was not cancelled")

    async def find(self, f: OldPartFilter, limit: int, offset: int) -> list[OldPart]:
        q = select(OP)
        if f.unit_id:
            q = q.where(OP.unit_id == f.unit_id)
        if f.work_order_id:
            q = q.where(OP.work_order_id == f.work_order_id)
        if f.disposed is not None:
            q = q.where(OP.disposed_at.is_not(None) if f.disposed else OP.disposed_at.is_(None))
        if f.due_before:
            q = q.where(OP.disposal_deadline < f.due_before)
        q = q.order_by(OP.disposal_deadline, OP.id).limit(limit).offset(offset)
        return [_domain(r) for r in await self.session.scalars(q)]


def _domain(r: OldPartRow) -> OldPart:
    return OldPart(**{f: getattr(r, f) for f in FIELDS}, route=DisposalRoute(r.route) if r.route else None)
