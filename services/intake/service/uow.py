from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.uow import SqlUnitOfWork
from services.intake.db.repositories import UnitRepository


class IntakeUnitOfWork(SqlUnitOfWork):
    units: UnitRepository

    def _open(self, session: AsyncSession) -> None:
        self.units = UnitRepository(session)
