from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.uow import SqlUnitOfWork
from services.dispatch.db.repositories import DispatchUnitRepository


class DispatchUnitOfWork(SqlUnitOfWork):
    units: DispatchUnitRepository

    def _open(self, session: AsyncSession) -> None:
        self.units = DispatchUnitRepository(session)
