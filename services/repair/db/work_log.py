"""Labour entries and test records of work orders."""
from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.repair.db.tables import LabourEntryRow, TestRecordRow
from services.repair.domain.labour import LabourEntry
from services.repair.domain.testing import Measurement, TestRecord

LABOUR_FIELDS = tuple(f.name for f in fields(LabourEntry))


class LabourRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, e: LabourEntry, actor: str) -> None:
        self.session.add(LabourEntryRow(**asdict(e), created_by=actor))

    async def save(self, e: LabourEntry) -> None:
        await self.session.execute(update(LabourEntryRow).where(LabourEntryRow.id == e.id).values(
            stopped_at=e.stopped_at, minutes=e.minutes))

    async def running(self, work_order_id: str, technician: str | None = None) -> list[LabourEntry]:
        q = select(LabourEntryRow).where(LabourEntryRow.work_order_id == work_order_id,
                                         LabourEntryRow.stopped_at.is_(None))
        if technician is not None:
            q = q.where(LabourEntryRow.technician == technician)
        return [_labour(r) for r in await self.session.scalars(q.order_by(LabourEntryRow.started_at))]

    async def for_work_order(self, work_order_id: str) -> list[LabourEntry]:
        rows = await self.session.scalars(select(LabourEntryRow).where(
            LabourEntryRow.work_order_id == work_order_id).order_by(LabourEntryRow.started_at, LabourEntryRow.id))
        return [_labour(r) for r in rows]


def _labour(r: LabourEntryRow) -> LabourEntry:
    return LabourEntry(**{f: getattr(r, f) for f in LABOUR_FIELDS})


class TestRepository:
    __test__ = False

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, t: TestRecord, actor: str) -> None:
        seq = await self.session.scalar(select(func.count()).select_from(TestRecordRow).where(
            TestRecordRow.work_order_id == t.work_order_id))
        self.session.add(TestRecordRow(
            id=t.id, seq=(seq or 0) + 1, work_order_id=t.work_order_id, procedure=t.procedure,
            measurements=[asdict(m) for m in t.measurements], passed=t.passed, tested_at=t.tested_at,
            tested_by=t.tested_by, created_by=actor))

    async def for_work_order(self, work_order_id: str) -> list[TestRecord]:
        rows = await self.session.scalars(select(TestRecordRow).where(
            TestRecordRow.work_order_id == work_order_id).order_by(TestRecordRow.seq))
        return [TestRecord(id=r.id, work_order_id=r.work_order_id, procedure=r.procedure,
                           measurements=tuple(Measurement(**m) for m in r.measurements), passed=r.passed,
                           tested_at=r.tested_at, tested_by=r.tested_by) for r in rows]

    async def first_results(self, since: datetime | None, until: datetime | None) -> list[bool]:
        """The verdict of each work order's first test, for first tests run in [since, until)."""
        conditions = [TestRecordRow.seq == 1]
        if since:
            conditions.append(TestRecordRow.tested_at >= since)
        if until:
            conditions.append(TestRecordRow.tested_at < until)
        return list(await self.session.scalars(select(TestRecordRow.passed).where(and_(*conditions))))
